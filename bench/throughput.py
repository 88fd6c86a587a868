"""Throughput benchmark: is the pipeline as fast as the engines it drives?

    python bench/throughput.py [--pool cpu] [--candidates 32] [--embeddings 50000] [--only dedup,rss] [--repeats 3]

1. pipeline: ``gra synth``'s loop (seed annotation, then one round of ``--candidates``
   candidates) on the embedded pool; output tokens / wall seconds.
2. engine ceiling: the run's own recorded requests (same messages, max_tokens, seed,
   constraint) replayed straight at the engines, each engine kept at its slot count.
   Each is streamed through the same repetition guard as the run's calls, so a loop is
   stopped where the run would stop it (runtime.calls.repetition).
3. sequential: the same requests one at a time, as a naive script would send them.
   Parts 2 and 3 each start the engines afresh, with empty prompt caches as the run had
   (an ``endpoint`` engine is not ours to restart: its cache stays warm, flattering both).
4. dedup: keep/drop decisions of the hnswlib index vs exact brute-force cosine on up to
   ``--embeddings`` embeddings of real text (shared seeds: sentences, 2-3 sentence windows,
   whole fields; plus generated text from earlier runs), and the speedup of the pass
   (best of ``--repeats`` timings of each, since other work on the same cores slows both).
5. coordinator_peak_rss_mb: peak RSS of a coordinator process (engines excluded) holding
   that many samples of state: store rows, dedup index, example pool. The embedding
   engine, a child process of the coordinator, is reported apart (embedder_peak_rss_mb).
6. slot_sweep: the first ``--sweep-requests`` recorded requests replayed with every
   llama.cpp engine restarted at 1, 2 and 4 slots, each kept full: whether parallel
   decoding pays on this machine (on one core per engine it does not; on a GPU it does).

Part 1 also says where the pipeline's time went: each engine's busy share of the wall
(from ``lm_calls``), the CPU seconds of the coordinator and of the embedding worker, and
each engine server's peak RSS.

Parts: ``pipeline`` (1-3), ``dedup`` (4), ``rss`` (5), ``sweep`` (6, after ``pipeline``).
``--only`` runs some of them and merges their numbers into the existing ``throughput.json``, leaving the others as they
were and saying under ``remeasured`` which parts are new and when. Embeddings of the
texts are cached under ``~/.cache/gra/bench/``, so only the first run pays for them.

Writes ``bench/results/throughput.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import signatures  # noqa: E402
from runtime.calls.repetition import SPAN, RepetitionGuard  # noqa: E402
from runtime.calls.schema import response_format  # noqa: E402
from runtime.config import LlamaCppEngine, load_pool  # noqa: E402
from runtime.engines.embedding import shared_engine  # noqa: E402
from runtime.engines.placement import Placement  # noqa: E402
from runtime.engines.supervisor import Supervisor  # noqa: E402
from runtime.engines.weights import cache_dir  # noqa: E402
from runtime.pipeline import Coordinator, Team
from runtime.pipeline.dedup import DedupIndex, deduplicate  # noqa: E402
from runtime.pipeline.embedding import embed  # noqa: E402
from runtime.settings import SynthConfig  # noqa: E402
from runtime.storage.accounting import usage_by  # noqa: E402
from runtime.storage.run_dir import member_rows  # noqa: E402
from runtime.storage.seeds import load_seeds  # noqa: E402
from runtime.storage.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "seeds"


# -- 1-3: pipeline, ceiling, sequential --------------------------------------------------------
async def pipeline(coordinator: Coordinator, seeds, source: str) -> float:
    t0 = time.perf_counter()
    await coordinator.annotate(seeds, source)
    await coordinator.run_round(1)
    return time.perf_counter() - t0


def recorded_requests(store: Store, pool, endpoints) -> list[tuple[str, dict]]:
    """(engine, request body) for every call the run made, in the order they started."""
    engine_of = {m.name: m.engine for m in pool.members}
    sampling = {m.name: pool.sampling_for(m) for m in pool.members}
    sigs = {s.__name__: s for s in signatures.ALL_SIGNATURES}
    out = []
    for row in store.db.execute("select member, signature, messages, seed from lm_calls order by started_at, id"):
        member, sig, messages, seed = row
        engine = engine_of[member]
        body = {"model": f"gra-{member}", "messages": json.loads(messages), **sampling[member]}
        if seed is not None:
            body["seed"] = seed
        fmt = response_format(sigs[sig], endpoints[engine].dialect)
        if fmt:
            body["response_format"] = fmt
        out.append((engine, body))
    return out


async def streamed(client: httpx.AsyncClient, url: str, key: str, body: dict, span: int) -> int:
    """One request, streamed and stopped inside a loop as a member's call is; returns its output tokens."""
    guard = RepetitionGuard(span)
    body = {**body, "stream": True, "stream_options": {"include_usage": True}}
    async with client.stream("POST", url, json=body, headers={"Authorization": f"Bearer {key}"}) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                return chunk["usage"]["completion_tokens"]
            if chunk.get("choices") and guard.feed(chunk["choices"][0]["delta"].get("content") or ""):
                return guard.pieces  # leaving the block closes the connection: the engine stops decoding
    return guard.pieces


