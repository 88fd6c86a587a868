"""gra as a user installs it: a wheel that builds with no warning of ours, carrying its pools, packs and templates."""

import subprocess
import sys
import zipfile

import pytest

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.slow  # builds the wheel: left out of `make check`


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    return next(out.glob("gra_agents-*.whl")), built.stdout + built.stderr


def test_the_build_prints_no_warning_of_ours(wheel):
    _, log = wheel
    assert "Package would be ignored" not in log and "SetuptoolsDeprecationWarning" not in log


def test_the_wheel_carries_every_pool_pack_template_and_the_sandbox_runner(wheel):
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "runtime" / "pools").rglob("*") if p.is_file()}
    assert shipped and shipped <= names
    assert {"runtime/report/report.html.j2", "runtime/sandbox/runner.js"} <= names


def test_the_papers_pool_is_found_by_name_outside_a_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel[0])], check=True
    )
    found = subprocess.run(
        [sys.executable, "-c", "from runtime.config import load_pool; print(load_pool('paper')[1])"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert found.returncode == 0, found.stderr[-2000:]
    assert found.stdout.strip() == str(target / "runtime" / "pools" / "paper.toml")
