"""The benchmark pages, rendered from ``bench/results/*.json``: no figure on them is typed by hand.

Each results file gets a page of its own (``benchmarks/STEM.md``): a short fixed description
of what it measures and how to re-run it (:data:`BENCHMARKS`), then every number in the file
as tables (:mod:`json_tables`). A file with no description, a new benchmark say, still gets its
page: the first line of the script that wrote it (``bench/STEM.py``) if there is one, and
its numbers as tables. So adding a benchmark needs no docs code, and a page cannot drift
from its JSON: it is rebuilt from it on every docs build.

    python docs/gen_bench.py --out /tmp/bench-pages     # the pages, to read or diff

As an MkDocs hook (``hooks:`` in ``mkdocs.yml``) it adds the pages, and an index of them, to
every build, under the nav's "Benchmarks" section.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from json_tables import render  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
FOLDER = "benchmarks"
NAV_SECTION = "Benchmarks"


@dataclass(frozen=True)
class Benchmark:
    """What a results file measures, the script that writes it, how to re-run it, and the keys it should hold."""

    pattern: str  # file name pattern (fnmatch) under bench/results/
    title: str
    what: str
    script: str  # bench/NAME.py
    rerun: str  # the command that rewrites the file, beyond `make bench`
    expects: tuple[str, ...] = ()  # top-level keys today's script writes: a file without them predates it


BENCHMARKS = (
    Benchmark(
        "quality.json",
        "Quality: does the default pool make real data?",
        "One round of `gra synth` with a budget of 100 candidates on Self-Instruct's 175 seed tasks"
        " (`../shared/seeds/`) on the default `cpu` pool; then, with the same pool, every generated"
        " instruction's domain checked against the one asked for, the annotator's accuracy on the 35 shipped"
        " examples (labelled by hand in `bench/data/example_domains.jsonl`), and the full committee on 40"
        " labelled responses of `../shared/judge/`. Targets: `distinct_ratio` ≥ 0.9, `copy_rate` ≤ 0.05,"
        " `kept_per_100` ≥ 10, and a committee that accepts right responses more often than wrong ones."
        " `examples_kept` holds the kept rows themselves: read them, a keep rate says nothing of whether"
        " they are right.",
        "bench/quality.py",
        "python bench/quality.py            # --reuse-run re-measures a finished run without generating again",
    ),
    Benchmark(
        "pool_choice.json",
        "Pool choice: which embedded models can judge?",
        "Each embedded model alone as a single reviewer (`ScoreResponse`, with the demos `gra synth` draws)"
        " on the same labelled rows of `../shared/judge/`, two models at a time, one per core: the AUROC of"
        " its average against the label, how often an average ≥ τ = 8 would pass a right and a wrong"
        " response, and seconds per call. This is how the default pool's two Qwen models were chosen.",
        "bench/pool_choice.py",
        "python bench/pool_choice.py --models qwen15,qwen05,smollm2,gemma3",
    ),
    Benchmark(
        "structured.json",
        "Structured output: do constrained calls parse?",
        "1,000 constrained calls cycling through every signature, each a first attempt (no retries), so the"
        " `parse_status` counts measure the constraint itself. Target: `invalid + truncated = 0` at the"
        " default `max_tokens`. The members named in the file show the pool it ran on.",
        "bench/structured.py",
        "python bench/structured.py --calls 1000",
    ),
    Benchmark(
        "throughput_in_flight_*.json",
        "Throughput with more samples in flight",
        "The pipeline part of the throughput benchmark (below) run with more samples in flight than the"
        " default, kept under its own name to compare with `throughput.json`.",
        "bench/throughput.py",
        "python bench/throughput.py --only pipeline --concurrency 16   # writes throughput.json: rename it",
    ),
    Benchmark(
        "throughput*.json",
        "Throughput: is the pipeline as fast as its engines?",
        "The pipeline on the embedded pool against the engines alone: its output tokens per second against"
        " the run's own requests replayed straight at the engines (`efficiency`, target 0.9) and one at a"
        " time (`speedup_vs_sequential`, target 1.6; `speedup_bound` is what no overlap can beat); hnswlib's"
        " keep/drop decisions against exact cosine (`dedup`); the coordinator's peak memory holding 50,000"
        " samples; and a slot sweep (does parallel decoding pay on one core per engine?). `remeasured` says"
        " which parts were re-run alone, and when.",
        "bench/throughput.py",
        "python bench/throughput.py [--only pipeline,dedup,rss,sweep]",
    ),
    Benchmark(
        "injection.json",
        "Injection: does text aimed at the judges buy a sample anything?",
        "Ten samples of `bench/data/injection_set.jsonl` (most with a flawed response) before the committee,"
        " once clean and once per attack (a plea to the reviewer, forged fence and field lines, a pasted score"
        " sheet, a plea inside the instruction), under two defenses: `fences` (untrusted text fenced;"
        " `--no-screen`) and `screen` (the default: fences and the steering screen).",
        "bench/injection.py",
        "python bench/injection.py",
    ),
    Benchmark(
        "screen.json",
        "The steering screen alone",
        "The screen with no model call: the attacks it catches (the four of the injection benchmark, and"
        " paraphrases held out from tuning it), and the honest rows it turns away (every shared seed, the"
        " shipped examples, and `bench/data/screen_legit.jsonl`, honest rows that look like attacks), per domain.",
        "bench/screen.py",
        "python bench/screen.py",
    ),
    Benchmark(
        "optimize.json",
        "Compiling the team (`gra optimize`)",
        "Three disjoint splits of `../shared/judge/`: each model's reviewer compiled on `train` with each"
        " optimizer and scored on `val` before and after (`programs`); the best program per model kept"
        " only where it beats the default demos (`pack_best`); and the whole committee on the `test` rows"
        " with the default demos, the compiled pack, and the pack with `--roles reliability` (`judge`).",
        "bench/optimize.py",
        "python bench/optimize.py [--figures-only]",
    ),
    Benchmark(
        "cost*.json",
        "Cost: fewer calls for the same decisions",
        "The same candidates run three ways: the paper's order with every review (`paper`), check-first with"
        " every review (`check_first`), and the default (check-first and early exit). `replayed` answers the"
        " last two from the paper run's database, so all three see the very same texts:"
        " `decisions_identical` compares every sample's final status, and the calls per kept sample are the"
        " exact saving. `floor` is what an order that knew every review in advance would call.",
        "bench/cost.py",
        "python bench/cost.py --candidates 20    # or --paper-from RUN --candidates N --seed S --result NAME.json",
    ),
    Benchmark(
        "review_order*.json",
        "Who is asked first (early exit's order)",
        "On the reviews of a full-review run, the calls early exit makes under each order of the reviewers"
        " (as drawn, strictest first, the default, the default with every rate known) against the floor, for"
        " the instruction checks (`check_calls`) and the score sheets (`sheet_calls`); each member's"
        " rejection rate and mean sheet, and whether reviewers on the generator's own model are more lenient"
        " (`self_preference`).",
        "bench/review_order.py",
        "python bench/review_order.py --from RUN_DIR --result NAME.json   # RUN_DIR made with --full-reviews",
    ),
    Benchmark(
        "judge.json",
        "Judging against truth: members, the verifier and the committee",
        "Held-out labelled rows of four sets (GSM8K with planted errors, Self-Instruct with swapped or cut"
        " responses, small-model HumanEval solutions labelled by their tests, sound and broken instructions)."
        " `gra calibrate` fits each member on a training share; then each single member under each reading"
        " (sampled, expected, calibrated), the verifier alone, and the committee under `--verify gate`,"
        " `evidence` and `off` and `--scores sampled` and `expected`: AUROC, accept rates on right and wrong"
        " rows, balanced accuracy and calls per row. A variant missing under `committee` below was not run for"
        " this file (`--variants`), and `held_out` says how many rows each figure stands on.",
        "bench/judge.py",
        "python bench/judge.py [--train-rows N] [--per-set N] [--variants a,b] [--figures-only]",
        expects=("members", "committee"),
    ),
    Benchmark(
        "judge_checks*.json",
        "The instruction checks alone, calibrated on every labelled instruction",
        "`bench/judge.py` on `../shared/judge/instructions_labelled.jsonl` only: `gra calibrate` fits each model's"
        " check cut on the training half (at most 5% of its sound instructions flagged), then one member of"
        " each model checks every held-out instruction. Per model and reading (sampled 0/1, uncalibrated"
        " P(fail) > 0.5, the calibrated cut): the share of sound instructions turned away, of broken ones"
        " caught, and the AUROC of P(fail). `probed_both_models` flags a row when either model flags it, the"
        " gate of a committee that seats both models (the CPU pool's draw does 9 times in 10).",
        "bench/judge.py",
        "python bench/judge.py --sets instructions --steps calibrate,probe --result judge_checks",
        expects=("probed_members", "probed_both_models"),
    ),
    Benchmark(
        "judge_default*.json",
        "Judging against truth, as gra runs by default",
        "`bench/judge.py` with the CPU pool's own pack (`--prompts cpu-checks`: the check cuts fitted on the"
        " instructions' training half, no score maps) and default switches (`--verify gate --scores calibrated`),"
        " nothing fitted in the run: the committee on the held-out rows of the sets named under `held_out`, as a"
        " user's `gra curate` judges them. `verification` is the verifier's verdict alone on the rows it reached"
        " (agrees 1, undecided ½, contradicts 0); `members` each member's own sheets of the rows it was drawn to"
        " review (the runs exit early, so a member's figures stand on fewer rows); `committee.default` the final"
        " decision, a row turned away by its checks ranking below one the verifier rejected.",
        "bench/judge.py",
        "python bench/judge.py --sets gsm8k,code --per-set 36 --prompts cpu-checks --steps committee"
        " --variants default --result judge_default",
        expects=("verification", "committee"),
    ),
    Benchmark(
        "check_forms.json",
        "How to ask the instruction checks",
        "One member of each model of the `cpu` pool, no demos, nothing fitted, on a seeded sample of the training"
        " half of `instructions_labelled.jsonl` (the held-out half stays held out): the AUROC of P(fail) for"
        " flagging broken instructions when the three checks are asked in one JSON answer (`three_in_one`, the"
        " paper's form); each as its own question answered as the one field of a JSON object (`json_reasonable`,"
        " `json_complete`, `json_clear`, and `json_each_question`, the weakest of the three); each as its own"
        " question asked plainly and answered by a bare digit (`reasonable`, `complete`, `clear`, and"
        " `each_question`: gra's form); or as one bare question for all three (`one_question`; `json_one_question`"
        " its JSON form); and the seconds each form takes per row. Each form's `rows` is how many rows it was read"
        " on (runs were stopped early, so the 1.5B read fewer).",
        "bench/check_forms.py",
        "python bench/check_forms.py --rows 60",
    ),
    Benchmark(
        "report.json",
        "The paper's analyses of one run (`gra report`)",
        "Coverage (the share of kept samples beyond the seeds' own spacing), agreement with another judge, and"
        " IFD, on the quality benchmark's run (`bench/results/quality-run`).",
        "bench/report.py",
        "python bench/report.py bench/results/quality-run --judge qwen15-a --judge-sample 10 --ifd",
    ),
)


def make_bench_scripts(makefile: Path = ROOT / "Makefile") -> set[str]:
    """The scripts the Makefile's ``bench`` target runs, e.g. ``{"bench/quality.py", ...}``."""
    text = makefile.read_text(encoding="utf-8")
    recipe = re.search(r"^bench:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    return set(re.findall(r"(bench/\w+\.py)", recipe.group(1))) if recipe else set()


def writer_of(stem: str) -> Path | None:
    """The script that wrote ``STEM.json``: ``bench/STEM.py``, else with ``_suffix`` parts dropped."""
    parts = stem.split("_")
    for n in range(len(parts), 0, -1):
        script = ROOT / "bench" / ("_".join(parts[:n]) + ".py")
        if script.is_file():
            return script
    return None


def describe(path: Path) -> Benchmark:
    """The fixed description of a results file, or a generic one built from the script that wrote it."""
    for bench in BENCHMARKS:
        if fnmatch.fnmatch(path.name, bench.pattern):
            return bench
    title, unknown = path.stem.replace("_", " ").capitalize(), "No description is written for this file yet."
    script = writer_of(path.stem)
    if script is None:
        return Benchmark(path.name, title, unknown, "", "")
    doc = (ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or "").strip()
    name = str(script.relative_to(ROOT))
    return Benchmark(path.name, title, doc.splitlines()[0] if doc else unknown, name, f"python {name}")


def how_to_rerun(bench: Benchmark, in_make_bench: set[str]) -> list[str]:
    """The page's "re-run" lines: `make bench` if it runs the script, and the script's own command."""
    lines = []
    if bench.script in in_make_bench:
        lines.append(f"`make bench` re-runs `{bench.script}` with the other benchmarks; alone:")
    elif bench.script:
        lines.append(f"`make bench` does not run `{bench.script}`; run it yourself:")
    if bench.rerun:
        lines += ["", "```bash", bench.rerun, "```"]
    return lines


def page(path: Path, in_make_bench: set[str] | None = None) -> str:
    """One results file's page: title, what it measures, how to re-run it, and its numbers as tables."""
    in_make_bench = make_bench_scripts() if in_make_bench is None else in_make_bench
    bench, data = describe(path), json.loads(path.read_text(encoding="utf-8"))
    lines = [f"# {bench.title}", "", f"`bench/results/{path.name}`, rendered from the file by `docs/gen_bench.py`.", ""]
    lines += [bench.what, "", *how_to_rerun(bench, in_make_bench), ""]
    missing = [k for k in bench.expects if not (isinstance(data, dict) and k in data)]
    if missing:
        lines += [
            f'!!! warning "Not measured yet"\n    This file was written by an earlier version of `{bench.script}`:'
            f" it lacks {' and '.join(f'`{k}`' for k in missing)}, so those figures are not measured yet."
            " Re-running the script writes them.",
            "",
        ]
    lines += ["## The numbers", "", render(data)]
    return "\n".join(lines)


def index(results: list[Path]) -> str:
    """The benchmarks' index: one row per results file, linking to its page."""
    in_make_bench = make_bench_scripts()
    lines = [
        "# Benchmarks",
        "",
        "Every page here is rendered from one file of `bench/results/` by `docs/gen_bench.py` on each docs"
        " build, so a figure on these pages is the figure in the JSON. `make bench` re-runs the benchmarks"
        " it lists; the others say how to re-run them. A dash (—) in a table is `null` in the file: not"
        " measured in that run. Most files were measured on two shared CPU cores; compare timings only"
        " within one file.",
        "",
        "| results file | what | script | in `make bench` |",
        "|---|---|---|---|",
    ]
    for path in results:
        bench = describe(path)
        listed = "yes" if bench.script in in_make_bench else "no"
        lines.append(f"| [`{path.name}`]({path.stem}.md) | {bench.title} | `{bench.script}` | {listed} |")
    return "\n".join(lines) + "\n"


def pages(results_dir: Path = RESULTS) -> dict[str, str]:
    """Every generated page, by its path under ``docs/``: the index and one page per results file."""
    results = sorted(results_dir.glob("*.json"))
    in_make_bench = make_bench_scripts()
    out = {f"{FOLDER}/index.md": index(results)}
    out |= {f"{FOLDER}/{p.stem}.md": page(p, in_make_bench) for p in results}
    return out


def on_config(config):
    """MkDocs hook: list the generated pages under the nav's Benchmarks section."""
    entries = [f"{FOLDER}/index.md"] + [{p.name: f"{FOLDER}/{p.stem}.md"} for p in sorted(RESULTS.glob("*.json"))]
    for item in config.nav or []:
        if isinstance(item, dict) and NAV_SECTION in item:
            item[NAV_SECTION] = entries
    return config


def on_files(files, config):
    """MkDocs hook: add the generated pages to the build."""
    from mkdocs.structure.files import File

    for uri, content in pages().items():
        files.append(File.generated(config, uri, content=content))
    return files


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Write the benchmark pages from bench/results/*.json.")
    ap.add_argument("--out", type=Path, required=True, help="folder to write the pages into")
    out = ap.parse_args().out
    for uri, content in pages().items():
        target = out / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        print(target)
