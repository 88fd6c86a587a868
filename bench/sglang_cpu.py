"""SGLang on CPU, measured: what the engine tests' real SGLang server costs and does on this machine.

    python bench/sglang_cpu.py [--pool tiny-sglang]

CPU figures only (SmolLM2-135M in float32 on SGLang's CPU engine, one thread): they say how
long the engine tests wait, not how SGLang performs on a GPU. Measured through gra's own
Supervisor (the start includes SGLang's imports and its warm-up generation):

* install: the CPU environment's size on disk, and how long ``make sglang-cpu-env`` took
  (from its venv's creation to its ``.installed`` mark);
* start_s: from ``Supervisor.start()`` to ``/health_generate`` answering;
* prefill_tok_s: one request of about 1,400 prompt tokens and 1 output token;
* decode_tok_s_1 / decode_tok_s_4: 128 output tokens per request (``ignore_eos``), one
  request alone, then four at once (SGLang batches their decoding);
* cached_tokens: a second request with the first one's long system prompt and another
  question: the prompt tokens SGLang's radix cache served (``--enable-cache-report``).

Writes ``bench/results/sglang_cpu.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from runtime.config import load_pool
from runtime.engines.sglang import SGLANG_VERSION
from runtime.engines.sglang_cpu import cpu_env_dir
from runtime.engines.supervisor import Endpoint, Supervisor

OUT = Path(__file__).parent / "results" / "sglang_cpu.json"


def install_figures() -> dict:
    """Size of the CPU environment and the wall time its install took (venv created -> marked installed)."""
    env = cpu_env_dir(SGLANG_VERSION)
    size = int(subprocess.run(["du", "-sb", str(env)], capture_output=True, text=True, check=True).stdout.split()[0])
    seconds = (env / ".installed").stat().st_mtime - (env / "venv" / "pyvenv.cfg").stat().st_mtime
    return {"disk_gb": round(size / 1e9, 2), "seconds": round(seconds)}


def call(endpoint: Endpoint, messages: list[dict], max_tokens: int) -> tuple[float, dict]:
    """One chat completion; its wall seconds and usage."""
    t = time.monotonic()
    r = httpx.post(
        f"{endpoint.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {endpoint.api_key}"},
        json={"model": "bench", "messages": messages, "max_tokens": max_tokens, "temperature": 0.2, "ignore_eos": True},
        timeout=900,
    )
    r.raise_for_status()
    return time.monotonic() - t, r.json()["usage"]


def measure(endpoint: Endpoint) -> dict:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
    rng = random.Random(1)
    long = " ".join(rng.choice(words) for _ in range(1000))
    seconds, usage = call(endpoint, [{"role": "user", "content": long}], 1)
    prefill = usage["prompt_tokens"] / seconds
    seconds, usage = call(endpoint, [{"role": "user", "content": "Tell me a story about a cat."}], 128)
    decode_1 = usage["completion_tokens"] / seconds
    with ThreadPoolExecutor(4) as pool:
        t = time.monotonic()
        runs = list(
            pool.map(lambda i: call(endpoint, [{"role": "user", "content": f"Story {i}: a dog."}], 128), range(4))
        )
        decode_4 = sum(u["completion_tokens"] for _, u in runs) / (time.monotonic() - t)
    system = {"role": "system", "content": "You review answers for a committee. " * 30}
    call(endpoint, [system, {"role": "user", "content": "Is 2 + 2 = 4?"}], 1)
    _, usage = call(endpoint, [system, {"role": "user", "content": "Is the sky green?"}], 1)
    return {
        "prefill_tok_s": round(prefill, 1),
        "decode_tok_s_1": round(decode_1, 1),
        "decode_tok_s_4": round(decode_4, 1),
        "cached_tokens": usage["prompt_tokens_details"]["cached_tokens"],
        "of_prompt_tokens": usage["prompt_tokens"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", default="tiny-sglang")
    args = parser.parse_args()
    pool, _ = load_pool(args.pool)
    engine = next(iter(pool.engines))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as logs:
        sup = Supervisor(pool, log_dir=Path(logs))
        t = time.monotonic()
        with sup:
            start_s = time.monotonic() - t
            figures = measure(sup.endpoints[engine])
    result = {
        "what": "CPU figures: SmolLM2-135M-Instruct (float32) on SGLang's CPU engine, one thread; not GPU figures",
        "sglang": SGLANG_VERSION,
        "pool": args.pool,
        "cpu": next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        "cores": os.cpu_count(),
        "load_average_before": round(load_before, 1),
        "install": install_figures(),
        "start_s": round(start_s, 1),
        **figures,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
