"""Flattened text reports (one table cell per line, rows separated by empty lines) → Document.

This is what copying a report's table out of a browser or Word gives (see the seed report):
each cell on its own line, usually tab-indented, a tab-only line for an empty cell, and an empty
line between rows.
"""
from __future__ import annotations

import re

from extract.document import Block, Cell, Document
from extract.encoding import decode_text

# A tab after some text on a line: the chunk is tab-separated (one row per line), as text
# copied from a spreadsheet or saved by Word as "text with tabs" comes.
_INNER_TAB = re.compile(r"\S[^\n]*\t")
# A row break is a line with nothing on it but spaces; a tab-only line is an empty cell.
_ROW_BREAK = re.compile(r"\n[ \u3000]*\n")
# More cells than this in one "row" means the text has no row breaks worth trusting.
_MAX_CELLS_PER_ROW = 40


def read_text(data: bytes, content_type: str | None = None) -> Document:
    _encoding, text = decode_text(data, content_type)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    rows = [row for chunk in _ROW_BREAK.split(text) for row in _chunk_rows(chunk)]
    rows = [row for row in rows if any(c.text for c in row)]
    rows_known = bool(rows) and max(len(r) for r in rows) <= _MAX_CELLS_PER_ROW
    block = Block(rows=rows) if rows_known else Block(rows=[[c for r in rows for c in r]], rows_known=False)
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return Document(format="txt", text="\n".join(lines), blocks=[block], title=lines[0] if lines else None)


def _chunk_rows(chunk: str) -> list[list[Cell]]:
    lines = chunk.split("\n")
    if _INNER_TAB.search(chunk):
        return [[Cell(cell.strip()) for cell in line.split("\t")] for line in lines]
    return [[Cell(line.strip()) for line in lines]]
