"""Positioned words → the template's tables, by geometry (shared by the PDF and the OCR reader).

    read_tables(words, rules=(), page_heights=None, level=False) -> list[Block]

`words` are `extract.words.Word`s in page coordinates (`top` grows downwards), one per run of
characters; a word holding several space-separated pieces (an OCR line box) is split, each piece
as wide as its characters at the box's height, the gaps sharing the rest. `rules` are ruling
lines where the source has them (PDF drawing operators, lines found in a scan); without any,
text-box geometry alone decides. `page_heights` (page -> height) lets bare page numbers at the
page edges be recognised. A slightly rotated page (a scan) is levelled first, unless the caller
says the words are level (`level=True`, a text layer without rotated glyphs).

Each template table found (主动公开 / 收到和处理申请 / 行政复议行政诉讼) becomes one `Block`: a
header row whose cells name the value columns (`Cell.col` = grid column), then one row per table
row: its group context (a vertical one-character-per-line label, a group label such as
（三）不予公开), its own label, and one value cell per column (`""` where the column is blank).
The figure mapper (`extract.figures`) reads these like any grid.

How the geometry is read, and why:
- Value columns come from the figures themselves: the x-extents of number words overlap within a
  column whichever way it is aligned; header words (自然人, 商 业 企 业 spaced or wrapped, 结果维持)
  are then assigned to those columns, and a column left entirely blank is recovered from the
  header word standing in the gap. Vertical ruling lines, where present, set the boundaries.
- Rows are the row labels, not the text lines: a label wrapped over two or three lines is one
  label (a continuation line never starts with an enumeration and never is a label of its own),
  and a line of figures is matched to the label whose vertical band it overlaps or is nearest to,
  in order, never across a horizontal ruling line. Figures printed a line above their label,
  or centred on a three-line label, land in the right row.
- Group context: characters stacked one per line are a vertical group label; a label with
  another label to its right on the same lines, or standing in the group column with no figures
  of its own, is a group label (（三）不予公开, wrapped or split by a page break), carried to every
  item of its group (items numbered 1., 2., … restart at each group).
- A row whose figures ran together into one word ("8000008" for 8 0 0 0 0 0 8), so that no
  column boundary can place them, is handed on as `Run` cells for the shared solver (see
  `_merged_row`): never guessed here. Damaged labels ("2.其他法律行政止公开") are given as printed:
  the figure mapper matches them to the template tolerantly.
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median

from extract.celltext import collapse_cjk_spaces, is_page_mark, join_lines
from extract.document import Block, Cell, Row
from extract.figures import Run, norm_label
from extract.numbers import clean, is_value
from extract.template import GROUP_HEADINGS, ROWS
from extract.words import Rule, Word

# --------------------------------------------------------------------------------------------
# Vocabulary that finds the tables (the template's own headings and header words)
# --------------------------------------------------------------------------------------------

_ACTIVE_START = re.compile(r"第二十条|信息内容|制发件数|新制作数量|上一年项目数量|处理决定数量")
_APPLICATIONS_START = re.compile(r"申请人情况|自然人")
_APPLICATIONS_FIRST_ROW = re.compile(r"本年新收|新收.{0,8}申请")
_APPLICANT_NAMES = re.compile(r"自然人|商业企业|科研机构|公益组织|法律服务|总计")
_REVIEW_START = re.compile(r"行政复议")
_REVIEW_NEXT = re.compile(r"行政诉讼|维持|纠正|尚未审结")
# After the tables: sections 五/六 of the template.
_END = re.compile(r"^[五六七八]、|存在的?主要问题|其他需要报告")
# A section heading ("三、收到和处理政府信息公开申请情况") is never a table row.
_HEADING = re.compile(r"^[一二三四五六七八九十]、.{4,40}(?:情况|问题|事项)$")
_ENUMERATION = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}\s*[.．、](?!\d))")
_ITEM_NUMBER = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)")
_DIGIT = re.compile(r"\d")
_BARE_NUMBER = re.compile(r"^\d{1,3}$")
_CONTINUED = re.compile(r"^[（(]?续表?\d*[)）]?$|^表\d+[（(]续[)）]$")

# Geometry, in units of the text height.
_LINE_TOL = 0.5      # centres closer than this share a line
_WORD_GAP = 0.25     # a wider gap inside a label is a space (kept only between Latin/digits)
_CELL_GAP = 1.0      # a wider gap inside a label line separates two label cells
_ITEM_GAP = 0.5      # ... and so does a middling one before an enumeration ("（三）不予公开 1.…")
_WRAP_GAP = 1.6      # a label line at most this far below another may continue it
_ROW_REACH = 1.6     # figures at most this far from a label's band may belong to it
_SKEW_MIN = 0.002    # slopes below this are noise, not a rotated page


@dataclass
class _Line:
    words: list[Word]
    page: int
    top: float
    bottom: float
    text: str = ""
    flat: str = ""

    def __post_init__(self):
        self.text = _join(self.words)
        self.flat = clean(self.text)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Label:
    """A label cell: one or more stacked label lines."""

    lines: list[list[Word]]
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    role: str = "row"  # row | group | vertical
    _text: str | None = None
    _height: float | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = join_lines(_join(ws) for ws in self.lines)
        return self._text

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        if self._height is None:
            self._height = median(w.bottom - w.top for ws in self.lines for w in ws)
        return self._height

    def absorb(self, other: _Label) -> None:
        self.lines.extend(other.lines)
        self._text = self._height = None
        self.x0, self.x1 = min(self.x0, other.x0), max(self.x1, other.x1)
        self.top, self.bottom = min(self.top, other.top), max(self.bottom, other.bottom)


@dataclass
class _Figures:
    """A line of figures in the value area: column -> words."""

    page: int
    top: float
    bottom: float
    words: list[Word]
    cells: dict[int, list[Word]] = field(default_factory=dict)
    merged: bool = False
    notes: dict[int, list[Word]] = field(default_factory=dict)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------

def read_tables(words: list[Word], rules: Iterable[Rule] = (), page_heights: dict[int, float] | None = None,
                level: bool = False) -> list[Block]:
    """The template tables found in `words`, one Block each, in document order. `level=True`
    says the words are known to run straight across the page (a text layer without rotated
    glyphs), which spares estimating a skew."""
    tokens = [t for w in words for t in _split(w)]
    if not level:
        tokens = _deskew(tokens)
    if not tokens:
        return []
    lines = _drop_furniture(_lines(tokens), page_heights or {})
    rules = _Rules(rules)
    found = [(kind, [ln for ln in region if not _is_prose(ln) and not _HEADING.match(ln.flat)])
             for kind, region in _regions(lines)]
    # Whether the report leaves zero cells blank shows best in table 3, where most cells are;
    # a row whose cells are all blank is then a row of zeros, not a label without figures.
    rows_of: dict[int, list[Row]] = {}
    blank = False
    for i in sorted(range(len(found)), key=lambda i: found[i][0] == "active"):
        kind, region = found[i]
        parts = _subtables(region) if kind == "active" else [region]
        rows_of[i] = []
        for part in parts:
            rows, blanks = _read_table(part, rules, blank)
            rows_of[i].extend(rows)
            blank = blank or blanks
    return [Block(rows=rows_of[i]) for i in range(len(found)) if rows_of[i]]


# --------------------------------------------------------------------------------------------
# Words and lines
# --------------------------------------------------------------------------------------------

def _units(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5


def _split(word: Word) -> list[Word]:
    """A word holding several space-separated pieces (OCR gives whole line boxes) becomes one
    word per piece, placed in proportion to the characters before it."""
    text = word.text.replace("\u3000", " ").replace("\u00a0", " ")
    parts = text.split()
    if not parts:
        return []
    if len(parts) == 1:
        return [word if word.text == parts[0] else _with(word, text=parts[0])]
    # Pieces as wide as their characters at the box's height, the rest of the box shared out
    # between the gaps (a line box spans columns far apart); proportional when that does not fit.
    h = max(word.bottom - word.top, 1.0)
    widths = [sum(_units(ch) for ch in part) * h for part in parts]
    room = (word.x1 - word.x0) - sum(widths)
    if room > 0:
        gap = room / (len(parts) - 1)
    else:
        scale = (word.x1 - word.x0) / (sum(_units(ch) for ch in text) or 1.0)
        widths = [sum(_units(ch) for ch in part) * scale for part in parts]
        gap = _units(" ") * scale
    out, x = [], word.x0
    for part, width in zip(parts, widths):
        out.append(_with(word, text=part, x0=x, x1=x + width))
        x += width + gap
    return out


def _with(word: Word, **changes) -> Word:
    values = {"text": word.text, "x0": word.x0, "x1": word.x1, "top": word.top, "bottom": word.bottom,
              "page": word.page, "conf": word.conf}
    values.update(changes)
    return Word(**values)


def _height(word: Word) -> float:
    return max(word.bottom - word.top, 1.0)


def _cy(word: Word) -> float:
    return (word.top + word.bottom) / 2


def _cx(word: Word) -> float:
    return (word.x0 + word.x1) / 2


def _join(words: list[Word]) -> str:
    """Words of one line as text: a space where the gap is wide (dropped again between CJK)."""
    out, prev = "", None
    for w in words:  # callers give them left to right
        if prev is not None and w.x0 - prev.x1 > _WORD_GAP * _height(w):
            out += " "
        out += w.text
        prev = w
    return collapse_cjk_spaces(out)


def _deskew(words: list[Word]) -> list[Word]:
    """Level a slightly rotated page (scans): rows of words that climb or fall across the page
    would otherwise fall into several lines. The slope is the median over runs of words that
    clearly share a line."""
    out = []
    for page in sorted({w.page for w in words}):
        ws = [w for w in words if w.page == page]
        slope = _slope(ws)
        if abs(slope) < _SKEW_MIN:
            out.extend(ws)
            continue
        xc = median(_cx(w) for w in ws)
        yc = median(_cy(w) for w in ws)
        for w in ws:
            dy = -slope * (_cx(w) - xc)
            dx = slope * (_cy(w) - yc)
            out.append(_with(w, x0=w.x0 + dx, x1=w.x1 + dx, top=w.top + dy, bottom=w.bottom + dy))
    return out


def _slope(words: list[Word]) -> float:
    """Median slope between each word and its nearest neighbour to the right on its line (the
    neighbour within a few degrees of it): robust to lines that a tilt has already broken."""
    ws = sorted(words, key=_cy)
    slopes = []
    for i, w in enumerate(ws):
        h = _height(w)
        best = None
        for o in _same_band(ws, i, 0.6 * h):
            dx = o.x0 - w.x1
            if dx > h and abs(_cy(o) - _cy(w)) < 0.08 * (dx + w.x1 - w.x0) and (best is None or dx < best[0]):
                best = (dx, o)
        if best is not None and abs(_height(best[1]) - h) < 0.3 * h:
            o = best[1]
            slopes.append((_cy(o) - _cy(w)) / (_cx(o) - _cx(w)))
    return median(slopes) if len(slopes) >= 8 else 0.0


def _same_band(ws: list[Word], i: int, reach: float):
    """The words of `ws` (sorted by vertical centre) within `reach` of word i's centre, those
    below it first, each side nearest first."""
    cy = _cy(ws[i])
    for j in range(i + 1, len(ws)):
        if _cy(ws[j]) - cy > reach:
            break
        yield ws[j]
    for j in range(i - 1, -1, -1):
        if cy - _cy(ws[j]) > reach:
            break
        yield ws[j]


def _cluster_lines(words: list[Word], tol: float = _LINE_TOL) -> list[list[Word]]:
    """Words of one page grouped by vertical centre."""
    groups: list[list[Word]] = []
    centre = size = 0.0
    n = 0
    for cy, h, i in sorted(((w.top + w.bottom) / 2, max(w.bottom - w.top, 1.0), i) for i, w in enumerate(words)):
        if groups and abs(cy - centre) <= tol * (h if h > size else size):
            groups[-1].append(words[i])
            n += 1
            centre += (cy - centre) / n
        else:
            groups.append([words[i]])
            centre, size, n = cy, h, 1
    for g in groups:
        g.sort(key=lambda w: w.x0)
    return groups


def _lines(words: list[Word]) -> list[_Line]:
    out = []
    for page in sorted({w.page for w in words}):
        for group in _cluster_lines([w for w in words if w.page == page]):
            out.append(_Line(group, page, min(w.top for w in group), max(w.bottom for w in group)))
    return out


def _drop_furniture(lines: list[_Line], heights: dict[int, float]) -> list[_Line]:
    """Page numbers ("- 3 -", "第3页", a bare number alone at the very top or bottom) and the
    caption over a table's continuation ("续表")."""
    out = []
    for i, ln in enumerate(lines):
        if is_page_mark(ln.text) or _CONTINUED.match(ln.flat):
            continue
        height = heights.get(ln.page)
        if height and _BARE_NUMBER.match(ln.flat):
            first = i == 0 or lines[i - 1].page != ln.page
            last = i == len(lines) - 1 or lines[i + 1].page != ln.page
            if (first and ln.bottom < 0.12 * height) or (last and ln.top > 0.85 * height):
                continue
        out.append(ln)
    return out


