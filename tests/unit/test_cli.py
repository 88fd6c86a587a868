"""Bad input to the CLI: one line naming the file, exit code 2, nothing written to the run directory."""

import pytest
from typer.testing import CliRunner

from runtime.cli import app
from tests.helpers.seed_files import BAD_SEED_FILES, write

runner = CliRunner()


def synth(*args):
    return runner.invoke(app, ["synth", *args])


def curate(*args):
    args = ["--data" if a == "--seeds" else a for a in args]
    return runner.invoke(app, ["curate", *args])


def refine(*args):
    return runner.invoke(app, ["refine", *args])


@pytest.fixture
def good_seeds(tmp_path):
    path = tmp_path / "seeds.jsonl"
    path.write_text('{"instruction": "Add 2 and 3.", "input": "", "output": "5"}\n')
    return path


@pytest.mark.parametrize("command", [synth, curate, refine], ids=["synth", "curate", "refine"])
@pytest.mark.parametrize("name,content,message", BAD_SEED_FILES, ids=[b[0] for b in BAD_SEED_FILES])
def test_bad_seed_file(tmp_path, name, content, message, command):
    seeds, out = write(tmp_path, name, content), tmp_path / "run"
    result = command("--seeds", str(seeds), "--out", str(out))
    assert result.exit_code == 2
    assert (
        message in result.output
        and str(seeds) in " ".join(result.output.split()).replace(" ", "")
        or (str(seeds) in result.output.replace("\n", ""))
    )
    assert not out.exists()


@pytest.mark.parametrize("command", [synth, curate, refine], ids=["synth", "curate", "refine"])
def test_missing_seed_file(tmp_path, command):
    result = command("--seeds", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "no such seed file" in result.output
    assert not (tmp_path / "run").exists()


LLAMA = '[engines.e]\nkind = "llama.cpp"\nmodel = "smollm2-135m-instruct"\n'
FAR = '[engines.e]\nkind = "endpoint"\nbase_url = "http://127.0.0.1:9/v1"\n'


@pytest.mark.parametrize(
    "header,members,message",
    [
        ('name = "s"\n' + LLAMA, 4, "4 members cannot fill"),  # 1 generator + 3 reviewers + 1 adjudicator
        ('name = "s"\nwhatever = 1\n' + LLAMA, 5, "whatever: Extra inputs are not permitted"),
        ('name = "s"\n' + FAR, 5, "endpoint http://127.0.0.1:9/v1 is unreachable"),
    ],
    ids=["too-few-members", "unknown-key", "unreachable-endpoint"],
)
def test_bad_pool_file(tmp_path, good_seeds, header, members, message):
    pool = tmp_path / "pool.toml"
    pool.write_text(header + "".join(f'[[members]]\nname = "m{i}"\nengine = "e"\n' for i in range(members)))
    result = synth("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and message in result.output and str(pool) in result.output.replace("\n", "")
    assert not (tmp_path / "run").exists()


def test_inspect_without_a_run(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path), "r1-00000"])
    assert result.exit_code == 2 and "no gra.db" in result.output


@pytest.mark.parametrize(
    "members,extra,message",
    [
        (3, [], "3 members cannot seat 3 reviewer(s) and an adjudicator"),
        (5, ["--reviewer-member", "nobody"], "no member named 'nobody'"),
    ],
    ids=["too-few-members", "unknown-reviewer"],
)
def test_a_committee_the_pool_cannot_seat(tmp_path, good_seeds, members, extra, message):
    pool = tmp_path / "pool.toml"
    pool.write_text(
        'name = "s"\n' + LLAMA + "".join(f'[[members]]\nname = "m{i}"\nengine = "e"\n' for i in range(members))
    )
    result = curate("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"), *extra)
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    "command,extra,message",
    [
        (
            synth,
            ["--roles", "everyone"],
            "roles must be one of random, reliability, fixed, single:MEMBER, got 'everyone'",
        ),
        (synth, ["--roles", "single:nobody"], "no member named 'nobody'"),
        (synth, ["--roles", "fixed", "--reviewer-member", "m1"], "--reviewer-member seats one reviewer"),
        (curate, ["--reviewers", "0"], "curation needs at least one reviewer"),
        (refine, ["--reviewers", "4"], "5 members cannot seat a generator, 4 reviewer(s) and an adjudicator"),
        (refine, ["--integrate", "nowhere"], "nowhere: no data.jsonl here"),
    ],
    ids=[
        "unknown-draw",
        "unknown-single-member",
        "fixed-with-reviewer-member",
        "curate-without-reviewers",
        "refine-too-few-members",
        "refine-integrate-without-a-run",
    ],
)
def test_ablation_switches_that_cannot_run(tmp_path, good_seeds, command, extra, message):
    pool = tmp_path / "pool.toml"
    pool.write_text('name = "s"\n' + LLAMA + "".join(f'[[members]]\nname = "m{i}"\nengine = "e"\n' for i in range(5)))
    result = command("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"), *extra)
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not (tmp_path / "run").exists()
