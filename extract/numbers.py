"""Reading the number in a table cell, the way agencies actually type them."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, wraps
from typing import Callable

# Cells that the template's own convention (and agencies' habit) reads as zero.
ZERO_MARKS = frozenset({"", "0", "-", "--", "—", "——", "–", "/", "／", "\\", "无", "空", "零", "〇", "×", "x"})

# A value cell: a number, optionally with a unit and/or a parenthesised note
# ("22（其中修订16件）", "55(含自然失效29件)", "4件", "0.1250万元").
_VALUE = re.compile(
    r"^(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?:件|个|条|项|次|人次|家|份|万元|元|笔)?\s*(?:[(\[].*)?$"
)
_SPACE = re.compile(r"\s+")


# Texts up to this long are a cell's or a label's: worth remembering. Longer ones (a whole
# document's text, a flattened row) are rarely asked twice and would fill a long-lived worker's
# memory with documents.
_CACHED_UP_TO = 80


def cached_for_cells(fn: Callable[[str], str]) -> Callable[[str], str]:
    """`fn` (pure, text → text) remembered for short texts: a report asks for the same few hundred
    cell and label texts over and over while its rows are matched (≈ 1,600 calls per report), and
    the template's labels recur from report to report."""
    cached = lru_cache(maxsize=8192)(fn)

    @wraps(fn)
    def call(text: str) -> str:
        return cached(text) if text is None or len(text) <= _CACHED_UP_TO else fn(text)

    return call


@cached_for_cells
def clean(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII) with all whitespace removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).replace("，", ",")


def is_value(text: str) -> bool:
    """True for cells that hold a figure (including blanks and dashes meaning zero)."""
    t = clean(text)
    return t in ZERO_MARKS or bool(_VALUE.match(t))


def is_blank(text: str) -> bool:
    return clean(text) == ""


def parse_value(text: str) -> int | float | None:
    """The figure in a cell, or None if the cell is not a figure.

    Integers stay ints; decimals (fees in 万元) become floats.
    """
    t = clean(text)
    if t in ZERO_MARKS:
        return 0
    m = _VALUE.match(t)
    if not m:
        return None
    num = m.group("num").replace(",", "")
    value = float(num) if "." in num else int(num)
    # Only the 2019 template's 本年增/减 column is ever negative.
    return -value if m.group("sign") == "-" else value
