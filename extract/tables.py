"""HTML tables → grids of cells with rowspan/colspan resolved, in time linear in the grid."""
from __future__ import annotations

import re

from extract.celltext import collapse_cjk_spaces
from extract.document import Block, Cell
from extract.limits import MAX_COLSPAN, MAX_GRID_CELLS
from extract.report import Unreadable

_DIGITS = re.compile(r"\D")


def cell_text(el) -> str:
    return collapse_cjk_spaces(el.text_content())


def _span(el, name: str, most: int) -> int:
    try:
        return max(1, min(most, int(_DIGITS.sub("", el.get(name, "1"))[:9] or 1)))
    except ValueError:
        return 1


def grid(table, budget: int = MAX_GRID_CELLS) -> list[list[Cell]]:
    """Rows of the table, each cell placed at its true grid column; merged cells are repeated
    into every position they cover, so a row-group label reaches every row it spans.

    A colspan is clamped to `MAX_COLSPAN` and a rowspan to the rows left in the table (what a
    browser shows); a grid of more than `budget` positions is refused (`Unreadable`), since no
    report table comes near it and expanding it is how a small page exhausts memory.
    """
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    # One dict per row (column -> cell): finding a free column and a row's width never looks
    # at the other rows, so the work is proportional to the grid, not to its square.
    occupied: list[dict[int, Cell]] = [{} for _ in rows]
    out: list[list[Cell]] = []
    used = 0
    for r, tr in enumerate(rows):
        here = occupied[r]
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while c in here:
                c += 1
            text = cell_text(td)
            rowspan = min(_span(td, "rowspan", len(rows)), len(rows) - r)
            colspan = _span(td, "colspan", MAX_COLSPAN)
            used += rowspan * colspan
            if used > budget:
                raise _too_big(budget)
            origin = (r, c) if rowspan > 1 or colspan > 1 else None
            for dr in range(rowspan):
                below = occupied[r + dr]
                for dc in range(colspan):
                    if c + dc not in below:
                        below[c + dc] = Cell(text, c + dc, origin)
            c += colspan
        width = max(here, default=-1) + 1
        used += width - len(here)  # the blank positions this row is padded with
        if used > budget:
            raise _too_big(budget)
        out.append([here.get(col) or Cell("", col) for col in range(width)])
        occupied[r] = {}  # done with this row
    return out


def _too_big(budget: int) -> Unreadable:
    return Unreadable(f"HTML tables expand to more than {budget:,} grid cells (the limit per page)")


def _owner_table(el):
    for ancestor in el.iterancestors("table"):
        return ancestor
    return None


def table_blocks(tree) -> tuple[list[Block], set]:
    """Grids of the data tables, and the set of those tables.

    Tables holding other tables are layout; so is a one-column table (an article box). Their
    content is left to the paragraph stream. All tables of a page share one budget of grid
    cells (`MAX_GRID_CELLS`).
    """
    blocks, used = [], set()
    budget = MAX_GRID_CELLS
    for table in tree.iter("table"):
        if table.find(".//table") is not None:
            continue
        rows = grid(table, budget)
        budget -= sum(len(r) for r in rows)
        if rows and max(len(r) for r in rows) >= 2:
            blocks.append(Block(rows=rows))
            used.add(table)
    return blocks, used
