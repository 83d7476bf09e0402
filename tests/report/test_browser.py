"""The HTML report in a real headless browser (Debian's chromium, as `.ci/run` installs it).

The page is opened through Playwright with no network; the test fails on
any console error, uncaught exception, failed load or request that is not ``file:``/``data:``,
and checks that every chart is decoded and shown. A full-page screenshot is written under the
pytest tmp dir and copied to ``reports/screenshots/report.png`` in the work tree.

Without chromium on the machine the test is skipped with the reason printed at the end of the
run; with ``COMMUNIS_REQUIRE_BROWSER=1`` (for CI) a missing chromium is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from tests.helpers.browser import IMAGES_PROBE, SUMMARY, Chromium, find_chromium

pytestmark = pytest.mark.offchain

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_COPY = REPO / "reports" / "screenshots" / "report.png"


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        reason = (
            "chromium is not installed (apt-get install -y chromium): the HTML report was NOT "
            "checked in a browser"
        )
        if os.environ.get("COMMUNIS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and COMMUNIS_REQUIRE_BROWSER=1")
        SUMMARY.append(f"SKIPPED browser test: {reason}")
        pytest.skip(reason)
    return path


def test_report_loads_in_chromium_without_errors_and_shows_the_charts(
    chromium_path, report, tmp_path_factory
):
    shot = tmp_path_factory.getbasetemp() / "report-browser" / "report.png"
    with Chromium(chromium_path) as browser:
        result = browser.load(report.html.as_uri(), expression=IMAGES_PROBE, screenshot=shot)

    assert result.errors == [], "\n".join(result.errors)
    assert result.external_requests == []
    page = result.value
    assert page["title"] == "Communis sample community"
    assert page["scripts"] == 0
    assert page["sections"][:6] == ["story", "risks", "glossary", "top-earners", "run", "epoch-1"]
    images = page["images"]
    assert len(images) == len(report.pngs())
    for img in images:
        assert img["isData"], img
        assert img["complete"] and img["naturalWidth"] > 0 and img["naturalHeight"] > 0, img
        assert img["shownWidth"] > 100, img
    assert {i["chart"] for i in images} == {"rewards_by_role", "lorenz", "influence", "budget"}

    # The screenshot: a real, full-page PNG of the rendered report.
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1280 and height > 3000, (width, height)
    from PIL import Image

    with Image.open(shot) as im:
        colours = im.convert("RGB").resize((200, 400)).getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 50  # not a blank page

    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    SUMMARY.append(f"report screenshot: {shot}")
    SUMMARY.append(f"report screenshot (copy in the work tree): {SCREENSHOT_COPY}")


# What a reader sees first: the period in words, the risks, the glossary, the top earners.
WORDS_PROBE = """
(() => {
  const shown = el => !!el && el.getBoundingClientRect().height > 0;
  const text = sel => Array.from(document.querySelectorAll(sel)).map(e => e.textContent.trim());
  const first = document.querySelector('section');
  return {
    first: first && first.id,
    shown: ['story', 'risks', 'glossary', 'top-earners'].every(
      id => shown(document.getElementById(id))),
    story: text('#story p'),
    risks: text('#risks li'),
    terms: text('#glossary dt'),
    earners: document.querySelectorAll('#top-earners tbody tr').length,
    headers: text('#top-earners th'),
  };
})()
"""


def test_the_report_opens_with_the_story_risks_glossary_and_top_earners(chromium_path, report):
    with Chromium(chromium_path) as browser:
        result = browser.load(report.html.as_uri(), expression=WORDS_PROBE)
    assert result.errors == [], "\n".join(result.errors)
    page = result.value
    assert page["first"] == "story" and page["shown"]
    story = " ".join(page["story"])
    assert story.startswith("This report covers epochs 1 to 3 of Communis sample community")
    assert "Fraud caught: the proposer" in story and "was slashed" in story
    assert "passed and was executed" in story
    assert page["risks"], "the synthetic run has risks to flag"
    assert {"Gini coefficient", "Nakamoto coefficient", "Stored versus current influence"} <= set(
        page["terms"]
    )
    assert page["earners"] == 10
    assert page["headers"][:3] == ["#", "Account", "Roles"]


def test_the_browser_check_does_catch_errors(chromium_path, tmp_path):
    """The harness itself: a broken page must produce errors, a broken image and a request."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>broken</title></head><body>"
        '<img src="missing.png"><img src="http://127.0.0.1:9/x.png">'
        "<script>console.error('boom'); notDefined();</script></body></html>"
    )
    with Chromium(chromium_path) as browser:
        result = browser.load(page.as_uri(), expression=IMAGES_PROBE)
    text = "\n".join(result.errors)
    assert "console.error: boom" in text
    assert "notDefined" in text
    assert "ERR_FILE_NOT_FOUND" in text
    assert result.external_requests == ["http://127.0.0.1:9/x.png"]
    assert [i["naturalWidth"] for i in result.value["images"]] == [0, 0]
