"""Reports of a community run: PNG charts, one self-contained HTML page, a terminal summary.

Pure Python over plain data (imports neither ape nor web3): build a
:class:`~communis.report.model.RunReport` from what the chain and the ledgers say, then::

    from communis.report import RunReport, write_report, print_summary

    paths = write_report(run, "reports/demo")   # PNGs + index.html + run.json
    print_summary(run)                          # rich tables on the terminal

or from the shell: ``python -m communis.report RUN.json --out DIR``.
"""

from __future__ import annotations

from communis.report.html import ExtraSection
from communis.report.model import (
    ROLES,
    SCHEMA,
    AttesterRemoval,
    BondSlash,
    EpochReport,
    Proposal,
    Reward,
    RunReport,
    SettledDispute,
)
from communis.report.stats import Concentration, EpochStats, RunStats, concentration, run_stats
from communis.report.terminal import print_summary, summary_renderables
from communis.report.writer import ReportPaths, write_report

__all__ = [
    "ROLES",
    "SCHEMA",
    "AttesterRemoval",
    "BondSlash",
    "Concentration",
    "EpochReport",
    "EpochStats",
    "ExtraSection",
    "Proposal",
    "ReportPaths",
    "Reward",
    "RunReport",
    "RunStats",
    "SettledDispute",
    "concentration",
    "print_summary",
    "run_stats",
    "summary_renderables",
    "write_report",
]
