"""Reports built directly (no extraction) for the archive and export tests."""
from __future__ import annotations

from archive import labels
from extract.report import Check, Report


def make_report(agency="漯河市商务局", year=2022, *, text=None, **cells) -> Report:
    """A 2021-template report with every cell 0 except `cells` (`row__col=value`)."""
    figures: dict = {}
    for c in labels.cells(tmpl="2021"):
        figures.setdefault(c.table, {}).setdefault(c.row, {})[c.col] = 0
    for name, value in cells.items():
        row, col = name.split("__")
        table = next(c.table for c in labels.CELLS if c.row == row and c.col == col)
        figures[table][row][col] = value
    return Report(
        title=f"{agency}{year}年政府信息公开工作年度报告", agency=agency, year=year,
        published=f"{year + 1}-01-31", source_url=None, format="html", template="2021",
        figures=figures,
        checks=[Check("applications.balance.total", True, "4+0 = 4+0")],
        text=text if text is not None else f"{agency}{year}年政府信息公开工作年度报告\n一、总体情况\n本机关全面推进行政许可信息公开。",
    )
