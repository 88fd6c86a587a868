"""Bad input to the CLI: one line naming the file, exit code 2, nothing written to the run directory."""

import pytest
from typer.testing import CliRunner

from runtime.cli import app

runner = CliRunner()


def synth(*args):
    return runner.invoke(app, ["synth", *args])


@pytest.fixture
def good_seeds(tmp_path):
    path = tmp_path / "seeds.jsonl"
    path.write_text('{"instruction": "Add 2 and 3.", "input": "", "output": "5"}\n')
    return path


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "the seed file is empty"),
        ("{nope}\n", ":1: not valid JSON"),
        ('{"instruction": "a"}\n', ":1: missing field 'output'"),
    ],
)
def test_bad_seed_file(tmp_path, content, message):
    seeds, out = tmp_path / "seeds.jsonl", tmp_path / "run"
    seeds.write_text(content)
    result = synth("--seeds", str(seeds), "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output and str(seeds) in result.output
    assert not out.exists()


def test_missing_seed_file(tmp_path):
    result = synth("--seeds", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "no such seed file" in result.output
    assert not (tmp_path / "run").exists()


def test_pool_too_small_for_the_roles(tmp_path, good_seeds):
    pool = tmp_path / "small.toml"
    pool.write_text(
        'name = "s"\n[engines.e]\nkind = "llama.cpp"\nmodel = "smollm2-135m-instruct"\n'
        + "".join(f'[[members]]\nname = "m{i}"\nengine = "e"\n' for i in range(4))
    )
    result = synth("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "4 members cannot fill" in result.output
    assert not (tmp_path / "run").exists()


def test_unknown_key_in_pool(tmp_path, good_seeds):
    pool = tmp_path / "p.toml"
    pool.write_text(
        'name = "s"\nwhatever = 1\n[engines.e]\nkind = "llama.cpp"\nmodel = "x"\n'
        + "".join(f'[[members]]\nname = "m{i}"\nengine = "e"\n' for i in range(5))
    )
    result = synth("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "whatever" in result.output
    assert not (tmp_path / "run").exists()


def test_unreachable_endpoint(tmp_path, good_seeds):
    pool = tmp_path / "remote.toml"
    pool.write_text(
        'name = "r"\n[engines.far]\nkind = "endpoint"\nbase_url = "http://127.0.0.1:9/v1"\n'
        + "".join(f'[[members]]\nname = "m{i}"\nengine = "far"\n' for i in range(5))
    )
    result = synth("--seeds", str(good_seeds), "--pool", str(pool), "--out", str(tmp_path / "run"))
    assert result.exit_code == 2 and "unreachable" in result.output
    assert not (tmp_path / "run").exists()


def test_inspect_without_a_run(tmp_path):
    result = runner.invoke(app, ["inspect", str(tmp_path), "r1-00000"])
    assert result.exit_code == 2 and "no gra.db" in result.output
