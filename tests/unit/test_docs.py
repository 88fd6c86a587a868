"""The docs say what the code does (in the style of sqlite-utils' tests/test_docs.py).

Every command and option of the CLI is in the generated reference and every command on a
hand-written page; every benchmark results file has its generated page; results carry no
machine paths; the README stays a short front door whose test command is CI's and whose
Python runs as written.
"""

import json
import re
import sys
import tomllib

import pytest
import typer
from markdown.extensions.toc import slugify

from runtime.cli import app
from runtime.storage.card import CITATION
from tests.helpers.paths import ROOT

sys.path.insert(0, str(ROOT / "docs"))

import gen_bench  # noqa: E402
import gen_cli  # noqa: E402
from json_tables import cell  # noqa: E402

DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
HAND_WRITTEN = sorted(DOCS.rglob("*.md"))
RESULTS = sorted((ROOT / "bench" / "results").glob("*.json"))


def every_command(group=None, path=("gra",)):
    """(command path, click command) of every command of the app, sub-commands of groups included."""
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        yield " ".join((*path, name)), command
        if hasattr(command, "commands"):
            yield from every_command(command, (*path, name))


COMMANDS = dict(every_command())
OPTIONS = [(p, o) for p, c in COMMANDS.items() for param in c.params for o in param.opts + param.secondary_opts]


@pytest.fixture(scope="module")
def reference() -> dict[str, str]:
    """The generated CLI reference, one section per command path."""
    return {c.path: gen_cli.section(c) for c in gen_cli.commands()}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_its_section_in_the_cli_reference(reference, command):
    assert command in reference


@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_every_option_is_in_its_commands_section(reference, command, option):
    assert option in reference[command]


def test_the_reference_shows_the_option_groups_under_their_own_panels(reference):
    synth = reference["gra synth"]
    assert "**Committee**" in synth and "**Run directory**" in synth
    assert synth.index("**Committee**") < synth.index("`--tau <float>`") < synth.index("**Run directory**")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "gra pack"])
def test_every_command_is_explained_on_a_hand_written_page_and_listed_in_the_readme(command):
    assert any(command in page.read_text(encoding="utf-8") for page in HAND_WRITTEN)
    assert f"| `{command}` |" in README


@pytest.mark.parametrize("results", RESULTS, ids=lambda p: p.name)
def test_every_results_file_has_its_generated_page_with_its_numbers(results):
    page = gen_bench.pages()[f"benchmarks/{results.stem}.md"]
    data = json.loads(results.read_text(encoding="utf-8"))
    assert f"`bench/results/{results.name}`" in page
    top = data.items() if isinstance(data, dict) else []
    for key, value in top:
        assert cell(key) in page
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert cell(value) in page


def test_the_benchmarks_index_links_every_results_file():
    index = gen_bench.pages()["benchmarks/index.md"]
    assert all(f"]({p.stem}.md)" in index for p in RESULTS)


def test_a_new_results_file_needs_no_docs_code(tmp_path):
    new = tmp_path / "speed_of_light.json"
    members = {"a": {"tok_s": 12.5, "calls": 40}, "b": {"tok_s": 9.25, "calls": 38}}
    new.write_text(json.dumps({"pool": "cpu", "members": members}))
    page = gen_bench.page(new, in_make_bench=set())
    assert page.startswith("# Speed of light")
    assert "| tok\\_s | 12.5 | 9.25 |" in page


def test_a_file_from_an_earlier_script_says_which_figures_are_not_measured_yet(tmp_path):
    old = tmp_path / "judge.json"
    old.write_text(json.dumps({"pool": "cpu", "full_gra": {"auroc": 0.5}}))
    assert "Not measured yet" in gen_bench.page(old, in_make_bench=set())


def strings(value):
    """Every string anywhere in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


@pytest.mark.parametrize("results", RESULTS, ids=lambda p: p.name)
def test_results_carry_no_absolute_paths_of_the_machine_that_ran_them(results):
    data = json.loads(results.read_text(encoding="utf-8"))
    assert not [s for s in strings(data) if s.startswith(("/work", "/root", "/home", "/tmp"))]


def test_the_readmes_test_command_is_make_test_and_ci_runs_it():
    assert "```bash\nmake synth ROUNDS=1\nmake test\n```" in README
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_the_readme_is_a_short_front_door():
    assert len(README.splitlines()) <= 200


#: A commit hash: 40 hex digits anywhere, or 7-12 next to "commit" or "at" (as in "measured at 476bbb6").
COMMIT = re.compile(
    r"\b[0-9a-f]{40}\b|\b(?:commit(?:s|ted)?|at)\W+(?=[0-9a-f]*\d)[0-9a-f]{7,12}\b"
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{7,12}\W+commit",
    re.IGNORECASE,
)
#: A dated timing: an ISO date, or CI next to a duration.
DATED = re.compile(r"\b20\d\d-\d\d-\d\d\b|\bCI\b[^\n]*\b\d+(?:\.\d+)?\s*(?:s|sec|seconds|min|minutes|h|hours)\b")


@pytest.mark.parametrize("page", [ROOT / "README.md", *HAND_WRITTEN], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_commit_hashes_and_no_dated_ci_timings(page):
    text = page.read_text(encoding="utf-8")
    assert not COMMIT.findall(text)
    assert not DATED.findall(text)


def test_the_readmes_python_runs_as_written(capsys):
    code = re.search(r"## Python API\n\n```python\n(.*?)```", README, re.DOTALL).group(1)
    exec(compile(code, "README.md", "exec"), {})
    assert "RoleAssignment(generator=" in capsys.readouterr().out


def test_the_readme_keeps_the_quick_start_run_between_its_markers():
    begin, end = README.index("<!-- quickstart:begin -->"), README.index("<!-- quickstart:end -->")
    assert "data.jsonl" in README[begin:end]


def headings(markdown_text: str) -> set[str]:
    """The anchors of a Markdown page's headings, as GitHub and MkDocs make them."""
    titles = re.findall(r"^#+ (.+?)(?: \{#[\w-]+\})?$", markdown_text, re.MULTILINE)
    return {slugify(t.replace("`", ""), "-") for t in titles}


@pytest.mark.parametrize("link", sorted(set(re.findall(r"\]\(([^)#]+)(?:#([^)]+))?\)", README))), ids=str)
def test_the_readmes_links_lead_somewhere(link):
    target, anchor = link
    if target.startswith("http"):
        return
    assert (ROOT / target).exists()
    if anchor:
        assert anchor in headings((ROOT / target).read_text(encoding="utf-8"))


def test_the_readme_cites_the_paper_as_the_dataset_card_does():
    assert CITATION in README


def test_the_architecture_page_names_every_room_of_the_import_contracts():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    rooms = {r.strip() for c in contracts for layer in c["layers"] for r in layer.split("|")}
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert not [room for room in rooms if room not in page]
