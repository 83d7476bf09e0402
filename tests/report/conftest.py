"""Fixtures of the report tests: one synthetic run (250 long-tailed accounts, three epochs) and
the report written from it once per session."""

from __future__ import annotations

import pytest

from communis.report import ReportPaths, RunReport, write_report
from tests.helpers.browser import SUMMARY
from tests.helpers.synthetic import synthetic_run


@pytest.fixture(scope="session")
def run() -> RunReport:
    return synthetic_run(accounts=250, epochs=3, seed=5)


@pytest.fixture(scope="session")
def report(run: RunReport, tmp_path_factory: pytest.TempPathFactory) -> ReportPaths:
    return write_report(run, tmp_path_factory.mktemp("report"))


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.section("communis report")
        for line in SUMMARY:
            terminalreporter.write_line(line)
