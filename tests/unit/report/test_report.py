"""gra report: one self-contained page with every section and every plot inside it."""

import base64
import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from runtime.cli import app
from runtime.report import SECTIONS, judge_of, report, write_analysis
from runtime.storage.run_dir import RunDirError
from runtime.storage.store import Store
from tests.helpers.run_dirs import make_run

QUIET = Console(file=io.StringIO())
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    run = make_run(tmp_path_factory.mktemp("report") / "run")
    write_analysis(
        run,
        "judge",
        {
            "judge": "m1",
            "model": "big",
            "endpoint": None,
            "tau": 8.0,
            "rows": [
                {"id": "r1-a", "committee_kept": True, "committee_mean": 8.67, "judge_scores": None, "judge_mean": 9.0},
                {
                    "id": "r2-low",
                    "committee_kept": False,
                    "committee_mean": 5.0,
                    "judge_scores": None,
                    "judge_mean": 8.5,
                },
            ],
        },
    )
    write_analysis(
        run,
        "ifd",
        {
            "model": "tiny",
            "rows": [
                {"group": "seed", "id": "s0", "ifd": 0.8},
                {"group": "seed", "id": "s1", "ifd": 0.9},
                {"group": "kept", "id": "r1-a", "ifd": 0.7},
            ],
        },
    )
    path = report(run, console=QUIET)
    return run, path.read_text()


def sections(html):
    return dict(re.findall(r'<section id="([a-z]+)">(.*?)</section>', html, re.S))


#: Sections a run without them leaves out: it verified nothing and used no calibrated pack.
ABSENT = ("verification", "calibration")


def test_every_section_with_something_to_show_is_present_in_order_the_data_first(page):
    _, html = page
    assert list(sections(html)) == [s for s in SECTIONS if s not in ABSENT]


def test_the_data_comes_first_every_row_with_what_settled_it(page):
    _, html = page
    data = sections(html)["data"]
    rows = re.findall(r'<tr class="([a-z_]+)" data-domain="[^"]*" data-status="[a-z_]+"><td>([^<]+)</td>', data)
    assert {i for _, i in rows} == {"r1-a", "r1-b", "r2-a", "r2-low", "r2-bad"}
    assert [s for s, _ in rows][:3] == ["accepted"] * 3  # the kept rows lead
    assert "<td>scores</td><td>μ 5.00 &lt; τ 8</td>" in data
    assert 'id="filter-domain"' in data and 'id="filter-status"' in data


def test_every_plot_is_an_embedded_png_and_nothing_is_fetched(page):
    _, html = page
    images = re.findall(r'<img [^>]*src="([^"]*)"', html)
    assert len(images) >= 10
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_each_section_says_what_the_run_did(page):
    run, html = page
    s = sections(html)
    assert "Kept 3 of 5 candidates" in s["funnel"] and "<td>round 2</td>" not in s["funnel"]
    assert "<th>round 1</th><th>round 2</th>" in s["funnel"]
    assert "<td>accepted</td><td>1</td>" in s["adjudication"]
    assert "<td>complete</td><td>8%</td>" in s["checks"]  # one 0 among 13 check sheets
    assert "1 of 4 above δ." in s["sigma"]
    assert f"gra inspect {run} r1-a" in s["examples"] and "m1 says" in s["examples"]
    assert "lie beyond the seeds" in s["coverage"]
    assert "Of the kept samples, 100% also score ≥ τ with the judge." in s["agreement"]
    assert "<td>committee rejected (score)</td><td>1</td><td>0</td>" in s["agreement"]
    assert "<td>seed</td><td>2</td><td>0.850</td>" in s["ifd"]
    assert json.loads((run / "analysis" / "coverage.json").read_text())["kept"] == 3


def test_an_analysis_not_run_says_how_to_run_it(tmp_path):
    html = report(make_run(tmp_path / "run"), console=QUIET).read_text()
    assert "--judge MEMBER|URL" in sections(html)["agreement"] and "--ifd" in sections(html)["ifd"]


def test_a_run_without_seeds_still_gets_every_section(tmp_path):
    run = make_run(tmp_path / "run")
    store = Store(run / "gra.db")
    store.db.execute("delete from seeds")
    store.db.execute("delete from index_items where kind = 'seed'")
    store.db.conn.commit()
    html = report(run, console=QUIET).read_text()
    assert list(sections(html)) == [s for s in SECTIONS if s not in ABSENT]
    assert "fewer than two seeds" in sections(html)["coverage"]


def test_a_judge_is_a_member_or_an_endpoint_with_its_model():
    assert judge_of("qwen15-a").endpoint is None
    assert judge_of("http://h:8000/v1/", "Qwen2.5-72B").endpoint == "http://h:8000/v1"
    with pytest.raises(ValueError, match="needs --judge-model"):
        judge_of("http://h:8000/v1")


def test_no_run_database_is_a_one_line_error(tmp_path):
    with pytest.raises(RunDirError, match="no run database"):
        report(tmp_path, console=QUIET)
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "gra.db: no run database here" in result.output
    assert not (tmp_path / "report.html").exists()
