"""The three statistical tables of a report laid out as the 2021 template prints them.

Pure functions from a version's figures to a grid of header and data cells (with row and column
spans), so the Datasette page template only loops, and the layout is testable without HTML.
Labels come from `archive.labels` / `extract.template`; the group headings of table 3 and 4
("三、本年度办理结果", "（三）不予公开", "行政诉讼") are read off the archive's full row labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive import labels
from extract import template

# How the template arranges each table: table 2 (active) is a stack of small blocks with their
# own column headings, table 3 (applications) has nested row headings, table 4
# (review_litigation) puts its three groups side by side as column groups.
LAYOUTS = {"active": "blocks", "applications": "rows", "review_litigation": "columns"}

_SUBGROUP = re.compile(r"(?=（[一二三四五六七八九十]+）)")


def row_headings(table: str, row: str) -> tuple[str, ...]:
    """Group headings above a row, outermost first: ("三、本年度办理结果", "（三）不予公开")."""
    spec = template.ROWS_BY_KEY.get((table, row))
    if spec is None:
        return ()
    full = labels.row_label(table, row)
    prefix = full[: -len(spec.label)] if full.endswith(spec.label) else ""
    return tuple(part for part in _SUBGROUP.split(prefix) if part)


def outcome_groups() -> list[tuple[str, str, tuple[str, ...]]]:
    """Outcome rows of table 3 grouped as the template groups them: (key, label, rows).

    key is the row keys' common prefix (granted, partially, denied, unable, unprocessed, other).
    """
    groups: dict[str, tuple[str, list[str]]] = {}
    for spec in template.ROWS:
        if spec.table != "applications" or spec.key in (
                "new_received", "carried_over", "total_processed", "carried_forward"):
            continue
        headings = row_headings(spec.table, spec.key)
        label = headings[1] if len(headings) > 1 else spec.label
        key = spec.key.split("_")[0]
        groups.setdefault(key, (label, []))[1].append(spec.key)
    return [(key, label, tuple(rows)) for key, (label, rows) in groups.items()]


@dataclass
class Cell:
    text: str = ""
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    key: str = ""  # table.row.col of a figure cell
    value: object = None
    old: object = None  # previous reading's value, when this cell changed
    changed: bool = False
    missing: bool = False  # the extractor did not find this cell in the document

    @property
    def css(self) -> str:
        return " ".join(c for c, on in (("figure", bool(self.key)), ("missing", self.missing),
                                        ("changed", self.changed)) if on)


@dataclass
class Grid:
    table: str
    label: str
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    found: int = 0  # figure cells present in this version


def format_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        # Fees are 万元 with up to 4 decimals; counts stored as floats print as integers.
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _figure(table, row, col, values, changes) -> Cell:
    key = (table, row, col)
    value = values.get(key)
    cell = Cell(text=format_value(value), key=".".join(key), value=value,
                missing=key not in values)
    if key in changes:
        cell.changed, cell.old = True, changes[key]
    return cell


@dataclass(frozen=True)
class _Row:
    key: str
    label: str
    columns: tuple[str, ...]


def _rows(table: str, tmpl: str) -> list[_Row]:
    """The rows the report's template prints, with the columns it prints them with (a 2019
    report has 本年新制作数量 / 本年新公开数量 / 对外公开总数量 where a 2021 one has 制发 / 废止 /
    现行有效, and one （六）其他处理 row)."""
    return [_Row(spec.key, spec.label, columns) for spec, columns in template.printed_rows(tmpl)
            if spec.table == table]


def _col_label(table: str, col: str) -> str:
    return labels.col_label(table, col)


def _blocks(grid: Grid, values, changes, tmpl: str) -> None:
    specs = _rows(grid.table, tmpl)
    width = max(len(s.columns) for s in specs)
    previous = None
    for spec in specs:
        if spec.columns != previous:
            heads = [_header(_col_label(grid.table, c)) for c in spec.columns]
            heads[-1].colspan = width - len(spec.columns) + 1
            grid.body.append([_header("")] + heads)
            previous = spec.columns
        cells = [_figure(grid.table, spec.key, c, values, changes) for c in spec.columns]
        cells[-1].colspan = width - len(spec.columns) + 1
        grid.body.append([_header(spec.label)] + cells)


def _nested_rows(grid: Grid, values, changes, tmpl: str) -> None:
    specs = _rows(grid.table, tmpl)
    headings = [row_headings(grid.table, s.key) for s in specs]
    depth = max(len(h) for h in headings)
    columns = specs[0].columns
    grid.head.append([_header("", colspan=depth + 1)]
                     + [_header(_col_label(grid.table, c)) for c in columns])
    for i, spec in enumerate(specs):
        row: list[Cell] = []
        for level, heading in enumerate(headings[i]):
            prefix = headings[i][: level + 1]
            if i > 0 and headings[i - 1][: level + 1] == prefix:
                continue  # covered by the rowspan of the heading above
            span = 1
            while i + span < len(specs) and headings[i + span][: level + 1] == prefix:
                span += 1
            row.append(_header(heading, rowspan=span))
        row.append(_header(spec.label, colspan=depth + 1 - len(headings[i])))
        row += [_figure(grid.table, spec.key, c, values, changes) for c in spec.columns]
        grid.body.append(row)


def _column_groups(grid: Grid, values, changes, tmpl: str) -> None:
    specs = _rows(grid.table, tmpl)
    paths = [row_headings(grid.table, s.key) + (s.label,) for s in specs]
    depth = max(len(p) for p in paths)
    for level in range(depth):
        row: list[Cell] = []
        i = 0
        while i < len(specs):
            path = paths[i]
            if len(path) <= level:  # ended above: its header cell spans down through here
                i += 1
                continue
            span = 1
            while (i + span < len(specs) and len(paths[i + span]) > level
                   and paths[i + span][: level + 1] == path[: level + 1] and len(path) > level + 1):
                span += 1
            width = sum(len(specs[j].columns) for j in range(i, i + span))
            rowspan = depth - level if len(path) == level + 1 else 1
            row.append(_header(path[level], colspan=width, rowspan=rowspan))
            i += span
        grid.head.append(row)
    grid.head.append([_header(_col_label(grid.table, c)) for s in specs for c in s.columns])
    grid.body.append([_figure(grid.table, s.key, c, values, changes)
                      for s in specs for c in s.columns])


def _header(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(text=text, header=True, colspan=colspan, rowspan=rowspan)


_BUILDERS = {"blocks": _blocks, "rows": _nested_rows, "columns": _column_groups}


def grids(values: dict[tuple[str, str, str], object],
          changes: dict[tuple[str, str, str], object] | None = None,
          tmpl: str = "2021") -> list[Grid]:
    """One grid per template table, laid out as the report's template `tmpl` prints it; `values`
    maps (table, row, col) to the figure, `changes` maps changed cells to their previous value."""
    changes = changes or {}
    out = []
    for table in labels.TABLES:
        grid = Grid(table, labels.TABLE_LABELS.get(table, table))
        _BUILDERS[LAYOUTS[table]](grid, values, changes, tmpl)
        grid.found = sum(1 for key in values if key[0] == table)
        out.append(grid)
    return out


def extra_cells(values: dict[tuple[str, str, str], object],
                tmpl: str = "2021") -> list[tuple[str, object]]:
    """Figures under keys the report's template does not lay out (kept by the archive, shown apart)."""
    known = {(spec.table, spec.key, col) for spec, columns in template.printed_rows(tmpl) for col in columns}
    return [(".".join(k), v) for k, v in sorted(values.items()) if k not in known]
