"""Word (.docx; .doc and .wps through LibreOffice) and Excel (.xlsx, .xls) attachments → Document.

Word tables become grids with merged cells repeated into every position they cover (w:gridSpan
across, w:vMerge down); a one-column table used as a frame around the report is read as the
content it frames. Each worksheet becomes one block per run of non-empty rows.
"""
from __future__ import annotations

import datetime as dt
import io

from extract.celltext import collapse_cjk_spaces, join_lines, property_title
from extract.libreoffice import libreoffice_convert
from extract.document import Block, Cell, Document
from extract.limits import check_legacy, check_ooxml
from extract.report import Unreadable

# Merged ranges beyond this many cells (whole columns merged for layout) are not repeated.
_MAX_MERGE_CELLS = 10_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _T = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "t"
_GRID_BEFORE = f"{_W}trPr/{_W}gridBefore"
# Block-level wrappers whose children are ordinary paragraphs and tables (content controls,
# custom XML, tracked insertions and moves).
_WRAPPERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo"}
# Never shown as text: deletions and moved-away text of tracked changes, properties, drawings
# (whose text boxes repeat in a VML fallback), field codes.
_SKIP = {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _W + "tcPr", _W + "trPr", _W + "tblPr",
         _W + "drawing", _W + "pict", _W + "object", _MC + "AlternateContent", _W + "instrText",
         _W + "delText", _W + "sdtPr", _W + "sdtEndPr"}


# --------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------

def read_docx(data: bytes) -> Document:
    return _word(data, "docx")


def read_doc(data: bytes) -> Document:
    return _legacy_word(data, "doc")


def read_wps(data: bytes) -> Document:
    # WPS Office saves .wps documents in the Word-97 binary format.
    return _legacy_word(data, "wps")


def _legacy_word(data: bytes, fmt: str) -> Document:
    if data.startswith(_ZIP):  # a .docx saved under the old extension
        return _word(data, fmt)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(_OLE):
        # An OLE container holds a Word document only if it has this stream (LibreOffice would
        # otherwise "convert" any container, or garbage, as plain text).
        if "WordDocument".encode("utf-16-le") not in data:
            raise Unreadable(f"not a Word document: the .{fmt} file has no WordDocument stream")
    # Besides Word-97/WPS binaries: RTF, and the HTML/MHT files Word and WPS also save as ".doc".
    elif not head.startswith((b"{\\rtf", b"<", b"mime-version")):
        raise Unreadable(f"not a Word document: the .{fmt} file has an unknown signature")
    return _word(libreoffice_convert(data, "doc", "docx", f".{fmt}"), fmt)


def _word(data: bytes, fmt: str) -> Document:
    import docx  # python-docx; imported here so PDF-only callers never pay for it

    check_ooxml(data, f".{fmt}")
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        title = property_title(document.core_properties.title)
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors...
        raise Unreadable(f"damaged .{fmt} file: {_reason(exc)}") from None
    walker = _WordWalker()
    try:
        walker.content(body)
    except RecursionError:  # tables nested hundreds deep: hostile, not a report
        raise Unreadable(f"damaged .{fmt} file: tables nested too deep") from None
    return Document(format=fmt, text="\n".join(walker.lines), blocks=walker.blocks, title=title)


