"""``gra serve`` and ``gra models``: the pool's engines and the embedded model files."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from runtime.cli.common import Pool_, app, err
from runtime.config import LlamaCppEngine, load_pool
from runtime.engines.gguf_reencode import reencoded
from runtime.engines.supervisor import Supervisor
from runtime.engines.weights import GGUF_MODELS, minilm_dir, resolve_gguf


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


@app.command()
def models() -> None:
    """Locate (and assemble, the first time) the embedded model files."""
    for key, w in GGUF_MODELS.items():
        print(f"{key}\t{w.path()}")
    for spec in load_pool("cpu")[0].engines.values():  # what the built-in pool serves in their place
        if isinstance(spec, LlamaCppEngine) and spec.reencode:
            print(f"{spec.model} as {spec.reencode}\t{reencoded(resolve_gguf(spec.model), spec.reencode)}")
    print(f"all-minilm-l6-v2\t{minilm_dir()}")
