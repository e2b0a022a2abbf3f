"""Hostile and pathological documents of issue 18, made small on disk in a few milliseconds.

Bombs are written without ever holding the inflated data: a deflate stream of N copies of a
chunk is one compressed copy repeated N times (each ends with a full flush, so the copies do not
refer to one another) plus the checksum, computed chunk by chunk. Used by tests/test_limits.py
and bench/hostile.py.
"""
from __future__ import annotations

import struct
import zlib

MiB = 1024 * 1024
TITLE = "某某县统计局2023年政府信息公开工作年度报告"


# --------------------------------------------------------------------------------------------
# Deflate without the inflated bytes
# --------------------------------------------------------------------------------------------

def raw_deflate_repeated(chunk: bytes, times: int) -> bytes:
    """Raw deflate data (no header) of `chunk * times`."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    return first + again * (times - 1) + tail if times > 1 else first + tail


def zlib_repeated(chunk: bytes, times: int) -> bytes:
    """zlib data (FlateDecode) of `chunk * times`."""
    check = 1
    for _ in range(times):
        check = zlib.adler32(chunk, check)
    return b"\x78\xda" + raw_deflate_repeated(chunk, times) + struct.pack(">I", check)


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

def pdf(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pdf_page(content: bytes, filters: bytes = b"/FlateDecode", extra: list[bytes] = ()) -> bytes:
    """One page whose content stream is `content` (already encoded with `filters`)."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(b"/Filter " + filters if filters else b"", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ])


def pdf_content_bomb(inflated: int = 1024 * MiB) -> bytes:
    """A page whose content stream inflates to `inflated` bytes of "0 " (a number per 2 bytes:
    pdfminer builds an object for each)."""
    chunk = b"0 " * (MiB // 2)
    return pdf_page(zlib_repeated(chunk, inflated // MiB))


def pdf_text(text: bytes = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET") -> bytes:
    return pdf_page(zlib.compress(text))


# --------------------------------------------------------------------------------------------
# Office Open XML
# --------------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>').encode()
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rels(target: str, kind: str = "officeDocument") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/{kind}" Target="{target}"/></Relationships>').encode()


def zip_of(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, crc32, uncompressed size) members, written by hand
    because zipfile cannot take data already compressed."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        fname = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(fname), 0)
        out += fname + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(fname), 0, 0, 0, 0, 0, offset)
        central += fname
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def _member(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)


def _repeated_member(name: str, head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[str, bytes, int, int]:
    """A member holding head + chunk * times + tail, compressed without building it."""
    # Each piece is padded to a whole deflate stream boundary with full flushes, then joined.
    # A small chunk is grouped first, so the flushes cost nothing next to it.
    group = max(1, (64 * 1024) // max(len(chunk), 1))
    if times >= 2 * group:
        tail = chunk * (times % group) + tail
        chunk, times = chunk * group, times // group
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    data += first + again * (times - 1) + comp.compress(tail) + comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return name, data, crc, len(head) + len(chunk) * times + len(tail)


def docx_document(body: bytes, *, repeat: int = 1, tail: bytes = b"") -> bytes:
    """A .docx whose body is `body` repeated `repeat` times (then `tail`)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    end = tail + b"</w:body></w:document>"
    if body.startswith(b"0"):  # a bomb of text: one paragraph around it
        head, end = head + b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>" + end
    return zip_of([
        _member("[Content_Types].xml", _CT),
        _member("_rels/.rels", _rels("word/document.xml")),
        _repeated_member("word/document.xml", head, body, repeat, end),
    ])


def docx_paragraphs(count: int) -> bytes:
    """A .docx of `count` one-word paragraphs (3 XML elements each)."""
    return docx_document(b"<w:p><w:r><w:t>0</w:t></w:r></w:p>", repeat=count)


def docx_numbered_paragraphs(count: int) -> bytes:
    """A .docx of `count` numbered paragraphs: no repetition for a ratio check to catch."""
    return docx_document(b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % i for i in range(count)))


def docx_bomb(inflated: int = 1024 * MiB) -> bytes:
    """A .docx whose document.xml is `inflated` bytes, nearly all one paragraph's text."""
    return docx_document(b"0" * MiB, repeat=inflated // MiB)


def xlsx_workbook(sheet_data: bytes = b"", *, repeat: int = 1, merges: list[str] = ()) -> bytes:
    """A one-sheet .xlsx: `sheet_data` (rows) repeated `repeat` times, and merged ranges."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    merge = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
             + "</mergeCells>").encode() if merges else b""
    return zip_of([
        _member("[Content_Types].xml", _CT),
        _member("_rels/.rels", _rels("xl/workbook.xml")),
        _member("xl/workbook.xml", (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{_REL}">'
                                    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()),
        _member("xl/_rels/workbook.xml.rels", _rels("worksheets/sheet1.xml", "worksheet")),
        _repeated_member("xl/worksheets/sheet1.xml",
                         f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'.encode(),
                         sheet_data, repeat, b"</sheetData>" + merge + b"</worksheet>"),
    ])


def xlsx_numbered_cells(rows: int, cols: int = 10) -> bytes:
    """A .xlsx of rows x cols distinct numbers."""
    return xlsx_workbook(b"".join(b"<row>" + b"".join(b"<c><v>%d</v></c>" % (r * cols + c) for c in range(cols))
                                  + b"</row>" for r in range(rows)))


def xlsx_cells(rows: int, cols: int = 10) -> bytes:
    """A .xlsx of rows x cols numeric cells (rows without numbers: Excel allows it)."""
    row = b"<row>" + b"<c><v>1</v></c>" * cols + b"</row>"
    return xlsx_workbook(row, repeat=rows)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

def html_page(body: str, title: str = TITLE) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>")


def table_page(size: int, cols: int = 8) -> bytes:
    """A page with one table of numbers, `size` bytes long."""
    row = "<tr>" + "".join(f"<td>{c}</td>" for c in range(100, 100 + cols)) + "</tr>\n"
    head = html_page("<table>\n", TITLE).replace("</body></html>", "")
    rows = max(1, (size - len(head)) // len(row))
    return (head + row * rows + "</table></body></html>").encode()


def span_page(size: int = 20_000, span: int = 100) -> bytes:
    """About `size` bytes of cells spanning `span` rows and columns each."""
    cell = f'<td rowspan="{span}" colspan="{span}">1</td>'
    row = "<tr>" + cell * 4 + "</tr>"
    return html_page("<table>" + row * max(1, size // len(row)) + "</table>").encode()


def deep_page(depth: int, tag: str = "div", inner: str = "") -> bytes:
    """`inner` under `depth` unclosed `tag` elements."""
    return html_page(f"<{tag}>" * depth + inner).encode()
