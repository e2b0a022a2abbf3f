"""Positioned words: what a PDF text layer (pdfplumber) and an OCR engine both give.

`extract.layout` turns them into table rows, so a scanned page and a text PDF share one table
reader. Coordinates are in the page's own units (PDF points, or image pixels for a scan), with
`top` growing downwards as in pdfplumber.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int = 0
    # The engine's confidence in [0, 1] for a word read by OCR; None for a text layer.
    conf: float | None = None

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Rule:
    """A ruling line (table border) on a page: horizontal when top == bottom, vertical when
    x0 == x1 (within the source's tolerance)."""

    x0: float
    x1: float
    top: float
    bottom: float
    page: int = 0