class _WordWalker:
    """Walks the body in document order. python-docx's own paragraph and cell text skip
    tracked insertions and content controls, which agencies' files are full of, so the XML
    is read directly."""

    def __init__(self):
        self.lines: list[str] = []
        self.blocks: list[Block] = []
        self._ids = 0

    def content(self, parent) -> None:
        for child in parent:
            tag = child.tag
            if tag == _P:
                for line in _paragraph_text(child).split("\n"):
                    line = collapse_cjk_spaces(line)
                    if line:
                        self.lines.append(line)
            elif tag == _TBL:
                self.table(child)
            elif tag in _WRAPPERS:
                self.content(child)

    def table(self, tbl) -> None:
        rows = [(tr, list(_children(tr, _TC))) for tr in _children(tbl, _TR)]
        if all(len(tcs) <= 1 for _tr, tcs in rows):
            # A one-column table framing the report (or a note): read what it holds.
            for _tr, tcs in rows:
                for tc in tcs:
                    self.content(tc)
            return
        grid: list[dict[int, tuple[int, str]]] = []
        above: dict[int, tuple[int, str]] = {}
        for tr, tcs in rows:
            row: dict[int, tuple[int, str]] = {}
            col = _int_val(tr.find(_GRID_BEFORE), 0)
            for tc in tcs:
                props = tc.find(_W + "tcPr")
                span = vmerge = hmerge = None
                if props is not None:
                    span, vmerge, hmerge = props.find(_W + "gridSpan"), props.find(_W + "vMerge"), props.find(_W + "hMerge")
                span = max(1, min(_int_val(span, 1), 64))
                if vmerge is not None and vmerge.get(_W + "val", "continue") == "continue" and col in above:
                    owner = above[col]
                elif hmerge is not None and hmerge.get(_W + "val", "continue") == "continue" and col - 1 in row:
                    owner = row[col - 1]
                else:
                    owner = (self._next_id(), self._cell_text(tc))
                for c in range(col, col + span):
                    row[c] = owner
                col += span
            grid.append(row)
            above = row
        self._emit(_drop_unused_columns(grid))

    def _emit(self, grid: list[dict[int, tuple[int, str]]]) -> None:
        grid = [row for row in grid if any(text for _id, text in row.values())]
        origins = _origins([{c: ident for c, (ident, _t) in row.items()} for row in grid])
        rows, seen = [], set()
        for row in grid:
            rows.append([Cell(row[c][1], c, origins.get(row[c][0])) for c in sorted(row)])
            cells = []
            for c in sorted(row):
                ident, text = row[c]
                if ident not in seen:
                    seen.add(ident)
                    if text:
                        cells.append(text)
            if cells:
                self.lines.append("\t".join(cells))
        if rows:
            self.blocks.append(Block(rows=rows))

    def _cell_text(self, tc) -> str:
        parts: list[str] = []
        self._collect(tc, parts)
        return join_lines(parts)

    def _collect(self, parent, parts: list[str]) -> None:
        for child in parent:
            if child.tag == _P:
                parts.extend(_paragraph_text(child).split("\n"))
            elif child.tag == _TBL:
                # A table inside a table cell is a table of its own.
                self.table(child)
            elif child.tag in _WRAPPERS:
                self._collect(child, parts)

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids


def _origins(grid: list[dict[int, object]]) -> dict[object, tuple[int, int]]:
    """(row, col) where each cell covering several grid positions starts."""
    first: dict[object, tuple[int, int]] = {}
    count: dict[object, int] = {}
    for r, row in enumerate(grid):
        for c in sorted(row):
            first.setdefault(row[c], (r, c))
            count[row[c]] = count.get(row[c], 0) + 1
    return {ident: pos for ident, pos in first.items() if count[ident] > 1}


def _drop_unused_columns(grid: list[dict]) -> list[dict]:
    """Remove grid columns no cell boundary delimits: when every row has one cell spanning
    columns c and c+1, they are one column (word processors add such grid lines when cell
    widths differ slightly between rows)."""
    cols = sorted({c for row in grid for c in row})
    keep = [c for i, c in enumerate(cols)
            if i == 0 or cols[i - 1] != c - 1 or any(row.get(c) is None or row.get(c) != row.get(c - 1) for row in grid)]
    if len(keep) == len(cols):
        return grid
    index = {c: i for i, c in enumerate(keep)}
    return [{index[c]: owner for c, owner in row.items() if c in index} for row in grid]


def _paragraph_text(p) -> str:
    out: list[str] = []
    _runs(p, out)
    return "".join(out)


def _runs(parent, out: list[str]) -> None:
    for child in parent:
        tag = child.tag
        if tag == _T:
            out.append(child.text or "")
        elif tag in _SKIP:
            continue
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        elif tag == _P:  # a paragraph inside a text box or content control inside this one
            out.append("\n")
            _runs(child, out)
        elif isinstance(tag, str):
            _runs(child, out)