async def replay(
    requests,
    endpoints,
    per_engine: dict[str, int] | None,
    total: int | None,
    span: int = SPAN,
    placed: bool = False,
) -> tuple[float, int, dict[str, float]]:
    """Send every request; at most ``per_engine[e]`` in flight per engine (or ``total`` overall).

    Returns (seconds, output tokens, each engine's summed request seconds). One at a time,
    the last is what each engine's share of the workload costs it alone.

    ``placed``: this client follows the engine with the most slack, as the coordinator
    does (runtime.engines.placement), so the ceiling's client costs its engines what the
    pipeline's costs them. One call at a time, leave it off: the scheduler already puts
    the client on the idle engine's core, and pinning it would put it on the busy one half
    the time.
    """
    limits = {e: asyncio.Semaphore(per_engine[e] if per_engine else 10**6) for e in endpoints}
    overall = asyncio.Semaphore(total or 10**6)
    tokens = 0
    engine_seconds = dict.fromkeys(endpoints, 0.0)
    placement = Placement({e: ep.cpus for e, ep in endpoints.items()})
    async with httpx.AsyncClient(timeout=1200) as client:

        async def one(engine, body):
            nonlocal tokens
            async with overall, limits[engine]:
                ep = endpoints[engine]
                t = time.perf_counter()
                n = await streamed(client, ep.base_url + "/chat/completions", ep.api_key, body, span)
                engine_seconds[engine] += time.perf_counter() - t
                tokens += n  # not `tokens += await ...`: that reads `tokens` before the await, and loses updates

        with placement.following(lambda: engine_seconds) if placed else contextlib.nullcontext():
            t0 = time.perf_counter()
            await asyncio.gather(*(one(e, b) for e, b in requests))
            return time.perf_counter() - t0, tokens, engine_seconds