def _is_prose(line: _Line) -> bool:
    """A paragraph line between or around the tables: continuous text (no gap a table's cells
    would leave), a sentence or as long as one."""
    words = line.words
    if sum(1 for w in words if _is_figure(w.text)) >= 3:
        return False  # a row of figures
    if any(b.x0 - a.x1 > 2 * min(_height(a), _height(b)) for a, b in zip(words, words[1:])):
        return False
    return "。" in line.flat or len(line.flat) >= 30


@lru_cache(maxsize=4096)
def _is_figure(text: str) -> bool:
    """A number word (digits, possibly with a unit or a note), not an enumeration like "1."."""
    return bool(_DIGIT.search(text)) and is_value(text)


@lru_cache(maxsize=1024)
def _is_zero_mark(text: str) -> bool:
    return not _DIGIT.search(text) and is_value(text) and bool(clean(text))


# --------------------------------------------------------------------------------------------
# Where the tables are
# --------------------------------------------------------------------------------------------

def _regions(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    flats = [ln.flat for ln in lines]
    n = len(lines)

    def first(pattern, start=0, stop=None, where=lambda i: True):
        for i in range(start, n if stop is None else stop):
            if pattern.search(flats[i]) and where(i):
                return i
        return None

    first_row = first(_APPLICATIONS_FIRST_ROW)
    apps = None
    if first_row is not None:
        apps = first(_APPLICATIONS_START, max(0, first_row - 20), first_row + 1,
                     lambda i: not _is_prose(lines[i]))
        apps = first_row if apps is None else apps
    else:  # its first row unreadable (OCR) or not printed: the header names the table
        apps = first(_APPLICATIONS_START, where=lambda i: not _is_prose(lines[i]) and len(
            {m.group(0) for m in _APPLICANT_NAMES.finditer("".join(flats[i:i + 5]))}) >= 3)
    active = first(_ACTIVE_START, 0, apps, where=lambda i: not _is_prose(lines[i]))
    after = first_row if first_row is not None else (active or 0)
    review = first(_REVIEW_START, after,
                   where=lambda i: not _is_prose(lines[i]) and bool(_REVIEW_NEXT.search("".join(flats[i:i + 4]))))
    starts = sorted((i, kind) for kind, i in (("active", active), ("applications", apps), ("review", review))
                    if i is not None)
    out = []
    for k, (i, kind) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else n
        end = first(_END, i + 1, stop)
        out.append((kind, lines[i:end if end is not None else stop]))
    return out


def _subtables(lines: list[_Line]) -> list[list[_Line]]:
    """Table 1 is several small tables (第二十条第（一）项 …), each with its own columns: each
    第二十条 caption starts one, and so does a 信息内容 header after figures or another header."""
    parts: list[list[_Line]] = [[]]
    figures = header = False
    for ln in lines:
        caption = "第二十条" in ln.flat
        names = "信息内容" in ln.flat
        if parts[-1] and ((caption and (figures or header or not any("第二十条" in x.flat for x in parts[-1])))
                          or (names and (figures or header))):
            parts.append([])
            figures = header = False
        parts[-1].append(ln)
        figures = figures or any(_is_figure(w.text) for w in ln.words)
        header = header or names
    return [p for p in parts if p]


# --------------------------------------------------------------------------------------------
# One table
# --------------------------------------------------------------------------------------------

@dataclass
class _Grid:
    bounds: list[float]  # value column boundaries: bounds[j] .. bounds[j + 1] is column j
    cores: list[tuple[float, float]]  # x-extent of the figures of each column, left to right
    pitch: float = 0.0

    def __post_init__(self):
        # The narrowest distance between two columns' figures: no column is wider, so no
        # column name either (a longer name wraps).
        centres = [(lo + hi) / 2 for lo, hi in self.cores]
        self.pitch = min((b - a for a, b in zip(centres, centres[1:])), default=float("inf"))
        self._starts = [lo for lo, _hi in self.cores]
        self._need = [0.3 * max(hi - lo, 1.0) for lo, hi in self.cores]

    @property
    def left(self) -> float:
        return self.bounds[0]

    def column(self, x: float) -> int | None:
        if x < self.bounds[0] or x > self.bounds[-1]:
            return None
        return min(max(bisect_left(self.bounds, x) - 1, 0), len(self.bounds) - 2)

    def over_several(self, word: Word) -> bool:
        """A header word over several columns (申请人情况, 行政复议, 法人或其他组织)."""
        return word.x1 - word.x0 > 1.1 * self.pitch or self.spans(word) > 1

    def spans(self, word: Word) -> int:
        """How many columns' figures a word covers (more than one: figures run together)."""
        n = 0
        x0, x1 = word.x0, word.x1
        for j in range(max(bisect_left(self._starts, x0) - 1, 0), len(self.cores)):
            lo, hi = self.cores[j]
            if lo >= x1:
                break
            if (x1 if x1 < hi else hi) - (x0 if x0 > lo else lo) > self._need[j]:
                n += 1
        return n


def _read_table(lines: list[_Line], rules: _Rules, blank_zeros: bool) -> tuple[list[Row], bool]:
    """One table's rows, and whether it leaves zero cells blank."""
    words = [w for ln in lines for w in ln.words]
    if not words:
        return [], False
    # Figures: numbers, and the marks agencies print for zero (无, —, /) set apart after a label.
    figures = [w for ln in lines for k, w in enumerate(ln.words) if _is_figure(w.text)
               or (_is_zero_mark(w.text) and k > 0 and w.x0 - ln.words[k - 1].x1 > _height(w))]
    pages = {ln.page for ln in lines}
    page_rules = rules.on(pages)
    h = median(_height(w) for w in words)
    if figures:
        grid = _grid(figures, h, page_rules)
        rows_of_figures = _figure_lines(_value_words(words, grid, set()), grid)
        if not rows_of_figures:
            return [], False
        first = rows_of_figures[0]
        header = _header_words(words, grid, (first.page, first.top), h)
    elif blank_zeros:
        # A small table whose every cell is blank: its columns are where its header names them.
        named = _grid_from_names(lines, h, page_rules)
        if named is None:
            return [], False
        grid, end = named
        header = _header_words(words, grid, end, h)
    else:
        return [], False
    skip = {id(w) for w in header}
    # Without row labels (table 4 as one row of fifteen figures) blank columns may stand left
    # of the first column of figures too.
    labelled = any(_cx(w) < grid.left and id(w) not in skip and not _is_figure(w.text) for w in words)
    grid = _add_blank_columns(grid, [w for w in header if not labelled or _cx(w) >= grid.left], h, page_rules)
    values = _value_words(words, grid, skip)
    rows_of_figures = _figure_lines(values, grid)
    skip |= {id(w) for w in values}
    body = [w for w in words if id(w) not in skip]
    _attach_notes([w for w in body if _cx(w) >= grid.left], rows_of_figures, grid)
    labels = _labels([w for w in body if _cx(w) < grid.left], h, page_rules, rows_of_figures)
    ncols = len(grid.bounds) - 1
    blanks = any(len(line.cells) < ncols for line in rows_of_figures if not line.merged)
    # Grid columns: the vertical group label, the group column, the row label, then the values.
    label_col = int(any(c.role == "vertical" for c in labels)) + int(any(c.role == "group" for c in labels))
    rows = _header_rows(header, grid, h, label_col + 1) + \
        _body_rows(labels, rows_of_figures, grid, label_col, page_rules, blank_zeros or blanks)
    return rows, blanks


def _grid_from_names(lines: list[_Line], h: float, rules: _Rules) -> tuple[_Grid, tuple[int, float]] | None:
    """Columns of a table without figures: the header words right of its 信息内容 cell."""
    for ln in lines:
        if "信息内容" not in ln.flat:
            continue
        words = sorted(ln.words, key=lambda w: w.x0)
        k = next(i for i, w in enumerate(words) if "内容" in w.text or "容" == w.text)
        names = [w for w in words[k + 1:] if w.x0 > words[k].x1 + h]
        if names:
            return _bounds([(w.x0, w.x1) for w in names], h, rules), (ln.page, ln.bottom + 0.1)
    return None


def _value_words(words: list[Word], grid: _Grid, skip: set[int]) -> list[Word]:
    return [w for w in words if id(w) not in skip and _cx(w) >= grid.left
            and (_is_figure(w.text) or _is_zero_mark(w.text))]


def _header_words(words: list[Word], grid: _Grid, first: tuple[int, float], h: float) -> list[Word]:
    """Text above the first line of figures. Its lowest value-area word (a column name) bounds
    it, so that a first row label wrapped above its figures stays in the body."""
    above = [w for w in words if (w.page, _cy(w)) < first and not _is_figure(w.text)]
    value_head = [w for w in above if _cx(w) >= grid.left]
    if not value_head:
        return []
    page = max(w.page for w in value_head)
    limit = max(w.bottom for w in value_head if w.page == page)
    return [w for w in above if w.page < page or w.bottom <= limit + 0.2 * h]


def _grid(figures: list[Word], h: float, rules: _Rules) -> _Grid:
    # Long figures may be several run together: learn the columns from the others if any.
    short = [w for w in figures if len(clean(w.text)) <= 6] or figures
    cores: list[list[float]] = []
    for w in sorted(short, key=lambda w: w.x0):
        if cores and w.x0 <= cores[-1][1] + 0.25 * h:
            cores[-1][1] = max(cores[-1][1], w.x1)
        else:
            cores.append([w.x0, w.x1])
    return _bounds([(a, b) for a, b in cores], h, rules)


def _bounds(cores: list[tuple[float, float]], h: float, rules: _Rules) -> _Grid:
    verticals = rules.xs()
    bounds = []
    for j in range(len(cores) + 1):
        if j == 0:
            gap = cores[1][0] - cores[0][1] if len(cores) > 1 else 4 * h
            lo, hi = cores[0][0] - max(gap, 2 * h), cores[0][0]
            guess = cores[0][0] - max(gap / 2, h)
        elif j == len(cores):
            # As wide on the right of its figures as the column is on their left.
            centre = (cores[-1][0] + cores[-1][1]) / 2
            half = centre - bounds[-1] if len(cores) > 1 else 2 * h
            lo, hi = cores[-1][1], centre + 2 * half
            guess = centre + half
        else:
            lo, hi = cores[j - 1][1], cores[j][0]
            guess = (lo + hi) / 2
        between = [x for x in verticals if lo <= x <= hi]
        bounds.append(min(between, key=lambda x: abs(x - guess)) if between else guess)
    return _Grid(bounds, cores)


def _add_blank_columns(grid: _Grid, head: list[Word], h: float, rules: _Rules) -> _Grid:
    """A column whose every cell is blank has no figures to show it; its name does. The column
    names (pieces of one name joined) are aligned in order with the columns of figures; a name
    left over stands for a blank column."""
    ncols = len(grid.cores)
    words = [w for w in head if not grid.over_several(w)]
    top, bottom = _name_band(words, grid, ncols)
    names = _name_pieces([w for w in words if top <= w.bottom and w.top <= bottom], h)
    if len(names) <= ncols or len(names) > 2 * ncols + 1:
        return grid  # no name left over, or the names too broken up to stand for columns
    # cost[i][j]: best alignment of the first i columns with the first j names.
    centre = [(a + b) / 2 for a, b in grid.cores]
    name_centre = [(a + b) / 2 for a, b in names]
    inf = float("inf")
    cost = [[inf] * (len(names) + 1) for _ in range(ncols + 1)]
    cost[0] = [0.0] * (len(names) + 1)
    for i in range(1, ncols + 1):
        for j in range(i, len(names) + 1):
            cost[i][j] = min(cost[i][j - 1], cost[i - 1][j - 1] + abs(centre[i - 1] - name_centre[j - 1]))
    matched, i, j = set(), ncols, len(names)
    while i:
        if cost[i][j] == cost[i][j - 1] and j > i:
            j -= 1
        else:
            matched.add(j - 1)
            i, j = i - 1, j - 1
    # Each column of figures must stand under its name; if not, the names are no guide.
    step = median(b - a for a, b in zip(name_centre, name_centre[1:]))
    pairs = sorted(matched)
    if any(abs(centre[i] - name_centre[j]) > 0.4 * step for i, j in enumerate(pairs)):
        return grid
    cores = list(grid.cores) + [tuple(names[j]) for j in range(len(names)) if j not in matched]
    return _bounds(sorted(cores), h, rules)


def _name_pieces(words: list[Word], h: float) -> list[list[float]]:
    """x-extents of the column names: pieces of one name joined, whether letter-spaced on one
    line (single characters, gaps under 0.6 of the text height) or wrapped onto the next
    (overlapping)."""
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(words):
        for j in range(i + 1, len(words)):
            b = words[j]
            if abs(_cy(a) - _cy(b)) < 0.5 * h:
                # Letter-spacing parts a name into single characters; two names side by side
                # are words of their own, however close.
                single = len(clean(a.text)) == 1 or len(clean(b.text)) == 1
                joined = single and max(a.x0, b.x0) - min(a.x1, b.x1) < 0.6 * h
            else:
                joined = min(a.x1, b.x1) - max(a.x0, b.x0) > 0
            if joined:
                parent[root(i)] = root(j)
    groups: dict[int, list[float]] = {}
    for i, w in enumerate(words):
        g = groups.setdefault(root(i), [w.x0, w.x1])
        g[0], g[1] = min(g[0], w.x0), max(g[1], w.x1)
    return sorted(groups.values())


def _figure_lines(values: list[Word], grid: _Grid) -> list[_Figures]:
    out = []
    for page in sorted({w.page for w in values}):
        for group in _cluster_lines([w for w in values if w.page == page]):
            line = _Figures(page, min(w.top for w in group), max(w.bottom for w in group), group)
            for w in group:
                if _is_figure(w.text) and (grid.spans(w) > 1 or _run_together(w.text, len(grid.cores))):
                    line.merged = True
                col = grid.column(_cx(w))
                if col is not None:
                    line.cells.setdefault(col, []).append(w)
            # Two figures under one column: the columns do not fit this line; never join them.
            if any(sum(1 for w in ws if _is_figure(w.text) or _is_zero_mark(w.text)) > 1 for ws in line.cells.values()):
                line.merged = True
            if line.cells:
                out.append(line)
    return out


@lru_cache(maxsize=1024)
def _run_together(text: str, ncols: int) -> bool:
    """A digit run as long as a row of a wide table has cells: that row's figures printed
    without gaps ("8000008"), not one figure (no such table counts in millions)."""
    digits = clean(text)
    return ncols >= 5 and digits.isdigit() and len(digits) >= ncols


def _attach_notes(words: list[Word], rows: list[_Figures], grid: _Grid) -> None:
    """Text in the value area beside a figure ("（其中修订16件）") belongs to its cell."""
    for w in words:
        col = grid.column(_cx(w))
        if col is None:
            continue
        for row in rows:
            if row.page == w.page and row.top - 0.2 * _height(w) <= _cy(w) <= row.bottom + 0.2 * _height(w) \
                    and col in row.cells:
                row.notes.setdefault(col, []).append(w)
                break


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------

def _labels(words: list[Word], h: float, rules: _Rules, figures: list[_Figures]) -> list[_Label]:
    # Characters set one per line come first: beside them the group column may start closer
    # than any gap that would part two cells.
    vertical = _vertical_chains(words, h)
    taken = {id(w) for chain in vertical for w in chain}
    segments = []
    for page in sorted({w.page for w in words}):
        for line in _cluster_lines([w for w in words if w.page == page and id(w) not in taken]):
            segments.extend(_segments(line, page))
    cells = _stack(segments, rules, figures)
    out = []
    for chain in vertical:
        out.append(_Label([[w] for w in chain], chain[0].page, min(w.x0 for w in chain), max(w.x1 for w in chain),
                          chain[0].top, chain[-1].bottom, "vertical"))
    _classify(cells, figures)
    return sorted(out + cells, key=lambda c: (c.page, c.top))


def _segments(line: list[Word], page: int) -> list[_Label]:
    """A label line cut where a wide gap (or a middling one before an enumeration) parts two cells."""
    parts: list[list[Word]] = []
    for w in line:
        if parts:
            gap = w.x0 - parts[-1][-1].x1
            size = _height(w)
            if gap > _CELL_GAP * size or (gap > _ITEM_GAP * size and _ENUMERATION.match(clean(w.text))):
                parts.append([])
        else:
            parts.append([])
        parts[-1].append(w)
    return [_Label([p], page, p[0].x0, p[-1].x1, min(w.top for w in p), max(w.bottom for w in p))
            for p in parts if not is_page_mark(_join(p))]


def _vertical_chains(words: list[Word], h: float) -> list[list[Word]]:
    """Characters set one per line down a narrow column (三、本年度办理结果), closely or spread
    out over the rows beside them, with nothing else in their column between them."""
    singles = sorted((w for w in words if _one_character(clean(w.text))), key=lambda w: (w.page, w.top))
    single_ids = {id(w) for w in singles}
    others = [w for w in words if id(w) not in single_ids]
    chains: list[list[Word]] = []
    for w in singles:
        for chain in chains:
            last = chain[-1]
            if last.page == w.page and abs(_cx(last) - _cx(w)) <= 0.6 * h and 0 <= w.top - last.bottom <= 12 * h \
                    and not any(o.page == w.page and last.bottom <= _cy(o) <= w.top
                                and min(o.x1, w.x1) - max(o.x0, w.x0) > 0 for o in others):
                chain.append(w)
                break
        else:
            chains.append([w])
    return [c for c in chains if len(c) >= 3 or (len(c) == 2 and all(len(clean(w.text)) == 1 for w in c))]


def _one_character(text: str) -> bool:
    """One character, or a numeral with its mark ("三、")."""
    return (len(text) == 1 or (len(text) == 2 and text[1] in "、.．")) and not _DIGIT.search(text)


def _owns(cell: _Label, line: _Figures, slack: float = 0.2) -> bool:
    pad = slack * cell.height
    return line.page == cell.page and cell.top - pad <= line.cy <= cell.bottom + pad


@lru_cache(maxsize=1024)
def _template_rows(text: str) -> frozenset[str]:
    name = norm_label(text)
    found = {spec.key for spec in ROWS if spec.pattern.search(name)}
    return frozenset(found | ({name} if name in GROUP_HEADINGS else set()))


def _different_rows(a: str, b: str) -> bool:
    """Two label lines that each name a template row, not the same one, are two rows."""
    ra, rb = _template_rows(a), _template_rows(b)
    return bool(ra) and bool(rb) and not ra & rb


def _stack(segments: list[_Label], rules: _Rules, figures: list[_Figures]) -> list[_Label]:
    """Join a label's wrapped lines: a segment continues the one above it when it sits right
    under it, aligned with it, does not start a numbered item, is no template label of its
    own, and no ruling line or separate line of figures parts them."""
    cells: list[_Label] = []
    for s in sorted(segments, key=lambda s: (s.page, s.top, s.x0)):
        text = _join(s.lines[0])
        size = s.height
        target = None
        for c in reversed(cells):
            if c.page != s.page or s.top - c.bottom > _WRAP_GAP * size:
                continue
            if s.top < c.bottom - 0.3 * size:
                continue  # side by side, not one under the other
            # Left-aligned, centred, or indented under it (a centred cell's shorter last line).
            aligned = abs(s.x0 - c.x0) <= 1.5 * size or abs((s.x0 + s.x1) / 2 - (c.x0 + c.x1) / 2) <= 1.5 * size \
                or (s.x0 >= c.x0 - 0.5 * size and s.x1 <= c.x1 + 0.5 * size)
            if not aligned or s.x0 < c.x0 - 1.5 * size:
                continue
            target = c
            break
        if target is not None and not _ENUMERATION.match(clean(text)) \
                and not _different_rows(target.text, text) \
                and not _ruled_between(target, s, rules) and not _separate_figures(target, s, figures):
            target.absorb(s)
        else:
            cells.append(s)
    return cells


def _ruled_between(a: _Label, b: _Label, rules: _Rules) -> bool:
    need = 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)
    return rules.crossing(a.page, a.bottom - 0.2 * a.height, b.top + 0.2 * b.height,
                          max(a.x0, b.x0), min(a.x1, b.x1), need)


