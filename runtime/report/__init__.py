"""``gra report`` as a function: ``RUN_DIR/report.html``, one self-contained page about a run.

Every plot is a PNG inside the page (base64), so it opens offline in any browser. The
analyses that call models run only when asked (``judge``, ``ifd_model``); their results
are kept under ``RUN_DIR/analysis/`` (``judge.json``, ``ifd.json``, and ``coverage.json``
with the coverage number) and shown by every later report of the run.

May import: runtime.analysis and everything below it.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from rich.console import Console

from runtime.analysis.agreement import Judge, judge_run
from runtime.analysis.coverage import coverage
from runtime.analysis.ifd import Row, load_scorer, score_rows
from runtime.files import atomic_path
from runtime.progress.bars import progress_bars
from runtime.report import sections as sec
from runtime.report.judging import calibration_section, verification_section
from runtime.report.rows import data_rows
from runtime.settings import ConfigError
from runtime.storage.card import run_settings
from runtime.storage.funnel import funnel, plain_summary
from runtime.storage.pack import Pack, PackError, read_pack
from runtime.storage.run_dir import RunDirError
from runtime.storage.status import Status
from runtime.storage.store import Store

#: The sections a report may hold, in order (ids of ``<section>`` elements); one with nothing to show is left out.
SECTIONS = (
    "data",
    "funnel",
    "cost",
    "verification",
    "calibration",
    "scores",
    "sigma",
    "adjudication",
    "checks",
    "domains",
    "coverage",
    "agreement",
    "ifd",
    "examples",
)


def open_run(run_dir: Path) -> sec.Run:
    """The run in ``run_dir``; raise :class:`RunDirError` naming the file when there is none."""
    if not (run_dir / "gra.db").is_file():
        raise RunDirError(f"{run_dir / 'gra.db'}: no run database here")
    store = Store(run_dir / "gra.db")
    options = run_settings(store)["options"]
    return sec.Run(run_dir, store, options.get("tau", 8.0), options.get("delta", 1.5))


def read_analysis(run_dir: Path, name: str) -> dict[str, Any] | None:
    path = run_dir / "analysis" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_analysis(run_dir: Path, name: str, result: dict[str, Any]) -> Path:
    path = run_dir / "analysis" / f"{name}.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def ifd_rows(store: Store) -> list[Row]:
    """The annotated seeds and the kept samples, as IFD rows."""

    def prompt(r: dict) -> str:
        return f"{r['instruction']}\n{r['input']}" if r["input"] else r["instruction"]

    seeds = [Row("seed", r["id"], prompt(r), r["output"] or "") for r in store.seeds("status = 'annotated'")]
    kept = store.samples("status = ?", [Status.ACCEPTED], order_by="id")
    return seeds + [Row("kept", r["id"], prompt(r), r["output"] or "") for r in kept]


def judge_of(judge: str | None, model: str | None = None) -> Judge | None:
    """``--judge``: a member of the run's pool, or an http(s) base URL with ``--judge-model`` naming its model."""
    if judge is None:
        return None
    if judge.startswith(("http://", "https://")):
        if not model:
            raise ConfigError(f"--judge {judge}: an endpoint needs --judge-model, the model name it serves")
        return Judge(model, endpoint=judge.rstrip("/"))
    return Judge(judge)


def run_ifd(run: sec.Run, model: str, console: Console) -> dict[str, Any]:
    rows = ifd_rows(run.store)
    with progress_bars(console) as bars:
        task = bars.add_task(f"IFD with {model}", total=len(rows))
        scorer = load_scorer(model)
        scored = score_rows(scorer, rows, lambda: bars.advance(task))
    return {"model": model, "rows": scored}


def run_judge(run: sec.Run, judge: Judge, limit: int | None, console: Console) -> dict[str, Any]:
    with progress_bars(console) as bars:
        task = bars.add_task(f"judge {judge.name}", total=None)

        def advance() -> None:
            bars.advance(task)

        return judge_run(run.dir, judge, limit, run.tau, console, advance)


def coverage_numbers(cov) -> dict[str, Any]:
    return {
        "seeds": len(cov.seeds),
        "kept": len(cov.kept),
        "seed_spacing": cov.seed_spacing,
        "share_beyond_seeds": cov.share_beyond,
        "nearest_seed_distance": [round(float(d), 4) for d in cov.nearest_seed],
    }


def build_sections(run: sec.Run, console: Console) -> list[sec.Section]:
    """Every section, each built in turn under a progress bar."""
    builders = [
        lambda: data_section(run),
        lambda: sec.funnel_section(run),
        lambda: sec.cost_section(run),
        lambda: verification_section(run),
        lambda: calibration_section(run_pack(run)),
        lambda: sec.scores_section(run),
        lambda: sec.sigma_section(run),
        lambda: sec.adjudication_section(run),
        lambda: sec.checks_section(run),
        lambda: sec.domains_section(run),
        lambda: coverage_built(run),
        lambda: sec.agreement_section(read_analysis(run.dir, "judge")),
        lambda: sec.ifd_section(read_analysis(run.dir, "ifd")),
        lambda: sec.examples_section(run),  # last: the longest
    ]
    built = []
    with progress_bars(console) as bars:
        task = bars.add_task("report", total=len(builders))
        for build in builders:
            built.append(build())
            bars.advance(task)
    return [s for s in built if s is not None]


def data_section(run: sec.Run) -> sec.Section:
    """Every sample, kept or rejected, with the stage and reason that settled it (filterable in the page)."""
    rows = data_rows(run.store, run.tau)
    kept = sum(r["status"] == "accepted" for r in rows)
    note = f"{len(rows)} samples, {kept} kept. Filter by domain or status; gra inspect tells any one's whole story."
    return sec.Section("data", "The data: every sample and what settled it", [note], rows=rows)


def run_pack(run: sec.Run) -> Pack | None:
    """The prompt pack the run used, if its folder is still there."""
    path = next((c.get("pack") for c in run.store.run_configs() if c.get("pack")), None)
    try:
        return read_pack(path) if path else None
    except PackError:
        return None


def coverage_built(run: sec.Run) -> sec.Section:
    cov = coverage(run.store, run.dir)
    write_analysis(run.dir, "coverage", coverage_numbers(cov))
    return sec.coverage_section(cov)


def render(run: sec.Run, built: list[sec.Section]) -> str:
    template = files("runtime.report").joinpath("report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    summary = plain_summary(funnel(run.store, None, run.tau))
    return env.from_string(template).render(run_dir=str(run.dir), summary=summary, sections=built)


def report(
    run_dir: Path,
    *,
    judge: Judge | None = None,
    judge_sample: int | None = None,
    ifd_model: str | None = None,
    console: Console | None = None,
) -> Path:
    """Write ``run_dir/report.html`` (after the analyses asked for); return its path."""
    console = console or Console(stderr=True)
    run = open_run(run_dir)
    if judge is not None:
        write_analysis(run_dir, "judge", run_judge(run, judge, judge_sample, console))
    if ifd_model is not None:
        write_analysis(run_dir, "ifd", run_ifd(run, ifd_model, console))
    html = render(run, build_sections(run, console))
    path = run_dir / "report.html"
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