def engine_busy(store: Store, engine_of: dict[str, str]) -> dict[str, float]:
    """Each engine's share of the run's wall during which at least one of its calls was in flight."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for member, started, latency in store.db.execute(
        "select member, started_at, latency_s from lm_calls where latency_s is not null"
    ):
        t = datetime.fromisoformat(started).timestamp()
        spans.setdefault(engine_of[member], []).append((t, t + latency))
    if not spans:
        return {}
    t0 = min(a for v in spans.values() for a, _ in v)
    t1 = max(b for v in spans.values() for _, b in v)
    busy = {}
    for engine, v in spans.items():
        total, end = 0.0, t0
        for a, b in sorted(v):
            total += max(0.0, b - max(a, end))
            end = max(end, b)
        busy[engine] = round(total / (t1 - t0), 3)
    return busy


# -- 4: dedup agreement ---------------------------------------------------------------------------
def real_texts(limit: int, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    parts: dict[str, set[str]] = {"sentences": set(), "windows": set(), "fields": set(), "generated": set()}
    for f in (SHARED / "self_instruct_seed_tasks.jsonl", SHARED / "gpteacher_roleplay.json"):
        if not f.exists():
            continue
        for s in load_seeds(f):
            for field in (s.instruction, s.input, s.output):
                if len(field.split()) >= 4:
                    parts["fields"].add(field.strip())
                sents = [x.strip() for x in re.split(r"(?<=[.!?])\s+|\n+", field) if len(x.split()) >= 4]
                parts["sentences"].update(sents)
                parts["windows"].update(" ".join(p) for p in zip(sents, sents[1:], strict=False))
                parts["windows"].update(" ".join(p) for p in zip(sents, sents[1:], sents[2:], strict=False))
    for db in list((ROOT / "runs").glob("*/gra.db")) + list((ROOT / "bench" / "results").glob("*/gra.db")):
        try:
            con = sqlite3.connect(db)
            for (text,) in con.execute("select instruction || char(10) || coalesce(output, '') from samples"):
                if text and len(text.split()) >= 4:
                    parts["generated"].add(text.strip())
        except sqlite3.Error:
            continue
    seen: set[str] = set()
    texts = []
    for kind in ("generated", "fields", "sentences", "windows"):
        for t in sorted(parts[kind]):
            if t not in seen:
                seen.add(t)
                texts.append(t)
    rng.shuffle(texts)
    texts = texts[:limit]
    return texts, {k: len(v) for k, v in parts.items()}


def cached_embed(texts: list[str], console: Console) -> tuple[np.ndarray, float | None]:
    """Embeddings of ``texts``; every text's vector is kept in ``~/.cache/gra/bench/minilm-texts.npz``
    (keyed by the text's sha256), so a run embeds only the texts no earlier run embedded, such as the
    few generated by the latest pipeline run.

    Returns (vectors, seconds spent embedding), seconds being None when every text was cached.
    """
    path = cache_dir() / "bench" / "minilm-texts.npz"
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as cached:
            known = dict(zip(cached["keys"].tolist(), cached["vectors"], strict=True))
    missing = list({k: i for i, k in enumerate(keys) if k not in known}.values())  # each distinct text once
    seconds = None
    if missing:
        console.print(f"embedding {len(missing)} of {len(texts)} texts (the rest come from {path})")
        t0 = time.perf_counter()
        for i, vector in zip(missing, embed([texts[i] for i in missing], batch_size=128), strict=True):
            known[keys[i]] = vector
        seconds = time.perf_counter() - t0
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
        os.replace(tmp, path)
    else:
        console.print(f"embeddings of {len(texts)} texts from {path}")
    return np.stack([known[k] for k in keys]), seconds


def exact_decisions(vectors: np.ndarray, order: np.ndarray, threshold: float, block: int = 512) -> list[bool]:
    """Brute-force cosine, same visiting order: blocks against everything kept, then within the block."""
    kept = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    decisions: list[bool] = []
    for start in range(0, len(order), block):
        idx = order[start : start + block]
        vb = vectors[idx]
        prior = (vb @ kept.T).max(axis=1) if len(kept) else np.full(len(idx), -1.0, dtype=np.float32)
        inner = vb @ vb.T
        keep_in_block: list[int] = []
        for j in range(len(idx)):
            best = max(prior[j], max((inner[j, k] for k in keep_in_block), default=-1.0))
            ok = best < threshold
            decisions.append(bool(ok))
            if ok:
                keep_in_block.append(j)
        kept = np.vstack([kept, vb[keep_in_block]])
    return decisions


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def dedup_bench(n: int, threshold: float, seed: int, repeats: int, console: Console) -> tuple[dict, np.ndarray]:
    """Both passes ``repeats`` times, alternating; each one's best time (the least disturbed by other
    processes on these cores), and the worst agreement (threaded inserts make each hnswlib graph differ)."""
    rng = random.Random(seed)
    texts, composition = real_texts(n, rng)
    vectors, embed_s = cached_embed(texts, console)
    means = np.array([rng.uniform(8.0, 10.0) for _ in texts])
    order = np.argsort(-means, kind="stable")
    items = [(str(i), float(means[i]), vectors[i]) for i in range(len(texts))]
    loads, hnsw_s, exact_s, agreements = [os.getloadavg()[0]], [], [], []
    for _ in range(repeats):
        approx, seconds = timed(lambda: deduplicate(DedupIndex(capacity=len(texts)), items, int, threshold))
        hnsw_s.append(seconds)
        approx_kept = [d.kept for d in approx]  # already in descending-mean order
        exact_kept, seconds = timed(lambda: exact_decisions(vectors, order, threshold))
        exact_s.append(seconds)
        agreements.append(sum(a == b for a, b in zip(approx_kept, exact_kept, strict=True)) / len(texts))
        loads.append(os.getloadavg()[0])
    console.print(f"dedup: hnswlib {[round(x, 2) for x in hnsw_s]} s, exact {[round(x, 2) for x in exact_s]} s")
    return {
        "embeddings": len(texts),
        "composition_available": composition,
        "threshold": threshold,
        "agreement": round(min(agreements), 6),
        "kept_hnsw": sum(approx_kept),
        "kept_exact": sum(exact_kept),
        "repeats": repeats,
        "hnsw_seconds": round(min(hnsw_s), 2),
        "exact_seconds": round(min(exact_s), 2),
        "speedup": round(min(exact_s) / min(hnsw_s), 2),
        "hnsw_seconds_all": [round(x, 2) for x in hnsw_s],
        "exact_seconds_all": [round(x, 2) for x in exact_s],
        "embed_seconds": None if embed_s is None else round(embed_s, 1),
        "load_average_1min": [round(x, 2) for x in loads],  # before, then after each repeat
    }, vectors


# -- 5: coordinator memory ----------------------------------------------------------------------
RSS_CHILD = r"""
import json, resource, sys, numpy as np
from runtime.pipeline import Coordinator, Team
from runtime.settings import SynthConfig
from runtime.pipeline.dedup import DedupIndex
from runtime.storage.store import Store
from runtime.pipeline.embedding import embed
vectors = np.load(sys.argv[1]); out = sys.argv[2]; n = len(vectors)
embed(["warm the embedding model, as a real coordinator has it loaded"])
store = Store(out + "/gra.db")
rows = [{"id": f"r1-{i:06d}", "round": 1, "ordinal": i, "status": "accepted", "domain": "QA", "examples": "[]",
         "generator": "a", "reviewers": json.dumps(["b", "c", "d"]), "adjudicator": "e",
         "keywords": json.dumps(["k1", "k2", "k3"]),
         "instruction": "instruction text " * 20, "input": "", "output": "response text " * 80, "mean": 9.0,
         "std": 0.5, "summary": "a summary of thirty words " * 5} for i in range(n)]