def _separate_figures(a: _Label, b: _Label, figures: list[_Figures]) -> bool:
    mine = [f for f in figures if _owns(a, f)]
    theirs = [f for f in figures if _owns(b, f)]
    return bool(mine) and bool(theirs) and not set(map(id, mine)) & set(map(id, theirs))


def _classify(cells: list[_Label], figures: list[_Figures]) -> None:
    """Row labels and group labels. A group label has an item label to its right on the same
    lines, or stands in the group column (left of the numbered items) with no figures and no
    row meaning of its own."""
    items = [c for c in cells if _ITEM_NUMBER.match(clean(c.text))]
    item_x0 = median(c.x0 for c in items) if len(items) >= 3 else None
    for c in cells:
        size = c.height
        beside = any(d is not c and d.page == c.page and d.x0 >= c.x1 - 0.5 * size
                     and min(c.bottom, d.bottom) - max(c.top, d.top) > 0 for d in cells)
        if beside:
            c.role = "group"
        elif item_x0 is not None and c.x1 <= item_x0 + 0.5 * size and c.x0 < item_x0 - size \
                and not any(_owns(c, f) for f in figures) and not _is_row_label(c.text):
            c.role = "group"


def _is_row_label(text: str) -> bool:
    return any(key not in GROUP_HEADINGS for key in _template_rows(text))


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

