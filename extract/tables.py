"""HTML tables → grids of cells with rowspan/colspan resolved."""
from __future__ import annotations

import re

from extract.celltext import collapse_cjk_spaces
from extract.document import Block, Cell

# Guard against absurd spans (a malformed or hostile page) blowing up memory.
_MAX_SPAN = 100


def cell_text(el) -> str:
    return collapse_cjk_spaces(el.text_content())


def _span(el, name: str) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(re.sub(r"\D", "", el.get(name, "1")) or 1)))
    except ValueError:
        return 1


def grid(table) -> list[list[Cell]]:
    """Rows of the table, each cell placed at its true grid column; merged cells are repeated
    into every position they cover, so a row-group label reaches every row it spans."""
    rows = [tr for tr in table.iter("tr") if _owner_table(tr) is table]
    occupied: dict[tuple[int, int], Cell] = {}
    out: list[list[Cell]] = []
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            text = cell_text(td)
            rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
            origin = (r, c) if rowspan > 1 or colspan > 1 else None
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.setdefault((r + dr, c + dc), Cell(text, c + dc, origin))
            c += colspan
        width = max((col for (row, col) in occupied if row == r), default=-1) + 1
        out.append([occupied.get((r, col), Cell("", col)) for col in range(width)])
    return out


def _owner_table(el):
    for ancestor in el.iterancestors("table"):
        return ancestor
    return None


def table_blocks(tree) -> tuple[list[Block], set]:
    """Grids of the data tables, and the set of those tables.

    Tables holding other tables are layout; so is a one-column table (an article box). Their
    content is left to the paragraph stream.
    """
    blocks, used = [], set()
    for table in tree.iter("table"):
        if table.find(".//table") is not None:
            continue
        rows = grid(table)
        if rows and max(len(r) for r in rows) >= 2:
            blocks.append(Block(rows=rows))
            used.add(table)
    return blocks, used
