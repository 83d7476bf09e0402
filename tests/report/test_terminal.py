"""The rich closing summary."""

from __future__ import annotations

import pytest
from rich.console import Console

from communis.report import print_summary, run_stats

pytestmark = pytest.mark.offchain


def test_summary_tables(run):
    console = Console(record=True, width=120, color_system=None)
    print_summary(run, console)
    text = console.export_text()
    for title in (
        "Who earned what, by role",
        "Top 10 earners",
        "Influence distribution and emission",
        "Proposals",
        "Bonds slashed",
    ):
        assert title in text
    for role in ("creator", "curator", "guardian", "participant"):
        assert role in text
    c = run_stats(run).final_influence
    assert f"{c.gini:.3f}" in text
    assert "Executed" in text and "Defeated" in text
    assert "root padded with 12 fake accounts" in text
    assert "10,000.00" in text


def test_summary_without_proposals_or_slashes(run):
    from dataclasses import replace

    quiet = replace(
        run,
        proposals=(),
        epochs=tuple(replace(e, bonds_slashed=()) for e in run.epochs),
    )
    console = Console(record=True, width=100, color_system=None)
    print_summary(quiet, console)
    text = console.export_text()
    assert "No proposals." in text and "No bond was slashed." in text