def _body_rows(labels: list[_Label], figures: list[_Figures], grid: _Grid, label_col: int,
               rules: _Rules, blank_zeros: bool) -> list[Row]:
    rows = [c for c in labels if c.role == "row"]
    match = _match(rows, figures, rules)
    context = _context(labels, rows)
    ncols = len(grid.bounds) - 1
    has_vertical = any(c.role == "vertical" for c in labels)
    items: list[tuple[tuple[int, float], Row]] = []
    used = set()
    for r, row in enumerate(rows):
        cells: Row = []
        for ctx in context.get(r, []):
            cells.append(Cell(ctx.text, 0 if ctx.role == "vertical" else int(has_vertical)))
        cells.append(Cell(row.text, label_col))
        line = match.get(r)
        if line is not None:
            used.add(id(line))
            cells.extend(_value_cells(line, grid, label_col + 1))
        elif blank_zeros and (_is_row_label(row.text) or _ENUMERATION.match(clean(row.text))):
            cells.extend(Cell("", label_col + 1 + j) for j in range(ncols))
        items.append(((row.page, row.top), cells))
    for line in figures:
        if id(line) not in used:
            items.append(((line.page, line.top), _value_cells(line, grid, label_col + 1)))
    items.sort(key=lambda it: it[0])
    return [cells for _key, cells in items if cells]


