"""The ``gra`` command line."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from runtime.pipeline.coordinator import Coordinator, MembersDown, NothingToGenerateFrom, SynthConfig, Team
from runtime.engines.process import EngineError
from runtime.engines.gguf_reencode import reencoded
from runtime.config import LlamaCppEngine, PoolFileError, load_pool
from runtime.storage.seeds import SeedFileError, load_seeds
from runtime.storage.store import Store
from runtime.engines.supervisor import Supervisor
from runtime.run import RunDirError, check_out, prepare_out, synthesize
from runtime.engines.weights import GGUF_MODELS, WeightsMissing, minilm_dir, resolve_gguf

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Synthetic instruction-tuning data from a team of small language models (GRA).",
)
err = Console(stderr=True)
USER_ERRORS = (
    SeedFileError,
    PoolFileError,
    RunDirError,
    EngineError,
    WeightsMissing,
    NothingToGenerateFrom,
    MembersDown,
)


def _fail(exc: Exception) -> None:
    err.print(f"[red]gra: error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


Pool_ = Annotated[str, typer.Option("--pool", help="built-in pool name (cpu) or a pool TOML file")]


@app.command()
def synth(
    seeds: Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL (instruction, input, output)")],
    out: Annotated[Path, typer.Option(help="run directory (gra.db, data.jsonl, index/)")] = Path("runs/latest"),
    rounds: Annotated[int, typer.Option(min=1, help="rounds; the paper runs 5")] = 1,
    per_round: Annotated[int, typer.Option(min=1, help="samples that must pass the committee per round")] = 10,
    max_candidates: Annotated[
        int | None, typer.Option(min=1, help="candidate budget per round [default: 4 × per-round]")
    ] = None,
    pool: Pool_ = "cpu",
    reviewers: Annotated[int, typer.Option(min=1, help="reviewers per sample (N_R)")] = 3,
    tau: Annotated[float, typer.Option(help="acceptance threshold τ on the 1-10 mean")] = 8.0,
    delta: Annotated[float, typer.Option(help="disagreement threshold δ on the reviewers' std")] = 1.5,
    dedup: Annotated[float, typer.Option(help="cosine similarity at which a sample is a duplicate")] = 0.9,
    seed: Annotated[int, typer.Option(help="run seed: fixes every sample's role draw")] = 0,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="samples in flight [default: 2 × engine slots + 4]")
    ] = None,
    screen: Annotated[
        bool, typer.Option("--screen/--no-screen", help="reject text that steers its judges before judging it")
    ] = True,
    fresh: Annotated[bool, typer.Option("--fresh", help="start over in a run directory that holds a run")] = False,
    allow_changed_config: Annotated[
        bool,
        typer.Option("--allow-changed-config", help="resume even though the pool, settings or seed file changed"),
    ] = False,
) -> None:
    """Run the GRA loop: annotate seeds, then generate, review, adjudicate and deduplicate.

    A run directory that already holds a run is resumed where it stopped; --fresh starts over.
    """
    config = SynthConfig(
        rounds=rounds,
        per_round=per_round,
        max_candidates=max_candidates,
        n_reviewers=reviewers,
        tau=tau,
        delta=delta,
        dedup_threshold=dedup,
        seed=seed,
        concurrency=concurrency,
        screen=screen,
    )
    try:
        synthesize(seeds, out, pool, config, fresh=fresh, allow_changed=allow_changed_config, console=err)
    except USER_ERRORS as exc:
        _fail(exc)


@app.command()
def annotate(
    seeds: Annotated[Path, typer.Option(help="seed file: Alpaca JSON or JSONL")],
    out: Annotated[Path, typer.Option(help="run directory; seeds land in gra.db and seeds.annotated.jsonl")] = Path(
        "runs/annotate"
    ),
    pool: Pool_ = "cpu",
    fresh: Annotated[bool, typer.Option("--fresh")] = False,
) -> None:
    """Annotate a seed file with domain, keywords and summary (each seed on the engine free first)."""
    try:
        rows = load_seeds(seeds)
        pool_cfg, pool_path = load_pool(pool)
        check_out(out, fresh)
        with Supervisor(pool_cfg, log_dir=out / "logs", source=str(pool_path)) as sup:
            prepare_out(out, fresh)
            store = Store(out / "gra.db")
            coordinator = Coordinator(Team.from_pool(pool_cfg, sup.endpoints), store, out, SynthConfig(), err)
            asyncio.run(coordinator.annotate(rows, str(seeds)))
    except USER_ERRORS as exc:
        _fail(exc)
    path = out / "seeds.annotated.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for r in store.db["seeds"].rows_where(order_by="line"):
            f.write(
                json.dumps(
                    {k: r[k] for k in ("id", "instruction", "input", "output", "domain", "summary", "status")}
                    | {"keywords": json.loads(r["keywords"]) if r["keywords"] else None},
                    ensure_ascii=False,
                )
                + "\n"
            )
    failed = store.db.execute("select count(*) from seeds where status = 'failed'").fetchone()[0]
    err.print(f"annotated {len(rows) - failed} of {len(rows)} seeds ({failed} failed): {path}")


@app.command()
def serve(
    pool: Pool_ = "cpu",
    logs: Annotated[Path, typer.Option(help="engine logs folder")] = Path("runs/serve/logs"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print each server's environment and command line; start nothing")
    ] = False,
) -> None:
    """Start a pool's engines in the foreground and print their endpoints; Ctrl-C stops them.

    A server that dies is restarted on the same port; `gra serve` exits when one cannot be."""
    try:
        pool_cfg, pool_path = load_pool(pool)
        if dry_run:
            for line in Supervisor(pool_cfg, log_dir=logs, source=str(pool_path)).plan():
                print(line)
            return
        with Supervisor(pool_cfg, log_dir=logs, source=str(pool_path)) as sup:
            for name, ep in sup.endpoints.items():
                members = [m.name for m in pool_cfg.members if m.engine == name]
                urls = ",".join(ep.base_urls)
                print(f"{name}\t{urls}\tslots={ep.slots}\tmembers={','.join(members)}", flush=True)
            print(f"api key (this session only): {sup.api_key}", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            # Ctrl-C stops it even when it was started with SIGINT ignored (as `nohup ... &` does)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                while not sup.failed:
                    time.sleep(1)
                for name, why in sup.failed.items():
                    err.print(f"[red]engine server {name!r} {why}[/]; stopping", highlight=False)
                raise typer.Exit(1)
            except KeyboardInterrupt:
                pass
    except USER_ERRORS as exc:
        _fail(exc)


@app.command()
def inspect(
    run_dir: Annotated[Path, typer.Argument(help="run directory")],
    sample_id: Annotated[str, typer.Argument(help="sample id, e.g. r1-00003")],
    raw: Annotated[bool, typer.Option("--raw", help="also print every prompt and raw model output")] = False,
) -> None:
    """Tell one sample's whole story: roles, examples, text, every review, verdict and model call."""
    db_path = run_dir / "gra.db"
    if not db_path.exists():
        _fail(RunDirError(f"{run_dir}: no gra.db here"))
    store = Store(db_path)
    s = store.sample(sample_id)
    if s is None:
        _fail(RunDirError(f"{db_path}: no sample {sample_id!r}"))
    out = Console()
    out.rule(f"{s['id']}  status={s['status']}  round={s['round']}  domain={s['domain']}")
    reviewers = ", ".join(json.loads(s["reviewers"]))
    out.print(f"generator {s['generator']} · reviewers {reviewers} · adjudicator {s['adjudicator']}")
    out.print(f"examples: {', '.join(json.loads(s['examples'] or '[]'))}")
    out.print(f"demos: {', '.join(json.loads(s.get('demos') or '[]'))}")
    for key in ("keywords", "instruction", "input", "output", "summary"):
        if s[key]:
            out.print(f"[bold]{key}[/]: {s[key]}", highlight=False)
    reviews = Table(title="reviews")
    for col in ("reviewer", "kind", "scores", "review"):
        reviews.add_column(col)
    for r in store.db["reviews"].rows_where("sample_id = ?", [sample_id], order_by="id"):
        reviews.add_row(r["reviewer"], r["kind"], r["scores"], r["review"] or "")
    out.print(reviews)
    if s["mean"] is not None:
        out.print(f"μ = {s['mean']:.3f}, σ = {s['std']:.3f}")
    for a in store.db["adjudications"].rows_where("sample_id = ?", [sample_id]):
        out.print(
            f"adjudicator {a['adjudicator']}: {a['scores']} → mean {a['mean']:.2f}, accepted={bool(a['accepted'])}"
            + (f". Review: {a['review']}" if a.get("review") else "")
        )
    if s["duplicate_of"]:
        out.print(f"duplicate of {s['duplicate_of']} (cosine {s['similarity']:.3f})")
    if s["failure"]:
        out.print(f"[yellow]failure[/]: {s['failure']}")
    calls = Table(title="model calls")
    for col in ("role", "member", "signature", "status", "finish", "prompt tok", "output tok", "seconds"):
        calls.add_column(col)
    for c in store.db["lm_calls"].rows_where("sample_id = ?", [sample_id], order_by="id"):
        calls.add_row(
            c["role"],
            c["member"],
            c["signature"],
            c["parse_status"],
            c["finish_reason"] or "",
            str(c["prompt_tokens"]),
            str(c["completion_tokens"]),
            f"{c['latency_s']:.2f}",
        )
        if raw:
            out.print(
                f"[dim]{c['signature']} by {c['member']} messages:[/] {c['messages']}\n[dim]raw:[/] {c['raw_output']}",
                highlight=False,
            )
    out.print(calls)


@app.command()
def models() -> None:
    """Locate (and assemble, the first time) the embedded model files."""
    try:
        for key, w in GGUF_MODELS.items():
            print(f"{key}\t{w.path()}")
        for spec in load_pool("cpu")[0].engines.values():  # what the built-in pool serves in their place
            if isinstance(spec, LlamaCppEngine) and spec.reencode:
                print(f"{spec.model} as {spec.reencode}\t{reencoded(resolve_gguf(spec.model), spec.reencode)}")
        print(f"all-minilm-l6-v2\t{minilm_dir()}")
    except WeightsMissing as exc:
        _fail(exc)


if __name__ == "__main__":
    app()
