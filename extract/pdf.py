"""PDF → Document with pdfplumber: the template tables read twice (by their ruling lines and by
the geometry of their words), and the rest as lines of text.

Each page is parsed once (pdfplumber caches its objects): its ruled tables are found from the
drawn lines, every character is dropped into the grid cell it sits in, and the characters outside
tables become text lines; the words of both, with the page's ruling lines, go to
`extract.layout`, which places the template tables by geometry whether they are ruled or not
(vertical group labels, wrapped labels, figures printed beside or above their label, page breaks).
A table that runs on over a page break (with or without the header repeated) is joined back into
one grid. For each template table the reading that satisfies more of the template's arithmetic
comes first; the text lines follow as a last block (each line split into cells at wide gaps).
"""
from __future__ import annotations

import io
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from statistics import median

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extract.celltext import collapse_cjk_spaces, drop_page_marks, is_page_mark, join_lines, property_title
from extract.checks import evaluate
from extract.document import Block, Cell, Document
from extract.figures import find_figures
from extract.layout import read_tables
from extract.numbers import is_blank, is_value
from extract.report import ImageOnly, NotAReport, Unreadable
from extract.words import Rule
from extract.words import Word as PlacedWord

# Word, WPS and LibreOffice print cell borders as lines or thin filled rectangles; pdfplumber's
# line strategy with its default tolerances joins both into one grid.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Reports run to a few dozen pages; beyond this the file is something else (or hostile).
MAX_PAGES = 300
# A page with fewer characters than this but with pictures is a scan.
_SCAN_CHARS = 20

# Gaps inside a line, in units of the font size: wider than _CELL_GAP separates two cells of a
# flattened table, and so does a gap wider than _ITEM_GAP before a numbered item ("1." "（三）");
# wider than _WORD_GAP is a space (dropped again between CJK characters).
_CELL_GAP = 1.5
_ITEM_GAP = 0.5
_WORD_GAP = 0.2
_ENUMERATION = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?!\d))")
_BARE_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
# The caption over the continued part of a table: "续表", "（续表）", "表3（续）".
_CONTINUED = re.compile(r"^[（(]?续表?\s*\d*[)）]?$|^表\s*\d+\s*[（(]续[)）]$")


Word = tuple[str, float, float, float, float]  # text, x0, x1, top, bottom: characters closer than a word gap


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    cells: list[list[Word]]  # the line split at wide gaps, each part a list of words

    @property
    def segments(self) -> list[str]:
        return [collapse_cjk_spaces(" ".join(w[0] for w in words)) for words in self.cells]

    @property
    def spans(self) -> list[tuple[float, float]]:
        return [(words[0][1], words[-1][2]) for words in self.cells]

    @property
    def text(self) -> str:
        return " ".join(self.segments)


@dataclass
class _PCell:
    r0: int
    r1: int
    x0: float
    x1: float
    text: str


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    xs: list[float]  # column boundaries
    ys: list[float]  # row boundaries of the part found on `page`
    nrows: int
    cells: list[_PCell]
    seams: list[int] = field(default_factory=list)  # first row of each continuation part


@dataclass
class _Page:
    lines: list[_Line]
    tables: list[_Table]
    chars: int
    pictures: bool
    undecoded: int  # characters pdfminer could only give as "(cid:123)"
    height: float
    words: list[PlacedWord] = field(default_factory=list)  # for the layout reader
    rules: list[Rule] = field(default_factory=list)
    tilted: bool = False  # glyphs drawn at an angle (a page printed slightly rotated)


def read_pdf(data: bytes) -> Document:
    return _readings(data).document


@dataclass
class Readings:
    """The readings of one PDF: ruled grids (pdfplumber's line strategy), tables placed by
    geometry (`extract.layout`), the text lines, and the Document made of them."""

    grids: list[Block]
    placed: list[Block]
    lines: Block | None
    document: Document