def _value_cells(line: _Figures, grid: _Grid, first_col: int) -> Row:
    ncols = len(grid.bounds) - 1
    if line.merged:
        return _merged_row(line, grid)
    out = []
    for j in range(ncols):
        words = sorted(line.cells.get(j, []) + line.notes.get(j, []), key=lambda w: (w.x0, w.top))
        out.append(Cell(join_lines([_join(words)]) if words else "", first_col + j))
    return out


def _merged_row(line: _Figures, grid: _Grid) -> Row:
    """Figures run together so that no column boundary can place them ("8000008" for
    8 0 0 0 0 0 8), or more figures under a column than it has cells: the row's figures in
    reading order as cells without columns, the run-together ones as `Run`s, for the figure
    mapper to hand to the shared solver (`extract.solver`), which splits them by the template's
    arithmetic or leaves them out — never guessed here."""
    out: Row = []
    for w in sorted(line.words, key=lambda w: w.x0):
        if _is_figure(w.text) and (grid.spans(w) > 1 or _run_together(w.text, len(grid.cores))):
            out.append(Run(w.text))
        elif _is_figure(w.text) or _is_zero_mark(w.text):
            out.append(Cell(w.text))
    return out


def _match(rows: list[_Label], figures: list[_Figures], rules: _Rules) -> dict[int, _Figures]:
    """Lines of figures to row labels, in order (a monotone alignment): each line goes to the
    label whose band it overlaps or is nearest to, never across a ruling line."""
    n, m = len(rows), len(figures)
    if not n or not m:
        return {}
    never = float("-inf")

    def score(i: int, k: int) -> float:
        row, line = rows[i], figures[k]
        if row.page != line.page:
            return never
        size = row.height
        if row.top - 0.25 * size <= line.cy <= row.bottom + 0.25 * size:
            d = 0.0
        else:
            d = min(abs(line.cy - row.top), abs(line.cy - row.bottom))
            if d > _ROW_REACH * size or _rule_between(row, line, rules):
                return never
        return 1000.0 - d

    # best[i][k]: best total for rows[:i] and figures[:k].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for k in range(1, m + 1):
            options = [(best[i - 1][k], 1), (best[i][k - 1], 2)]
            s = score(i - 1, k - 1)
            if s != never:
                options.append((best[i - 1][k - 1] + s, 3))
            best[i][k], step[i][k] = max(options)
    out: dict[int, _Figures] = {}
    i, k = n, m
    while i and k:
        if step[i][k] == 3:
            out[i - 1] = figures[k - 1]
            i, k = i - 1, k - 1
        elif step[i][k] == 1:
            i -= 1
        else:
            k -= 1
    return out


