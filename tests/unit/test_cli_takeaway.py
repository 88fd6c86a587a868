"""gra export and gra report on the command line, and synth's --report/--no-report."""

import json

import pytest
from typer.testing import CliRunner

from runtime.cli import app
from runtime.cli import synth as synth_command
from tests.helpers.run_dirs import make_run

runner = CliRunner()


def test_export_prints_each_file_it_wrote(tmp_path):
    run = make_run(tmp_path / "run")
    result = runner.invoke(
        app, ["export", str(run), "--out", str(tmp_path / "oa"), "--format", "openai", "--cumulative"]
    )
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if line.endswith(".jsonl")] == [
        str(tmp_path / "oa" / "gra_rnd1.jsonl"),
        str(tmp_path / "oa" / "gra_rnd2.jsonl"),
    ]
    assert len((tmp_path / "oa" / "gra_rnd2.jsonl").read_text().splitlines()) == 3


def test_an_unknown_format_is_refused_by_name(tmp_path):
    result = runner.invoke(app, ["export", str(tmp_path), "--out", str(tmp_path / "o"), "--format", "csv"])
    assert result.exit_code == 2 and "csv" in result.output


def test_report_prints_the_page_it_wrote(tmp_path):
    run = make_run(tmp_path / "run")
    result = runner.invoke(app, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(str(run / "report.html")) and (run / "report.html").is_file()
    assert json.loads((run / "analysis" / "coverage.json").read_text())["seeds"] == 6


@pytest.mark.parametrize(
    "judge,message",
    [
        (["--judge", "http://127.0.0.1:9/v1"], "an endpoint needs --judge-model"),
        (["--judge", "nobody"], "--judge nobody: not a member of the run's pool (m0, m1, m2, m3, m4"),
    ],
    ids=["url-without-model", "unknown-member"],
)
def test_a_judge_that_cannot_be_asked_is_a_one_line_error(tmp_path, judge, message):
    run = make_run(tmp_path / "run")
    result = runner.invoke(app, ["report", str(run), *judge])
    assert result.exit_code == 2 and message in " ".join(result.output.split())
    assert not (run / "report.html").exists() and not (run / "analysis").exists()


@pytest.mark.parametrize("flag,html", [([], True), (["--no-report"], False)], ids=["default", "no-report"])
def test_synth_asks_for_the_report_unless_told_not_to(tmp_path, monkeypatch, flag, html):
    asked = {}
    monkeypatch.setattr(synth_command, "synthesize", lambda *args, **kwargs: asked.update(kwargs))
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"instruction": "Add 2 and 3.", "input": "", "output": "5"}\n')
    result = runner.invoke(app, ["synth", "--seeds", str(seeds), "--out", str(tmp_path / "run"), *flag])
    assert result.exit_code == 0, result.output
    assert asked["html"] is html