def _children(parent, tag: str):
    """Children with `tag`, looking through content-control and custom-XML wrappers."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _children(child, tag)


def _int_val(el, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_W + "val", default))
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

def read_xlsx(data: bytes) -> Document:
    return _xlsx(data, "xlsx")


def read_xls(data: bytes) -> Document:
    if data.startswith(_ZIP):  # an .xlsx saved under the old extension
        return _xlsx(data, "xls")
    if not data.startswith(_OLE):
        # HTML tables and SpreadsheetML saved as ".xls": LibreOffice reads them all.
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if not head.startswith((b"<", b"mime-version")):
            raise Unreadable("not an Excel workbook: the .xls file has an unknown signature")
        return _xlsx(libreoffice_convert(data, "xls", "xlsx", ".xls"), "xls")
    import xlrd

    check_legacy(data, ".xls")
    try:
        # ragged_rows: a row holds the cells it has; padding every row to the widest one lets a
        # single far-away cell make a sheet of 16 million blanks.
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True,
                                      logfile=io.StringIO())
        except NotImplementedError:  # formatting records xlrd cannot parse: read without merges
            book = xlrd.open_workbook(file_contents=data, ragged_rows=True, logfile=io.StringIO())
        sheets = []
        for sheet in book.sheets():
            values = {}
            for r in range(sheet.nrows):
                for c, cell in enumerate(sheet.row(r)):
                    text = _xls_value(cell, book.datemode)
                    if text:
                        values[(r, c)] = text
            merges = [(rlo, rhi, clo, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
            sheets.append((values, merges))
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, struct errors, IndexError...
        if "encrypt" in str(exc).lower():
            raise Unreadable("encrypted .xls file: a password is needed to open it") from None
        raise Unreadable(f"damaged .xls file: {_reason(exc)}") from None
    return _workbook_document("xls", sheets, title=None)


def _xlsx(data: bytes, fmt: str) -> Document:
    import openpyxl

    check_ooxml(data, f".{fmt}")
    try:
        # data_only: the values Excel computed and saved, not the formulas.
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheets = []
        for ws in book.worksheets:
            # Only the cells present in the file: iter_rows() would walk the whole used
            # rectangle, which formatting alone can stretch to a million rows.
            cells = ws._cells.values() if hasattr(ws, "_cells") else (c for row in ws.iter_rows() for c in row)
            values = {}
            for cell in cells:
                text = _value_text(cell.value)
                if text:
                    values[(cell.row - 1, cell.column - 1)] = text
            merges = [(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges]
            sheets.append((values, merges))
        title = property_title(book.properties.title)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, ValueError, lxml errors...
        if "encrypt" in str(exc).lower():
            raise Unreadable(f"encrypted .{fmt} file: a password is needed to open it") from None
        raise Unreadable(f"damaged .{fmt} file: {_reason(exc)}") from None
    return _workbook_document(fmt, sheets, title)


def _workbook_document(fmt: str, sheets, title: str | None) -> Document:
    lines: list[str] = []
    blocks: list[Block] = []
    for values, merges in sheets:
        grid = dict(values)
        owner: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, r1, c0, c1 in merges:
            text = values.get((r0, c0))
            if not text or (r1 - r0) * (c1 - c0) > _MAX_MERGE_CELLS:
                continue
            for r in range(r0, r1):
                for c in range(c0, c1):
                    grid[(r, c)] = text
                    owner[(r, c)] = (r0, c0)
        by_row = _by_row(grid)
        typed = _by_row(values)
        for rows in _row_runs(by_row):
            first = min(min(by_row[r]) for r in rows)
            last = max(max(by_row[r]) for r in rows)
            # Sheet columns that a merged cell spans in every row are one column of the table.
            cols = [c for c in range(first, last + 1)
                    if c == first or any(owner.get((r, c), (r, c)) != owner.get((r, c - 1), (r, c - 1)) for r in rows)]
            origins = _origins([{i: owner.get((r, c), (r, c)) for i, c in enumerate(cols)} for r in rows])
            blocks.append(Block(rows=[[Cell(by_row[r].get(c, ""), i, origins.get(owner.get((r, c), (r, c))))
                                       for i, c in enumerate(cols)] for r in rows]))
            for r in rows:
                if r in typed:  # text shows a merged cell once, where it was typed
                    lines.append("\t".join(typed[r][c] for c in sorted(typed[r])))
    return Document(format=fmt, text="\n".join(lines), blocks=blocks, title=title)


def _by_row(grid: dict[tuple[int, int], str]) -> dict[int, dict[int, str]]:
    rows: dict[int, dict[int, str]] = {}
    for (r, c), text in grid.items():
        rows.setdefault(r, {})[c] = text
    return rows


def _row_runs(by_row: dict[int, dict[int, str]]) -> list[list[int]]:
    """Row numbers with content, cut into runs at empty rows: one table per run."""
    runs: list[list[int]] = []
    for r in sorted(by_row):
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Stored binary floats: 0.30000000000000004 is the 0.3 the agency typed.
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return join_lines(str(value).splitlines())


def _xls_value(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _value_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _value_text(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return _value_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return _value_text(cell.value)


# --------------------------------------------------------------------------------------------

def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