def _rule_between(row: _Label, line: _Figures, rules: _Rules) -> bool:
    lo, hi = sorted((line.cy, row.cy))
    return rules.crossing(row.page, lo + 0.01, hi - 0.01, row.x0, row.x1, 0.5 * (row.x1 - row.x0))


def _context(labels: list[_Label], rows: list[_Label]) -> dict[int, list[_Label]]:
    """For each row, the group labels it belongs to (vertical first, then the group column)."""
    out: dict[int, list[_Label]] = {}
    for chain in (c for c in labels if c.role == "vertical"):
        for r, row in enumerate(rows):
            if row.page == chain.page and min(row.bottom, chain.bottom) - max(row.top, chain.top) > 0:
                out.setdefault(r, []).append(chain)
    groups = [c for c in labels if c.role == "group"]
    if not groups:
        return out
    for members, group in _groups(rows, groups):
        if group is None:
            continue
        for r in members:
            out.setdefault(r, []).append(group)
    return out


def _groups(rows: list[_Label], groups: list[_Label]) -> list[tuple[list[int], _Label | None]]:
    """Items right of a group column, cut where their numbering restarts; each run gets the
    group labels standing beside it, joined (a group label broken by a page break is one)."""
    runs: list[list[int]] = []
    previous: int | None = None
    fresh = True  # the next item starts a run (after a row that is no item)
    for r, row in enumerate(rows):
        # An item starts right of a group column; a row starting inside one spans it
        # (（一）予以公开, （七）总计) and ends the group above.
        pad = 0.5 * row.height
        if not any(g.x1 <= row.x0 + pad for g in groups) or any(g.x0 - pad <= row.x0 < g.x1 for g in groups):
            fresh = True
            continue
        number = _ITEM_NUMBER.match(clean(row.text))
        value = int(number.group(1)) if number else None
        if fresh or (value is not None and previous is not None and value <= previous):
            runs.append([])
            previous = None
        runs[-1].append(r)
        fresh = False
        previous = value if value is not None else previous
    out = []
    for run in runs:
        start = (rows[run[0]].page, rows[run[0]].top)
        end = (rows[run[-1]].page, rows[run[-1]].bottom)
        x0 = min(rows[r].x0 for r in run)
        inside = [g for g in groups if start <= (g.page, g.cy) <= end and g.x1 <= x0 + 0.5 * g.height]
        if not inside:
            # A group label set at the top or bottom edge of its run, or beside a lone item.
            near = [g for g in groups if g.x1 <= x0 + 0.5 * g.height and g.page in (start[0], end[0])]
            near = [g for g in near if min(abs(g.cy - rows[r].cy) for r in run if rows[r].page == g.page)
                    <= _ROW_REACH * g.height] if near else []
            inside = near[:1]
        if not inside:
            out.append((run, None))
            continue
        inside.sort(key=lambda g: (g.page, g.top))
        head = _Label([ws for g in inside for ws in g.lines], inside[0].page, min(g.x0 for g in inside),
                      max(g.x1 for g in inside), inside[0].top, inside[-1].bottom, "group")
        out.append((run, head))
    return out


