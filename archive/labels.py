"""Template cells as the archive names them: keys, wide-column names and Chinese labels.

The vocabulary itself (row keys, row labels, applicant/review columns) lives in
`extract.template`; this module only adds what the archive needs on top of it: a fixed cell
order for the wide views and exports, readable wide-column names (`<row>__<col>`, split on the
double underscore), and full Chinese labels with their group heading, because "1.属于国家秘密"
means nothing in a spreadsheet header without "（三）不予公开".
"""
from __future__ import annotations

from dataclasses import dataclass

from extract import older, template

TABLES = ("active", "applications", "review_litigation")

TABLE_LABELS: dict[str, str] = dict(template.TABLE_LABELS)

# Table 1 column wording (2021 template, and the 2019 template's own columns) from the template.
_ACTIVE_COLUMN_LABELS = dict(template.ACTIVE_COLUMN_LABELS)
COLUMN_LABELS: dict[str, dict[str, str]] = {
    "active": _ACTIVE_COLUMN_LABELS,
    "applications": {key: label for key, label, _ in template.APPLICANT_COLUMNS},
    "review_litigation": {key: label for key, label, _ in template.REVIEW_COLUMNS},
}

# Group headings of table 3 and 4 rows whose own label is only a numbered sub-item.
_GROUP_PREFIXES = (
    ("applications", "granted", "三、本年度办理结果"),
    ("applications", "partially_granted", "三、本年度办理结果"),
    ("applications", "denied_", "三、本年度办理结果（三）不予公开"),
    ("applications", "unable_", "三、本年度办理结果（四）无法提供"),
    ("applications", "unprocessed_", "三、本年度办理结果（五）不予处理"),
    ("applications", "other_processing", "三、本年度办理结果"),  # 2019: （六）其他处理 is the row itself
    ("applications", "other_", "三、本年度办理结果（六）其他处理"),
    ("applications", "total_processed", "三、本年度办理结果"),
    ("review_litigation", "litigation_", "行政诉讼"),
)


def _row_label(table: str, row: str, label: str) -> str:
    for group_table, prefix, heading in _GROUP_PREFIXES:
        if table == group_table and row.startswith(prefix):
            return heading + label
    return label


@dataclass(frozen=True)
class Cell:
    table: str
    row: str
    col: str
    row_label: str
    col_label: str

    @property
    def column(self) -> str:
        """Name of this cell's column in the wide views and exports."""
        return f"{self.row}__{self.col}"

    @property
    def label(self) -> str:
        return f"{self.row_label}｜{self.col_label}"


_EXTRA_COLUMN_LABELS = {"total": "总数", "amount": "金额（万元）"}


def _cells() -> tuple[Cell, ...]:
    out = []
    for spec in template.ROWS:
        row_label = _row_label(spec.table, spec.key, spec.label)
        for col in spec.columns:
            out.append(Cell(spec.table, spec.key, col, row_label,
                            template.CELL_LABELS.get((spec.key, col)) or COLUMN_LABELS[spec.table].get(col, col)))
    # Headline figures only pre-2019 reports state (no row of either template): columns too, so
    # a time series from 2008 reads them from the same wide views and exports.
    for key, (label, _english) in older.EXTRA_KEYS.items():
        table, row, col = key.split(".")
        out.append(Cell(table, row, col, label, COLUMN_LABELS[table].get(col) or _EXTRA_COLUMN_LABELS[col]))
    return tuple(out)


CELLS: tuple[Cell, ...] = _cells()
assert len({(c.table, c.column) for c in CELLS}) == len(CELLS), "wide column names must be unique"


def cells(table: str | None = None, tmpl: str | None = None) -> tuple[Cell, ...]:
    """The cells of one table (or all), or only those the template `tmpl` prints."""
    printed = None if tmpl is None else {(spec.table, spec.key, col)
                                         for spec, columns in template.printed_rows(tmpl) for col in columns}
    return tuple(c for c in CELLS if (table is None or c.table == table)
                 and (printed is None or (c.table, c.row, c.col) in printed))


def row_label(table: str, row: str) -> str:
    spec = template.ROWS_BY_KEY.get((table, row))
    if spec is None:
        return next((c.row_label for c in CELLS if (c.table, c.row) == (table, row)), row)
    return _row_label(table, row, spec.label)


def col_label(table: str, col: str) -> str:
    return COLUMN_LABELS.get(table, {}).get(col, col)