with store.db.conn:
    store.db["samples"].insert_all(rows, batch_size=2000)
index = DedupIndex(capacity=n); index.add(vectors, list(range(n)))
team = Team({}, {}, {})
coord = Coordinator(team, store, __import__("pathlib").Path(out), SynthConfig())
coord.index.index = index
pool = coord.store.example_pool()
from runtime.engines.embedding import shared_engine
print(json.dumps({"samples": n, "pool_entries": sum(len(v) for v in pool.values()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "embedder_peak_rss_mb": shared_engine().peak_rss_mb()}))
"""


def rss_bench(vectors: np.ndarray, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    for f in work.glob("gra.db*"):
        f.unlink()
    np.save(work / "vectors.npy", vectors)
    proc = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, str(work / "vectors.npy"), str(work)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


PARTS = ("pipeline", "dedup", "rss", "sweep")


def pipeline_bench(args, work: Path, console: Console) -> dict:
    """Parts 1-3: the loop on the real pool, then its requests replayed at the ceiling and one by one."""
    for f in work.glob("gra.db*"):
        f.unlink()
    (work / "index" / "dedup.bin").unlink(missing_ok=True)
    pool, _ = load_pool(args.pool)
    seeds = load_seeds(args.seeds)
    store = Store(work / "gra.db")
    store.put_members(member_rows(pool))
    config = SynthConfig(
        per_round=args.candidates, max_candidates=args.candidates, seed=args.seed, concurrency=args.concurrency
    )
    with Supervisor(pool, log_dir=work / "logs") as sup:
        coordinator = Coordinator(Team.from_pool(pool, sup.endpoints), store, work, config, console)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        wall = asyncio.run(pipeline(coordinator, seeds, str(args.seeds)))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        out_tokens = store.token_totals()["completion_tokens"]
        engine_rss = {name: server.peak_rss_mb() for name, server in sup.servers.items()}
    # Each replay gets freshly started servers: the run's prompts are still in the RAM prompt
    # cache of the servers that served it, and a replay on them would skip that prefill.
    with Supervisor(pool, log_dir=work / "logs" / "ceiling") as sup:
        requests = recorded_requests(store, pool, sup.endpoints)
        slots = {e: ep.slots for e, ep in sup.endpoints.items()}
        console.print(f"pipeline: {out_tokens} tokens in {wall:.0f}s; replaying {len(requests)} requests")
        ceil_s, ceil_tok, _ = asyncio.run(
            replay(requests, sup.endpoints, slots, None, pool.repetition_span, placed=True)
        )
    console.print(f"ceiling: {ceil_tok} tokens in {ceil_s:.0f}s; now one call at a time")
    with Supervisor(pool, log_dir=work / "logs" / "sequential") as sup:
        seq_s, seq_tok, seq_engine_s = asyncio.run(replay(requests, sup.endpoints, None, 1, pool.repetition_span))
    embedder_cpu = shared_engine().cpu_seconds()
    result = {
        "pool": args.pool,
        "seeds": os.path.relpath(args.seeds, ROOT),
        "candidates": args.candidates,
        "seed": args.seed,  # the run seed: role draws, and so each engine's share of the work, depend on it
        "calls": len(requests),
        "engine_slots": slots,
        "samples_in_flight": coordinator.samples_in_flight,
        "pipeline_tok_s": round(out_tokens / wall, 2),
        "pipeline_seconds": round(wall, 1),
        "engine_ceiling_tok_s": round(ceil_tok / ceil_s, 2),
        "engine_ceiling_seconds": round(ceil_s, 1),
        "sequential_tok_s": round(seq_tok / seq_s, 2),
        "sequential_seconds": round(seq_s, 1),
        # Running engines side by side cannot beat the busiest engine's own time: this bounds the speedup.
        "sequential_engine_seconds": {e: round(v, 1) for e, v in seq_engine_s.items()},
        "speedup_bound": round(seq_s / max(seq_engine_s.values()), 2),
        "pipeline_engine_seconds": {e: round(u.call_seconds, 1) for e, u in usage_by(store, "engine").items()},
        "pipeline_parse_status": store.parse_status_counts(),
        "pipeline_engine_busy": engine_busy(store, {m.name: m.engine for m in pool.members}),
        "pipeline_coordinator_cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 1),
        "pipeline_embedder_cpu_s": None if embedder_cpu is None else round(embedder_cpu, 1),
        "engine_peak_rss_mb": {k: None if v is None else round(v, 1) for k, v in engine_rss.items()},
    }
    result["efficiency"] = round(result["pipeline_tok_s"] / result["engine_ceiling_tok_s"], 3)
    result["speedup_vs_sequential"] = round(result["pipeline_tok_s"] / result["sequential_tok_s"], 2)
    return result


def slot_sweep(args, work: Path, console: Console) -> dict:
    """Part 6: the run's first recorded requests, replayed with every llama.cpp engine at 1, 2 and 4 slots."""
    if not (work / "gra.db").exists():
        raise SystemExit(f"{work / 'gra.db'}: no recorded run to replay; run the pipeline part first")
    pool, _ = load_pool(args.pool)
    store = Store(work / "gra.db")
    out = {"requests": None, "tok_s": {}, "seconds": {}}
    for n in (1, 2, 4):
        engines = {
            name: spec.model_copy(update={"slots": n}) if isinstance(spec, LlamaCppEngine) else spec
            for name, spec in pool.engines.items()
        }
        swept = pool.model_copy(update={"engines": engines})
        with Supervisor(swept, log_dir=work / "logs" / f"sweep-{n}") as sup:
            requests = recorded_requests(store, swept, sup.endpoints)[: args.sweep_requests]
            full = {e: ep.slots for e, ep in sup.endpoints.items()}
            seconds, tokens, _ = asyncio.run(
                replay(requests, sup.endpoints, full, None, pool.repetition_span, placed=True)
            )
        out["requests"] = len(requests)
        out["tok_s"][str(n)] = round(tokens / seconds, 2)
        out["seconds"][str(n)] = round(seconds, 1)
        console.print(f"sweep: {n} slot(s) per engine: {tokens} tokens in {seconds:.0f}s")
    return out


def targets(slots: dict[str, int]) -> dict:
    return {
        "efficiency": 0.90,
        "speedup_vs_sequential": round(0.8 * sum(slots.values()), 2),
        "dedup.agreement": 0.999,
        "coordinator_peak_rss_mb": 1024,
    }


def print_table(result: dict, console: Console) -> None:
    table = Table(title="throughput")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    for key in (
        "samples_in_flight",
        "pipeline_tok_s",
        "engine_ceiling_tok_s",
        "sequential_tok_s",
        "efficiency",
        "speedup_vs_sequential",
        "speedup_bound",
        "coordinator_peak_rss_mb",
        "embedder_peak_rss_mb",
    ):
        table.add_row(key, str(result.get(key, "")), str(result["targets"].get(key, "")))
    dedup = result.get("dedup", {})
    table.add_row("dedup.agreement", str(dedup.get("agreement", "")), "0.999")
    table.add_row("dedup.speedup", str(dedup.get("speedup", "")), "")
    for engine, busy in result.get("pipeline_engine_busy", {}).items():
        table.add_row(f"pipeline busy share: {engine}", str(busy), "")
    for n, tok_s in result.get("slot_sweep", {}).get("tok_s", {}).items():
        table.add_row(f"slot sweep: {n} per engine, tok/s", str(tok_s), "")
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", default="tiny")  # the figures in the README are the tiny pool's
    ap.add_argument("--seeds", type=Path, default=ROOT / "examples" / "seeds.jsonl")
    ap.add_argument("--candidates", type=int, default=32)
    ap.add_argument("--embeddings", type=int, default=50_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--concurrency", type=int, default=None, help="samples in flight (default: gra synth's)")
    ap.add_argument("--repeats", type=int, default=3, help="dedup passes timed (best of)")
    ap.add_argument("--sweep-requests", type=int, default=40, help="recorded requests replayed per slot count")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run: {', '.join(PARTS)}")
    args = ap.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        ap.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    console = Console(stderr=True)
    work = args.out / "throughput-run"
    work.mkdir(parents=True, exist_ok=True)
    path = args.out / "throughput.json"
    partial = set(parts) != set(PARTS)
    result: dict = json.loads(path.read_text()) if partial and path.exists() else {}
    if "pipeline" in parts:
        result.update(pipeline_bench(args, work, console))
    result["targets"] = targets(result.get("engine_slots", {}))
    vectors = None
    if "dedup" in parts:
        threshold = SynthConfig().dedup_threshold
        result["dedup"], vectors = dedup_bench(args.embeddings, threshold, args.seed, args.repeats, console)
    if "rss" in parts:
        if vectors is None:
            vectors, _ = cached_embed(real_texts(args.embeddings, random.Random(args.seed))[0], console)
        rss = rss_bench(vectors, work / "rss")
        result["coordinator_peak_rss_mb"] = round(rss["peak_rss_mb"], 1)
        result["embedder_peak_rss_mb"] = round(rss["embedder_peak_rss_mb"], 1)
        result["coordinator_state_samples"] = rss["samples"]
    if "sweep" in parts:
        result["slot_sweep"] = slot_sweep(args, work, console)
    if partial:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        result["remeasured"] = {**result.get("remeasured", {}), **{p: when for p in parts}}
        result["note"] = (
            f"parts {', '.join(sorted(result['remeasured']))} re-measured alone (--only) at the times under"
            " 'remeasured'; every other number is from the last full run"
        )
    else:
        result.pop("remeasured", None)
        result.pop("note", None)
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result, console)
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