def _header_rows(header: list[Word], grid: _Grid, h: float, first_col: int) -> list[Row]:
    """Column names per value column (stacked or spaced-out pieces joined), the label-area
    header text in the same row, and words over several columns (申请人情况, 行政复议) in a row
    above. A word names the column whose figures it stands over (whichever way both are
    aligned); of the words over a column, its name is the stack closest to the figures."""
    if not header:
        return []
    ncols = len(grid.bounds) - 1
    per_col: dict[int, list[Word]] = {}
    spanning: list[Word] = []
    label_words: list[Word] = []
    for w in header:
        if _cx(w) < grid.left:
            label_words.append(w)
        elif grid.over_several(w):
            spanning.append(w)
        else:
            col = _nearest_column(grid, w)
            if col is None:
                spanning.append(w)
            else:
                per_col.setdefault(col, []).append(w)
    names_top, names_bottom = _name_band([w for ws in per_col.values() for w in ws], grid, ncols)
    for col, words in per_col.items():
        spanning.extend(w for w in words if w.bottom < names_top or w.top > names_bottom)
        per_col[col] = [w for w in words if names_top <= w.bottom and w.top <= names_bottom]
    rows: list[Row] = []
    if spanning:
        ordered = [w for page in sorted({w.page for w in spanning})
                   for line in _cluster_lines([w for w in spanning if w.page == page]) for w in line]
        rows.append([Cell(collapse_cjk_spaces(w.text), first_col + (_nearest_column(grid, w) or 0))
                     for w in ordered])
    names: Row = []
    if label_words:
        names.append(Cell(join_lines(_join(line) for line in _cluster_lines(label_words)), 0))
    for col in range(ncols):
        words = per_col.get(col, [])
        text = join_lines(_join(line) for line in _cluster_lines(words)) if words else ""
        names.append(Cell(text, first_col + col))
    rows.append(names)
    return rows


