"""``python -m runtime.sandbox``: warm the sandbox, or run one program file in it.

    python -m runtime.sandbox --warm      # fetch Pyodide, make the snapshot, run print(6*7)
    python -m runtime.sandbox prog.py     # run prog.py; print its Execution as JSON

``make install`` runs ``--warm``, so that the sandbox works offline afterwards. The exit code
is 0 only when the program's status is ``ok``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from runtime.sandbox import deno as deno_tools
from runtime.sandbox.sandbox import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("program", nargs="?", type=Path, help="a Python file to run in the sandbox")
    parser.add_argument("--warm", action="store_true", help="fetch Pyodide and make the snapshot now")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds the program may run")
    args = parser.parse_args(argv)
    if not args.warm and args.program is None:
        parser.error("give a program file, or --warm")
    code = "print(6*7)" if args.warm else args.program.read_text()
    with Sandbox(timeout_s=args.timeout, keep_spare=False) as sandbox:
        ex = sandbox.run(code)
    if args.warm:
        where = deno_tools.deno_dir()
        print(
            f"sandbox {'ready' if ex.ok else 'NOT ready'}: {ex.status} in {ex.seconds:.1f} s "
            f"(Pyodide {deno_tools.PYODIDE_VERSION} in {where}){'' if ex.ok else ': ' + ex.detail}"
        )
    else:
        print(json.dumps(dataclasses.asdict(ex), indent=1))
    return 0 if ex.ok else 1


if __name__ == "__main__":
    sys.exit(main())
