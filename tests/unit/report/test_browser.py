"""report.html in a real browser (Debian's headless Chromium): it loads with no console error, every image decodes,
the data table holds the run's rows, and its filters work."""

import io
import os
import shutil

import pytest
from rich.console import Console
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from runtime.report import report
from runtime.storage.store import Store
from tests.helpers.run_dirs import make_run

pytestmark = pytest.mark.slow  # a real Chromium: left out of `make check`

#: Chromium as this machine's closed network wants it: no sandbox (root), no background fetches.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
)


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("chromium and chromedriver are missing: make test installs Debian's chromium and chromium-driver")
    options = Options()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers on the web
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    yield chrome
    chrome.quit()


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    run = make_run(tmp_path_factory.mktemp("browser") / "run")
    browser.get(report(run, console=Console(file=io.StringIO())).as_uri())
    return run


def shown(browser) -> list[str]:
    script = "return [...document.querySelectorAll('#rows tr[data-status]')].filter(r => r.style.display !== 'none')"
    return [row.find_element(By.TAG_NAME, "td").text for row in browser.execute_script(script)]


def test_it_loads_with_no_console_error(browser, page):
    assert [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR", "WARNING")] == []


def test_every_image_decodes(browser, page):
    images = browser.execute_script("return [...document.images].map(i => [i.complete, i.naturalWidth])")
    assert len(images) >= 8 and all(done and width > 0 for done, width in images)


def test_the_data_table_holds_every_row_of_the_run_and_filters_by_status_and_domain(browser, page):
    ids = sorted(s["id"] for s in Store(page / "gra.db").samples())
    assert sorted(shown(browser)) == ids
    Select(browser.find_element(By.ID, "filter-status")).select_by_visible_text("accepted")
    assert sorted(shown(browser)) == ["r1-a", "r1-b", "r2-a"]
    assert browser.find_element(By.ID, "filter-count").text == "3 shown"
    Select(browser.find_element(By.ID, "filter-status")).select_by_visible_text("all")
    Select(browser.find_element(By.ID, "filter-domain")).select_by_index(1)
    assert 0 < len(shown(browser)) <= len(ids)