def _nearest_column(grid: _Grid, w: Word) -> int | None:
    best, col = None, None
    for j, (lo, hi) in enumerate(grid.cores):
        d = max(lo - w.x1, w.x0 - hi, 0.0)
        if best is None or d < best:
            best, col = d, j
    if col is not None and best > 0 and grid.column(_cx(w)) != col:
        return grid.column(_cx(w))
    return col


def _name_band(words: list[Word], grid: _Grid, ncols: int) -> tuple[float, float]:
    """The vertical band of the column names: the header lines that name many columns at once
    (a line naming only one column in four or fewer is a heading over them, 行政复议 / 申请人情况),
    and whatever lies between them (a one-line 总计 centred beside two-line names)."""
    if not words:
        return 0.0, 0.0
    need = max(min(2, ncols), math.ceil(0.25 * ncols))
    full = [line for line in _cluster_lines(words)
            if len({_nearest_column(grid, w) for w in line}) >= need]
    if not full:
        return min(w.top for w in words), max(w.bottom for w in words)
    return min(w.top for ln in full for w in ln), max(w.bottom for ln in full for w in ln)


class _Rules:
    """Ruling lines by page: horizontal ones sorted by height, vertical ones by x."""

    def __init__(self, rules: Iterable[Rule] = ()):
        self.horizontal: dict[int, list[tuple[float, float, float]]] = {}
        self.vertical: dict[int, list[float]] = {}
        self._xs: list[float] | None = None
        for r in rules:  # a line is at most a point thick; a shorter stroke is a tick, not a rule
            width, height = r.x1 - r.x0, r.bottom - r.top
            if height <= 1.0 and width > 2.0:
                self.horizontal.setdefault(r.page, []).append((r.top, r.x0, r.x1))
            elif width <= 1.0 and height > 2.0:
                self.vertical.setdefault(r.page, []).append(r.x0)
        for lines in self.horizontal.values():
            lines.sort()

    def on(self, pages) -> _Rules:
        out = _Rules()
        out.horizontal = {p: v for p, v in self.horizontal.items() if p in pages}
        out.vertical = {p: v for p, v in self.vertical.items() if p in pages}
        return out

    def xs(self) -> list[float]:
        if self._xs is None:
            self._xs = sorted({round(x, 1) for xs in self.vertical.values() for x in xs})
        return self._xs

    def crossing(self, page: int, lo: float, hi: float, x0: float, x1: float, need: float) -> bool:
        """A horizontal line between heights lo and hi covering more than `need` of x0..x1."""
        lines = self.horizontal.get(page)
        if not lines:
            return False
        for y, a, b in lines[bisect_left(lines, (lo,)):]:
            if y > hi:
                break
            if min(b, x1) - max(a, x0) > need:
                return True
        return False
