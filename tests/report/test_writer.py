"""write_report: valid, stable PNGs and one self-contained HTML page; the CLI; no chain imports."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from communis.report import write_report
from communis.report.__main__ import main
from communis.report.stats import run_stats
from tests.helpers.synthetic import synthetic_run

pytestmark = pytest.mark.offchain

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data.endswith(b"IEND\xaeB`\x82"), f"{path} is truncated"
    return width, height


def test_writes_every_chart_as_a_png(report, run):
    assert set(report.run_charts) == {"rewards_by_role", "lorenz", "influence", "budget"}
    assert set(report.epoch_charts) == {e.epoch for e in run.epochs}
    for charts in report.epoch_charts.values():
        assert set(charts) == {"rewards_by_role", "lorenz", "influence"}
    pngs = report.pngs()
    assert len(pngs) == 4 + 3 * len(run.epochs)
    for p in pngs:
        assert p.parent == report.out_dir
        w, h = png_size(p)
        assert 500 <= w <= 1500 and 300 <= h <= 800, (p.name, w, h)
        assert p.stat().st_size > 10_000  # something was drawn
    assert png_size(report.run_charts["budget"]) == (1200, 420)
    assert png_size(report.run_charts["lorenz"]) == (600, 500)


def test_pngs_are_byte_identical_across_runs_and_carry_no_version(report, run, tmp_path):
    again = write_report(run, tmp_path)
    for a, b in zip(report.pngs(), again.pngs(), strict=True):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name
    assert b"matplotlib" not in report.run_charts["lorenz"].read_bytes()
    assert (tmp_path / "index.html").read_text() == report.html.read_text()


def test_html_is_self_contained(report, run):
    html = report.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://", html, re.IGNORECASE)
    assert not re.search(r"<(script|link|iframe|object|embed)\b", html, re.IGNORECASE)
    assert "url(" not in html  # no CSS fetches either
    sources = re.findall(r'<img [^>]*src="([^"]*)"', html)
    assert len(sources) == len(report.pngs())
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    # Every href is an in-page anchor.
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', html))


def test_html_shows_the_key_numbers(report, run):
    html = report.html.read_text(encoding="utf-8")
    s = run_stats(run)
    c = s.final_influence
    assert f"{s.rewards_gini:.3f}" in html
    assert f"{c.gini:.3f}" in html
    assert "Nakamoto coefficient (quorum)" in html and "Nakamoto coefficient (half)" in html
    assert f'<div class="v">{c.nakamoto_quorum}</div>' in html
    assert f'<div class="v">{c.nakamoto_half}</div>' in html
    for e in run.epochs:
        assert f'id="epoch-{e.epoch}"' in html
    for p in run.proposals:
        assert p.outcome in html
    assert "Raise the curator weight from 2 to 3" in html
    assert "Bonds slashed" in html and "root padded with 12 fake accounts" in html
    assert "1,000,000.00" in html  # the token budget, in whole tokens
    # Text from the run is escaped.
    assert "&lt;not real data&gt; &amp; seeded." in html


def test_cli_writes_the_report(tmp_path, capsys):
    small = synthetic_run(accounts=40, epochs=2, seed=1)
    src = small.save(tmp_path / "in.json")
    assert main([str(src), "--out", str(tmp_path / "out"), "--summary"]) == 0
    assert (tmp_path / "out" / "index.html").is_file()
    assert len(list((tmp_path / "out").glob("*.png"))) == 4 + 3 * 2
    out = capsys.readouterr().out
    assert "10 charts" in out and "Who earned what, by role" in out
    assert main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "x")]) == 2


def test_reports_import_neither_ape_nor_web3():
    code = (
        "import sys, communis.report.metrics, communis.report, communis.report.charts, "
        "communis.report.html, communis.report.__main__\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'ape', 'web3', 'eth_ape'})\n"
        "assert not bad, bad\n"
        "import matplotlib; assert matplotlib.get_backend().lower() != 'tkagg'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_terminal_summary_does_not_import_matplotlib():
    code = (
        "import sys; from communis.report import print_summary\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_empty_run_still_renders(tmp_path):
    from communis.report import EpochReport, RunReport

    empty = RunReport(epochs=(EpochReport(1, 0, 0, 0, 0),))
    paths = write_report(empty, tmp_path)
    assert paths.html.is_file()
    for p in paths.pngs():
        png_size(p)
    assert "No proposals." in paths.html.read_text()


def test_extra_sections_follow_the_run_and_are_linked(run, tmp_path):
    """A section made elsewhere (the demo adds the economics one) goes onto the page as given,
    after the run's own sections and linked from the navigation."""
    from communis.report import ExtraSection

    extra = ExtraSection(
        "economics", "why cheating does not pay", '<section id="economics">E</section>'
    )
    html = write_report(run, tmp_path, extra=[extra]).html.read_text(encoding="utf-8")
    assert '<a href="#economics">why cheating does not pay</a>' in html
    assert html.index('<section id="slashed">') < html.index('<section id="economics">E</section>')