def _readings(data: bytes) -> Readings:
    if b"%%EOF" not in data[-2048:]:
        raise Unreadable("truncated PDF: no end-of-file marker (%%EOF)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise Unreadable(_open_error(exc.args[0] if exc.args else exc)) from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on damaged files
        raise Unreadable(_open_error(exc)) from None
    try:
        try:
            pages = pdf.pages
            if len(pages) > MAX_PAGES:
                raise Unreadable(f"PDF has {len(pages)} pages, over the {MAX_PAGES}-page limit")
            parsed = []
            for index, page in enumerate(pages):
                parsed.append(_read_page(page, index))
                page.close()  # keep memory flat on long files
            title = property_title(pdf.metadata.get("Title"))
        except Unreadable:
            raise
        except PdfminerException as exc:
            raise Unreadable(_open_error(exc.args[0] if exc.args else exc)) from None
        except Exception as exc:  # noqa: BLE001
            raise Unreadable(f"damaged PDF: {type(exc).__name__}: {_one_line(exc)}") from None
    finally:
        _close(pdf)
    _reject_scans(parsed)
    # Template tables read by geometry from every word of the document (shared with OCR).
    try:
        placed = read_tables([w for p in parsed for w in p.words], [r for p in parsed for r in p.rules],
                             {i: p.height for i, p in enumerate(parsed)}, level=not any(p.tilted for p in parsed))
    except Exception:  # noqa: BLE001 - one reading among three: a failure of it must not cost the report
        placed = []
    _drop_running_lines(parsed)
    tables = _join_page_breaks(parsed)
    grids = [Block(rows=rows) for rows in (_rows(t) for t in tables) if rows]
    blocks = _by_arithmetic(placed, grids)
    # The text lines always follow as a last block: they are the whole report when nothing is
    # ruled or placed, and fill in what neither reading found (cells read before win).
    rows = [[Cell(seg) for seg in line.segments] for line in _unwrap(_all_lines(parsed))]
    lines = Block(rows=rows) if rows else None
    if lines is not None:
        blocks.append(lines)
    document = Document(format="pdf", text=_text(parsed), blocks=blocks, title=title)
    return Readings(grids, placed, lines, document)


_TABLES = ("active", "applications", "review_litigation")


def _by_arithmetic(placed: list[Block], grids: list[Block]) -> list[Block]:
    """Two readings of the same tables: by geometry (`extract.layout`) and by the ruled grid.
    For each template table, the reading whose figures satisfy more of the template's own
    arithmetic (then: gives more cells) comes first, so its cells win; ties go to the ruled
    grid, which is exact wherever its lines are drawn. The other reading still fills cells the
    first one lacks."""
    if not placed or not grids:
        return placed + grids
    scored = []
    for order, block in enumerate(grids + placed):
        figures = find_figures([block])
        checks = evaluate(figures)
        scores = {}
        for table in _TABLES:
            cells = sum(len(cols) for cols in figures.get(table, {}).values())
            if not cells:
                continue
            mine = [c for c in checks if c.rule.startswith(table + ".")]
            ok = sum(1 for c in mine if c.ok)
            scores[table] = (ok - 2 * (len(mine) - ok), cells, -order)
        scored.append((block, scores))
    out: list[Block] = []
    for table in _TABLES:
        best = max((s for s in scored if table in s[1]), key=lambda s: s[1][table], default=None)
        if best is not None and all(best[0] is not b for b in out):
            out.append(best[0])
    out.extend(b for b, _ in scored if all(b is not o for o in out))
    return out


def _close(pdf) -> None:
    # PDF.close() walks the page tree again, which raises on the damaged files we reject.
    try:
        pdf.close()
    except Exception:  # noqa: BLE001
        pass


def _open_error(exc) -> str:
    if isinstance(exc, PDFPasswordIncorrect):
        return "encrypted PDF: a password is needed to open it"
    if isinstance(exc, PDFEncryptionError):
        return f"encrypted PDF: {_one_line(exc) or 'unsupported encryption'}"
    if isinstance(exc, PDFSyntaxError):
        return f"damaged PDF: {_one_line(exc)}"
    return f"not a readable PDF: {type(exc).__name__}: {_one_line(exc)}"


def _one_line(exc) -> str:
    return " ".join(str(exc).split())[:200]


def _reject_scans(pages: list[_Page]) -> None:
    chars = sum(p.chars for p in pages)
    if chars and sum(p.undecoded for p in pages) > chars / 2:
        raise Unreadable("PDF text cannot be decoded: its fonts have no Unicode mapping")
    if any(p.chars >= _SCAN_CHARS for p in pages):
        return
    if any(p.pictures for p in pages):
        raise ImageOnly("image-only PDF")
    if sum(p.chars for p in pages) == 0:
        raise NotAReport("PDF has no text")


# --------------------------------------------------------------------------------------------
# One page
# --------------------------------------------------------------------------------------------

def _read_page(page, index: int) -> _Page:
    chars = [c for c in page.chars if c["text"].strip()]
    undecoded = sum(1 for c in chars if c["text"].startswith("(cid:"))
    pictures = bool(page.images) or (not chars and len(page.curves) > 50)
    tables = []
    for found in page.find_tables(TABLE_SETTINGS) if chars else []:
        table = _grid_of(found.cells, index)
        if table is not None:
            tables.append(table)
    # Words for the layout reader come out of the same character lines as the cells and the
    # text (no second pass over the characters): a word never runs across a ruled cell.
    words: list[PlacedWord] = []
    loose = _fill_tables(chars, tables, words, index) if tables else chars
    tables = [t for t in tables if any(c.text for c in t.cells)]
    lines = _lines(loose, index)
    words.extend(_placed(lines, index))
    lines = [ln for ln in lines if ln.segments]
    rules = [Rule(e["x0"], e["x1"], e["top"], e["bottom"], index) for e in page.edges
             if max(e["x1"] - e["x0"], e["bottom"] - e["top"]) > 2] if chars else []
    tilted = any(abs(c["matrix"][1]) > 1e-3 for c in chars)
    return _Page(_drop_page_numbers(lines, page.height), sorted(tables, key=lambda t: t.top), len(chars), pictures,
                 undecoded, page.height, words, rules, tilted)


def _grid_of(bboxes, page: int) -> _Table | None:
    xs = _cluster([b[0] for b in bboxes] + [b[2] for b in bboxes])
    ys = _cluster([b[1] for b in bboxes] + [b[3] for b in bboxes])
    cells = []
    for x0, top, x1, bottom in bboxes:
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        if r1 > r0 and _nearest(xs, x1) > _nearest(xs, x0):
            cells.append(_PCell(r0, r1, x0, x1, ""))
    # A lone box (a framed title or note) is not a table.
    if len(cells) < 2:
        return None
    return _Table(page, ys[0], ys[-1], xs[0], xs[-1], xs, ys, len(ys) - 1, cells)


def _fill_tables(chars: list[dict], tables: list[_Table], words: list[PlacedWord], page: int) -> list[dict]:
    """Put each character into the table cell under its centre; return the others."""
    loose: list[dict] = []
    index = []
    for t in tables:
        owner = {}
        for i, cell in enumerate(t.cells):
            c0, c1 = _nearest(t.xs, cell.x0), _nearest(t.xs, cell.x1)
            for r in range(cell.r0, cell.r1):
                for c in range(c0, c1):
                    owner[(r, c)] = i
        index.append((t, t.ys, owner, [[] for _ in t.cells]))
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for t, ys, owner, buckets in index:
            if t.x0 <= cx <= t.x1 and t.top <= cy <= t.bottom:
                i = owner.get((bisect_right(ys, cy) - 1, bisect_right(t.xs, cx) - 1))
                if i is not None:
                    buckets[i].append(ch)
                    break
        else:
            loose.append(ch)
    for t, _ys, _owner, buckets in index:
        for cell, bucket in zip(t.cells, buckets):
            lines = _lines(bucket, page) if bucket else []
            cell.text = join_lines(drop_page_marks(ln.text) for ln in lines)
            words.extend(_placed(lines, page))
    return loose


def _placed(lines: list[_Line], page: int) -> list[PlacedWord]:
    return [PlacedWord(text, x0, x1, top, bottom, page) for ln in lines for part in ln.cells
            for text, x0, x1, top, bottom in part]


def _lines(chars: list[dict], page: int) -> list[_Line]:
    """Characters → lines (by vertical centre), each split into segments at wide gaps."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2)
    groups: list[list[dict]] = []
    centre = size = 0.0
    for ch in chars:
        cy = (ch["top"] + ch["bottom"]) / 2
        s = ch["size"] or (ch["bottom"] - ch["top"])
        if groups and abs(cy - centre) <= 0.5 * max(s, size):
            groups[-1].append(ch)
        else:
            groups.append([ch])
            centre, size = cy, s
    return [_line(sorted(g, key=lambda c: c["x0"]), page) for g in groups]


def _line(chars: list[dict], page: int) -> _Line:
    size = median(c["size"] or (c["bottom"] - c["top"]) for c in chars) or 10.0
    # Words: characters closer than a word gap, with the gap before each.
    words: list[tuple[float, Word]] = []
    text, start, gap_before, prev = "", chars[0]["x0"], 0.0, None
    top, bottom = chars[0]["top"], chars[0]["bottom"]
    for ch in chars:
        if prev is not None:
            # Fake bold: the same glyph printed twice a hair apart.
            if ch["text"] == prev["text"] and abs(ch["x0"] - prev["x0"]) < 0.3 * size:
                continue
            gap = ch["x0"] - prev["x1"]
            if gap > _WORD_GAP * size:
                words.append((gap_before, (text, start, prev["x1"], top, bottom)))
                text, start, gap_before = "", ch["x0"], gap
                top, bottom = ch["top"], ch["bottom"]
        text += ch["text"]
        top, bottom = min(top, ch["top"]), max(bottom, ch["bottom"])
        prev = ch
    words.append((gap_before, (text, start, prev["x1"], top, bottom)))
    # Cells: a wide gap, or a middling one before a numbered item ("（六）其他处理  1.申请人…").
    cells: list[list[Word]] = []
    for gap, word in words:
        if not cells or gap > _CELL_GAP * size or (gap > _ITEM_GAP * size and _ENUMERATION.match(word[0])):
            cells.append([])
        cells[-1].append(word)
    kept = []
    for cell in cells:
        cell = [(drop_page_marks(t), x0, x1, t0, t1) for t, x0, x1, t0, t1 in cell]
        cell = [w for w in cell if w[0]]
        if cell and not is_page_mark(" ".join(w[0] for w in cell)):
            kept.append(cell)
    return _Line(page, min(c["top"] for c in chars), max(c["bottom"] for c in chars),
                 chars[0]["x0"], prev["x1"], size, kept)


def _drop_page_numbers(lines: list[_Line], height: float) -> list[_Line]:
    """A bare number alone at the very top or bottom of the page is its page number."""
    if len(lines) < 2:
        return lines
    out = list(lines)
    for edge in (out[-1], out[0]):
        near_edge = edge.top > height * 0.85 or edge.bottom < height * 0.12
        if near_edge and len(edge.segments) == 1 and _BARE_PAGE_NUMBER.match(edge.segments[0]):
            out.remove(edge)
    return [ln for ln in out if not is_page_mark(ln.text)]


def _drop_running_lines(pages: list[_Page]) -> None:
    """Running headers and footers: the same line (page numbers aside) at the same height near
    the top or bottom edge of several pages."""
    if len(pages) < 2:
        return
    seen: dict[tuple[int, str], set[int]] = {}
    for p, page in enumerate(pages):
        for ln in page.lines:
            if _near_edge(ln, page.height):
                seen.setdefault(_running_key(ln), set()).add(p)
    running = {key for key, on in seen.items() if len(on) >= 2}
    if running:
        for page in pages:
            page.lines = [ln for ln in page.lines
                          if not (_near_edge(ln, page.height) and _running_key(ln) in running)]


def _near_edge(line: _Line, height: float) -> bool:
    return line.bottom < height * 0.1 or line.top > height * 0.9


def _running_key(line: _Line) -> tuple[int, str]:
    return round(line.top / 4), re.sub(r"\d+", "#", line.text)


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tolerance:
            continue
        out.append(v)
    return out


def _nearest(bounds: list[float], v: float) -> int:
    i = bisect_right(bounds, v)
    if i == 0:
        return 0
    if i == len(bounds) or v - bounds[i - 1] <= bounds[i] - v:
        return i - 1
    return i


# --------------------------------------------------------------------------------------------
# Tables over page breaks, and grids
# --------------------------------------------------------------------------------------------

def _join_page_breaks(pages: list[_Page]) -> list[_Table]:
    """Tables in reading order, a table continued on the next page joined to its first part.

    A continuation is the first table of a page when the previous page ended with a table, no
    text stands between them, and both have the same outer edges and mostly the same column
    boundaries (a repeated header is dropped later, in `_rows`).
    """
    out: list[_Table] = []
    ends: list[tuple[int, float]] = []  # (page, bottom) of the last part of each table in `out`
    for p, page in enumerate(pages):
        for i, part in enumerate(page.tables):
            if i == 0 and out and ends[-1][0] == p - 1 and _continues(out[-1], ends[-1][1], part, pages[p - 1], page):
                _append(out[-1], part)
                ends[-1] = (p, part.bottom)
            else:
                out.append(_Table(part.page, part.top, part.bottom, part.x0, part.x1, list(part.xs), part.ys,
                                  part.nrows, list(part.cells)))
                ends.append((p, part.bottom))
    return out


def _continues(table: _Table, bottom: float, part: _Table, before: _Page, page: _Page) -> bool:
    if any(ln.top > bottom - 1 for ln in before.lines) \
            or any(ln.bottom < part.top + 1 and not _CONTINUED.match(ln.text) for ln in page.lines):
        return False
    if abs(table.x0 - part.x0) > 4 or abs(table.x1 - part.x1) > 4:
        return False
    inner_a, inner_b = table.xs[1:-1], part.xs[1:-1]
    if not inner_a or not inner_b:
        return not inner_a and not inner_b
    matched = sum(1 for x in inner_b if any(abs(x - y) <= 3 for y in inner_a))
    return matched / min(len(inner_a), len(inner_b)) >= 0.6


def _append(table: _Table, part: _Table) -> None:
    offset = table.nrows
    table.cells.extend(_PCell(c.r0 + offset, c.r1 + offset, c.x0, c.x1, c.text) for c in part.cells)
    table.seams.append(offset)
    table.nrows += part.nrows
    table.xs = _cluster(table.xs + part.xs, 3.0)


def _owners(table: _Table) -> list[list[int | None]]:
    """For each grid position, the index of the cell covering it."""
    grid: list[list[int | None]] = [[None] * (len(table.xs) - 1) for _ in range(table.nrows)]
    for i, cell in enumerate(table.cells):
        c0, c1 = _nearest(table.xs, cell.x0), _nearest(table.xs, cell.x1)
        for r in range(cell.r0, cell.r1):
            for c in range(c0, c1):
                grid[r][c] = i
    return grid


Slot = tuple[int | None, str]  # (index of the covering cell, its text)


def _rows(table: _Table) -> list[list[Cell]]:
    """The expanded grid: a merged cell's text in every position it covers, with its origin."""
    grid: list[list[Slot]] = [[(i, table.cells[i].text if i is not None else "") for i in row]
                              for row in _owners(table)]
    for seam in reversed(table.seams):
        _drop_repeated_header(grid, seam)
        _continue_row_groups(grid, seam)
    grid = [row for row in grid if any(text for _i, text in row)]
    first: dict[int, tuple[int, int]] = {}
    count: dict[int, int] = {}
    for r, row in enumerate(grid):
        for c, (i, _text) in enumerate(row):
            if i is not None:
                first.setdefault(i, (r, c))
                count[i] = count.get(i, 0) + 1
    return [[Cell(text, c, first[i] if i is not None and count[i] > 1 else None) for c, (i, text) in enumerate(row)]
            for row in grid]


def _drop_repeated_header(grid: list[list[Slot]], seam: int) -> None:
    k = 0
    while seam + k < len(grid) and k < seam and _texts(grid[seam + k]) == _texts(grid[k]) and any(_texts(grid[k])) \
            and not _has_figure(_texts(grid[k])):
        k += 1
    del grid[seam:seam + k]


def _continue_row_groups(grid: list[list[Slot]], seam: int) -> None:
    """A row-group label merged over rows on both sides of a page break is printed only in the
    first part; carry it into the continuation rows whose label cell is empty."""
    if not 0 < seam < len(grid):
        return
    above = grid[seam - 1]
    first_figure = next((c for c, (_i, t) in enumerate(above) if _is_figure(t)), len(above))
    for c in range(first_figure):
        if not above[c][1]:
            continue
        r = seam
        while r < len(grid) and not grid[r][c][1] and any(_texts(grid[r][c + 1:])):
            grid[r][c] = above[c]
            r += 1


def _texts(row: list[Slot]) -> list[str]:
    return [text for _i, text in row]


def _is_figure(text: str) -> bool:
    return not is_blank(text) and is_value(text)


def _has_figure(row: list[str]) -> bool:
    return any(_is_figure(t) for t in row)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

def _all_lines(pages: list[_Page]) -> list[_Line]:
    return [ln for page in pages for ln in page.lines]


def _unwrap(lines: list[_Line]) -> list[_Line]:
    """In a flattened table, a label wrapped onto a line of its own goes back into its row."""
    out: list[_Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.page == ln.page and _wrapped_into(prev, ln):
            for words in ln.cells:
                _merge_wrapped(prev, words)
            prev.bottom = ln.bottom
        else:
            out.append(_Line(ln.page, ln.top, ln.bottom, ln.x0, ln.x1, ln.size, [list(c) for c in ln.cells]))
    return out


def _merge_wrapped(line: _Line, words: list[Word]) -> None:
    """Append a wrapped continuation to the word above it. Words of the same part to its right
    belong to the next cell (only a narrow gap separated them): split them off."""
    span = (words[0][1], words[-1][2])
    i = max(range(len(line.cells)), key=lambda j: _overlap(line.spans[j], span))
    cell = line.cells[i]
    k = max(range(len(cell)), key=lambda j: _overlap((cell[j][1], cell[j][2]), span))
    text, x0, x1, top, bottom = cell[k]
    cell[k] = (join_lines([text, " ".join(w[0] for w in words)]), min(x0, span[0]), max(x1, span[1]),
               min([top] + [w[3] for w in words]), max([bottom] + [w[4] for w in words]))
    if k + 1 < len(cell):
        line.cells[i:i + 1] = [cell[:k + 1], cell[k + 1:]]


def _wrapped_into(prev: _Line, ln: _Line) -> bool:
    if not 0 <= ln.top - prev.bottom <= 0.8 * prev.size:
        return False
    if any(_is_figure(s) for s in ln.segments) or not any(_is_figure(s) for s in prev.segments):
        return False
    labels = [sp for s, sp in zip(prev.segments, prev.spans) if not _is_figure(s)]
    return all(any(_overlap(sp, span) > 0 for sp in labels) for span in ln.spans)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _text(pages: list[_Page]) -> str:
    """Paragraphs (wrapped lines joined back) and table rows, in reading order."""
    lines = _all_lines(pages)
    if not lines and not any(p.tables for p in pages):
        return ""
    body = [ln for ln in lines if len(ln.text) >= 8] or lines
    right = sorted(ln.x1 for ln in body)[int(len(body) * 0.9)] if body else 0.0
    left = min((ln.x0 for ln in body), default=0.0)
    sizes = [ln.size for ln in lines]
    largest = max(sizes, default=0.0)
    headline = largest - 0.5 if sizes and largest > 1.15 * median(sizes) else float("inf")
    items = [(p, ln.top, 0, ln) for p, page in enumerate(pages) for ln in page.lines]
    items += [(p, t.top, 1, t) for p, page in enumerate(pages) for t in page.tables]
    items.sort(key=lambda it: (it[0], it[1], it[2]))
    out: list[str] = []
    prev: _Line | None = None
    for _p, _top, kind, item in items:
        if kind == 1:
            out.extend(_table_lines(item))
            prev = None
            continue
        if prev is not None and _same_paragraph(prev, item, left, right, headline):
            out[-1] = join_lines([out[-1], item.text])
        else:
            out.append(item.text)
        prev = item
    return "\n".join(line for line in out if line)


def _same_paragraph(prev: _Line, ln: _Line, left: float, right: float, headline: float) -> bool:
    if abs(prev.size - ln.size) > 0.5:
        return False
    if ln.page == prev.page:
        gap = ln.top - prev.bottom
        if not 0 <= gap <= 1.2 * ln.size:
            return False
    elif ln.page != prev.page + 1:
        return False
    # A line that runs to the right margin wrapped; its paragraph goes on at the left margin.
    # (Chinese line breaking may push up to two characters down, so "runs to" allows for that.)
    if prev.x1 >= right - 3 * prev.size and ln.x0 <= left + 0.5 * ln.size:
        return True
    # Lines in the document's largest type one under the other are one title broken over lines.
    return ln.page == prev.page and ln.size >= headline and ln.top - prev.bottom <= ln.size


def _table_lines(table: _Table) -> list[str]:
    """One line per row, cells separated by tabs, a merged cell's text only where it starts."""
    seen: set[int] = set()
    out = []
    for row in _owners(table):
        cells = []
        for i in row:
            if i is not None and i not in seen:
                seen.add(i)
                if table.cells[i].text:
                    cells.append(table.cells[i].text)
        if cells:
            out.append("\t".join(cells))
    return out
