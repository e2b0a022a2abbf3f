"""The format-neutral intermediate form every reader produces.

A reader (HTML, text, PDF, DOCX, spreadsheet) turns bytes into a `Document`: its plain text and
its tables as rows of cells. Everything after that (figures, metadata, checks) is shared, so a
new format only needs a reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    text: str
    # Column index in the expanded grid (rowspan/colspan resolved) when the source has a real
    # grid (HTML/DOCX/PDF ruled tables, spreadsheets); None for flattened text, where only the
    # order of cells is known.
    col: int | None = None
    # (row, col) of the source cell when a merged cell was repeated into several grid positions,
    # so that one spanned figure is not read as several.
    origin: tuple[int, int] | None = None


Row = list[Cell]


@dataclass
class Block:
    """One table, or one run of flattened table text.

    `rows` is None-free: each row is a list of cells. When `rows_known` is False the source gave
    no row boundaries (e.g. one <p> per cell) and the whole block is a single stream of cells in
    `rows[0]`; the figure mapper then re-segments it by labels.
    """

    rows: list[Row]
    rows_known: bool = True


@dataclass
class Document:
    format: str
    text: str  # readable main text, paragraphs separated by newlines
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None  # from document metadata (HTML <title>/<meta>, PDF/DOCX properties)
    published: str | None = None  # YYYY-MM-DD from document metadata, if any
    # Set when the content was read by OCR (extract/scan.py): engine, pages read, limits hit.
    ocr: dict | None = None
