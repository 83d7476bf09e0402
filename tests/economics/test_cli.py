"""``communis simulate``: the table, the charts, the HTML section and the Markdown; bad input is
one clean line."""

from __future__ import annotations

from pathlib import Path

import pytest

from communis.cli.main import main

pytestmark = pytest.mark.offchain

ROOT = Path(__file__).resolve().parents[2]


def test_simulate_writes_charts_section_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "economics"
    md = tmp_path / "section.md"
    code = main(
        ["simulate", "--config", str(ROOT / "config" / "deploy.toml"), "--out", str(out),
         "--epochs", "40", "--markdown", str(md)]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "Fraudulent root" in printed and "PROFITABLE" not in printed
    assert "stress case, governance never votes: profitable: none" in printed
    names = {p.name for p in out.glob("*.png")}
    assert names == {
        "sweep_bond.png", "sweep_window.png", "sweep_cap.png", "sweep_quorum.png",
        "sweep_watchers.png", "concentration.png", "leavers.png",
    }  # fmt: skip
    assert all((out / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in names)
    html = (out / "economics.html").read_text(encoding="utf-8")
    assert html.startswith('<section id="economics">') and html.count("data:image/png") == 7
    text = md.read_text(encoding="utf-8")
    assert "| Fraudulent root (padded tree) |" in text and "after 40 epochs" in text


def test_simulate_with_no_watcher_shows_profitable_frauds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", "--watchers", "0", "--epochs", "4", "--out", str(tmp_path)])
    assert code == 0
    assert "PROFITABLE" in capsys.readouterr().out


def test_simulate_bad_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "deploy.toml"
    bad.write_text("version = 2\n", encoding="utf-8")
    code = main(["simulate", "--config", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and "version" in err
    assert not (tmp_path / "out").exists()


def test_economics_imports_neither_ape_nor_web3() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import communis.economics.report, communis.economics.charts, communis.economics.cli\n"
        "import communis.economics.advisor\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ape', 'web3'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_readme_section_is_the_tools_output() -> None:
    """The README's "Why cheating does not pay" blocks are what `communis simulate --markdown
    README.md` writes at the shipped config: regenerate them when a default changes."""
    from communis.deploy.config import load
    from communis.economics.report import analyse_config, fill_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- economics:table -->" in readme and "<!-- economics:concentration -->" in readme
    analysis = analyse_config(load(ROOT / "config" / "deploy.toml"))
    assert fill_markdown(readme, analysis) == readme
