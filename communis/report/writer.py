"""``write_report``: every chart of a run as PNG files plus one self-contained ``index.html``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from communis.report.model import RunReport

if TYPE_CHECKING:
    from communis.report.html import ExtraSection


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_report` put things.

    ``run_charts``: ``{kind: png}`` for the whole run (``rewards_by_role``, ``lorenz``,
    ``influence``, ``budget``); ``epoch_charts``: ``{epoch: {kind: png}}`` (``rewards_by_role``,
    ``lorenz``, ``influence``); ``html``: the page embedding them all; ``json``: the run itself.
    """

    out_dir: Path
    html: Path
    json: Path
    run_charts: dict[str, Path] = field(default_factory=dict)
    epoch_charts: dict[int, dict[str, Path]] = field(default_factory=dict)

    def pngs(self) -> list[Path]:
        """Every PNG written, run charts first."""
        return [*self.run_charts.values()] + [
            p for charts in self.epoch_charts.values() for p in charts.values()
        ]


def write_report(
    run: RunReport, out_dir: str | Path, *, extra: Sequence[ExtraSection] = ()
) -> ReportPaths:
    """Write the charts of ``run`` (per epoch and whole run), ``run.json`` and ``index.html``
    into ``out_dir`` (created if missing; files of an earlier report there are overwritten).
    ``extra`` sections (made elsewhere, e.g. the economics section) go onto the page after the
    run's own.

    Returns the paths. The HTML page embeds the PNGs, so it can be moved or sent on its own.
    """
    # Imported here so that `import communis.report` (e.g. for the terminal summary) does not
    # pay for importing matplotlib.
    from communis.report.charts import epoch_charts, run_charts
    from communis.report.html import render_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = run_charts(run, out)
    epochs = {e.epoch: epoch_charts(run, e, out) for e in run.epochs}
    json_path = run.save(out / "run.json")
    html_path = out / "index.html"
    html_path.write_text(render_html(run, runs, epochs, extra), encoding="utf-8")
    return ReportPaths(
        out_dir=out, html=html_path, json=json_path, run_charts=runs, epoch_charts=epochs
    )
