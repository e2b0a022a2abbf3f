"""How much work one document may cause, and the cheap checks that refuse it before a reader runs.

A report is a few dozen pages with three small tables; a file that needs far more than that to
read is broken or hostile, and reading it anyway can stall a crawl or exhaust a machine's memory
(a 3 MB PDF whose content stream inflates to 1 GiB, a zip bomb, a sheet with a million merged
cells). Each check here costs a small fraction of the reading it protects, measures the file
without building what a reader would build (counting tags, inflating streams with a bounded
decompressor), and raises `Unreadable` with a one-line reason naming the limit. The limits are
stated once, here, and listed in the README; each is far above any real report (see the notes).

The reader's own wall-clock deadline and memory limit (the extraction worker pool) are the
backstop for what these checks cannot see.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib

from extract.report import Unreadable

MiB = 1024 * 1024

# --- HTML ------------------------------------------------------------------------------------
# Elements (start tags) in one page. A Word-exported report is 5-30k; a 4 MB table page 400k.
MAX_HTML_ELEMENTS = 500_000
# Grid positions of all the tables of one page once spans are expanded (rows x columns). The
# three template tables are ~600; long listings a few 10k.
MAX_GRID_CELLS = 200_000
# A cell spans at most this many columns (report tables have 10-20); rowspans stop at the
# table's last row, as browsers do.
MAX_COLSPAN = 100
# Nesting depth the HTML parser accepts (libxml2's limit with its huge-tree option; Word-pasted
# inline runs are flattened first, so only block nesting counts).
MAX_HTML_DEPTH = 2048

# --- PDF -------------------------------------------------------------------------------------
# Objects in the file (numbered objects plus those packed in object streams). A 300-page
# report has a few 10k.
MAX_PDF_OBJECTS = 500_000
# Decoded bytes of one stream pdfminer interprets (page content, form, object stream). A dense
# report page is 50-500 KB; pdfminer needs ~8 bytes of memory and ~1 s per 100 KB of it.
MAX_PDF_STREAM_BYTES = 16 * MiB
# Decoded bytes of one embedded font program (a whole CJK TrueType font is 10-20 MB).
MAX_PDF_FONT_BYTES = 64 * MiB
# Decoded bytes of all the streams above, together.
MAX_PDF_DECODED_BYTES = 256 * MiB
# Pixels of one image (a 600 dpi A3 scan is 70 million).
MAX_PDF_IMAGE_PIXELS = 150_000_000

# --- Office Open XML (.docx, .xlsx) ------------------------------------------------------------
# Bytes all the members unpack to (a report with photos: a few 10 MB).
MAX_OOXML_UNPACKED_BYTES = 200 * MiB
# An XML part bigger than 1 MiB may compress at most this well (Word and Excel XML: 5-30x;
# zip bombs: 1000x).
MAX_OOXML_RATIO = 100
# XML elements in all the parts (a 50-page Word report: ~200k). python-docx needs ~175 bytes
# and ~4 µs per element.
MAX_OOXML_ELEMENTS = 1_000_000
# Cells present in all the sheets of a workbook (a report's tables: ~500), and cells covered by
# merged ranges (openpyxl makes an object for each one: ~50 µs).
MAX_XLSX_CELLS = 100_000
MAX_XLSX_MERGED_CELLS = 100_000

# --- Legacy Office (.doc, .wps, .xls) ------------------------------------------------------------
# Input size for LibreOffice and xlrd, which read the whole file with no limit of their own.
MAX_LEGACY_BYTES = 32 * MiB

_CHUNK = 1 * MiB


def _mb(n: int) -> str:
    return f"{n / MiB:,.0f} MB" if n >= MiB else f"{n:,} bytes"


# =============================================================================================
# HTML
# =============================================================================================

def check_html(data: bytes | str) -> None:
    """Refuse a page with more elements than `MAX_HTML_ELEMENTS` before parsing it.

    Every element starts with "<" and every end tag with "</": their difference counts start
    tags (and comments), in C, without a parser.
    """
    lt, close = (b"<", b"</") if isinstance(data, bytes) else ("<", "</")
    elements = data.count(lt) - data.count(close)
    if elements > MAX_HTML_ELEMENTS:
        raise Unreadable(f"HTML page has about {elements:,} elements, over the "
                         f"{MAX_HTML_ELEMENTS:,}-element limit")


def too_deep() -> Unreadable:
    return Unreadable(f"HTML page nested deeper than {MAX_HTML_DEPTH:,} levels (the parser's limit)")


# =============================================================================================
# Office Open XML
# =============================================================================================

# Start tags of spreadsheet cells and merged ranges, with or without a namespace prefix.
_XLSX_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_XLSX_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})"
                         rb"(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")


def check_ooxml(data: bytes, what: str) -> None:
    """Refuse a .docx/.xlsx whose parts unpack too big, compress too well, hold too many XML
    elements or (workbooks) too many cells or merged cells. `what` names the format (".docx").

    The declared sizes bound what zipfile will ever inflate (it stops at them), so they are
    checked first; the XML parts are then inflated once, a chunk at a time, to count tags.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > MAX_OOXML_UNPACKED_BYTES:
                raise Unreadable(f"{what} file unpacks to {_mb(unpacked)}, over the "
                                 f"{_mb(MAX_OOXML_UNPACKED_BYTES)} limit")
            xml = [m for m in members if m.filename.lower().endswith((".xml", ".rels", ".vml"))]
            for info in xml:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MiB and ratio > MAX_OOXML_RATIO:
                    raise Unreadable(f"{what} file part {info.filename} unpacks {ratio:,.0f} times "
                                     f"its size, over the {MAX_OOXML_RATIO}x limit (a zip bomb)")
            count = _XmlCount()
            for info in xml:
                sheet = info.filename.startswith("xl/worksheets/")
                with archive.open(info) as part:
                    count.part(part, sheet, what)
    except Unreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise Unreadable(f"damaged {what} file: not a readable zip archive "
                         f"({type(exc).__name__}: {reason})") from None


class _XmlCount:
    def __init__(self):
        self.elements = self.cells = self.merged = 0

    def part(self, stream, sheet: bool, what: str) -> None:
        carry = b""
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            buf = carry + chunk
            # Cut before the last "<" so no tag is split between two chunks.
            cut = buf.rfind(b"<")
            if cut <= 0:
                cut = len(buf) if len(buf) > _CHUNK else 0
            self._count(buf[:cut], sheet, what)
            carry = buf[cut:]
        self._count(carry, sheet, what)

    def _count(self, buf: bytes, sheet: bool, what: str) -> None:
        if not buf:
            return
        self.elements += buf.count(b"<") - buf.count(b"</")
        if self.elements > MAX_OOXML_ELEMENTS:
            raise Unreadable(f"{what} file holds over {MAX_OOXML_ELEMENTS:,} XML elements (the limit)")
        if not sheet:
            return
        self.cells += len(_XLSX_CELL.findall(buf))
        if self.cells > MAX_XLSX_CELLS:
            raise Unreadable(f"{what} workbook holds over {MAX_XLSX_CELLS:,} cells (the limit)")
        if b"mergeCell" in buf:
            for c0, r0, c1, r1 in _XLSX_MERGE.findall(buf):
                rows = abs(int(r1 or r0) - int(r0)) + 1
                cols = abs(_column(c1 or c0) - _column(c0)) + 1
                self.merged += rows * cols
                if self.merged > MAX_XLSX_MERGED_CELLS:
                    raise Unreadable(f"{what} workbook merges over {MAX_XLSX_MERGED_CELLS:,} cells "
                                     f"(the limit; one range is {c0.decode()}{r0.decode()}:"
                                     f"{(c1 or c0).decode()}{(r1 or r0).decode()})")


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


# =============================================================================================
# Legacy Office
# =============================================================================================

def check_legacy(data: bytes, what: str) -> None:
    if len(data) > MAX_LEGACY_BYTES:
        raise Unreadable(f"{what} file is {_mb(len(data))}, over the {_mb(MAX_LEGACY_BYTES)} "
                         f"limit for legacy Office files")


# =============================================================================================
# PDF
# =============================================================================================
# pdfminer and pypdf inflate a stream whole the moment it is read, and pdfminer already inflates
# cross-reference streams while opening the file, so the streams are found here by scanning the
# bytes: every "stream" keyword, the dictionary between it and its "N G obj" header (filters,
# /Length, /Subtype), then the data is decoded through the filter chain with decoders that stop
# past the cap. Image codecs (DCT, JPX, JBIG2, CCITT) end a chain: pdfminer never decodes them.

_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_OBJ_HEADER = re.compile(rb"(\d{1,10})\s+(\d{1,5})\s+obj\b")
_OBJ_BEFORE = re.compile(rb"(\d{1,10})\s+(\d{1,5})\s+$")
_NAME = rb"/((?:[^\s/\[\]<>(){}%#]|#[0-9A-Fa-f]{2})+)"
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|" + _NAME + rb")")
_NAMES = re.compile(_NAME)
_INT = {key: re.compile(rb"/" + key.encode() + rb"\s+(\d{1,12})\b(?!\s+\d+\s+R)")
        for key in ("Length", "Width", "Height", "N", "BitsPerComponent")}
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FONT = re.compile(rb"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)\b")
_XREF = re.compile(rb"/Type\s*/XRef\b")
_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
_ENCRYPT = re.compile(rb"/Encrypt\s+(\d+)\s+(\d+)\s+R")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f\s]*)>\s*<([0-9A-Fa-f\s]*)>")
_CODECS = {b"DCTDecode", b"DCT", b"JPXDecode", b"JBIG2Decode", b"CCITTFaxDecode", b"CCF", b"Crypt"}
_FLATE, _LZW = {b"FlateDecode", b"Fl"}, {b"LZWDecode", b"LZW"}
_A85, _AHX, _RL = {b"ASCII85Decode", b"A85"}, {b"ASCIIHexDecode", b"AHx"}, {b"RunLengthDecode", b"RL"}


class _Over(Exception):
    """A decoder went past its cap."""


def check_pdf(data: bytes) -> None:
    """Refuse a PDF with too many objects or a stream that decodes past its limit."""
    objects = 0
    for objects, _header in enumerate(_OBJ_HEADER.finditer(data), 1):
        if objects > MAX_PDF_OBJECTS:
            raise Unreadable(f"PDF has over {MAX_PDF_OBJECTS:,} objects, the limit")
    decrypt = _decipher(data)
    total = done = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        if match.start() < done:
            continue  # the word inside the data of the stream just measured
        head = data.rfind(b"obj", max(0, match.start() - 65536), match.start())
        dic = data[head + 3:match.start()].strip() if head >= 0 else b""
        if not (dic.startswith(b"<<") and dic.endswith(b">>")):
            continue  # not a stream object's keyword (binary data that happens to spell it)
        numbers = _OBJ_BEFORE.search(data, max(0, head - 40), head)
        length = _int(dic, "Length")
        end = data.find(b"endstream", start) if length is None else min(start + length, len(data))
        if end < 0:
            end = len(data)
        done = end
        if _IMAGE.search(dic):
            kind, cap = "image", _image_cap(dic)
        elif _FONT.search(dic):
            kind, cap = "font", MAX_PDF_FONT_BYTES
        else:
            kind, cap = "stream", MAX_PDF_STREAM_BYTES
        filters = _filters(dic)
        if filters and filters[0] not in _CODECS:
            raw = data[start:end]
            if decrypt is not None and numbers is not None and not _XREF.search(dic):
                try:
                    raw = decrypt(int(numbers[1]), int(numbers[2]), raw)
                except Exception:  # noqa: BLE001 - undecryptable: the reader will say so itself
                    continue
            size = _decoded_size(raw, filters, cap)
        else:  # stored as it is, or an image codec pdfminer never runs
            size = end - start if end - start <= cap else None
        if size is None:
            what = {"image": "an image", "font": "a font program"}.get(kind, "a content or object stream")
            obj = f" (object {int(numbers[1])})" if numbers is not None else ""
            raise Unreadable(f"PDF has {what}{obj} that decodes to over {_mb(cap)}, the limit")
        if kind != "image":
            total += size
            if total > MAX_PDF_DECODED_BYTES:
                raise Unreadable(f"PDF streams decode to over {_mb(MAX_PDF_DECODED_BYTES)} together, the limit")
        if _OBJSTM.search(dic):
            objects += _int(dic, "N") or 0
            if objects > MAX_PDF_OBJECTS:
                raise Unreadable(f"PDF has over {MAX_PDF_OBJECTS:,} objects, the limit")


def _int(dic: bytes, key: str) -> int | None:
    found = _INT[key].search(dic)
    return int(found[1]) if found else None


def _image_cap(dic: bytes) -> int:
    width, height = _int(dic, "Width"), _int(dic, "Height")
    if width is None or height is None:
        return MAX_PDF_FONT_BYTES  # geometry by reference: a generous fixed bound
    if width * height > MAX_PDF_IMAGE_PIXELS:
        raise Unreadable(f"PDF has a {width:,}x{height:,} image, over the "
                         f"{MAX_PDF_IMAGE_PIXELS / 1e6:,.0f}-megapixel limit")
    # The most an image of this size can decode to: 4 components of 16 bits, plus one PNG
    # predictor byte per row.
    return width * height * 8 + height + 4096


def _filters(dic: bytes) -> list[bytes]:
    found = _FILTER.search(dic)
    if not found:
        return []
    value = found[1]
    names = _NAMES.findall(value) if value.startswith(b"[") else [found[2]]
    return [re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), n) for n in names]


def _decoded_size(raw: bytes, filters: list[bytes], cap: int) -> int | None:
    """Bytes `raw` decodes to through `filters`, or None when that is over `cap`."""
    data = raw
    try:
        for name in filters:
            if name in _CODECS:
                break
            if name in _FLATE:
                data = _inflate(data, cap)
            elif name in _LZW:
                data = _lzw(data, cap)
            elif name in _RL:
                data = _run_length(data, cap)
            elif name in _A85:
                from pdfminer.ascii85 import ascii85decode
                data = ascii85decode(data)
            elif name in _AHX:
                from pdfminer.ascii85 import asciihexdecode
                data = asciihexdecode(data)
            else:
                break  # unknown: pdfminer leaves the data as it is
    except _Over:
        return None
    except Exception:  # noqa: BLE001 - damaged data: the reader copes or fails on its own
        pass
    return len(data) if len(data) <= cap else None


def _inflate(data: bytes, cap: int) -> bytes:
    # pdfminer inflates damaged streams as far as they go; so does this.
    out, size = [], 0
    inflater = zlib.decompressobj()
    pending = data
    try:
        while not inflater.eof:
            piece = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if not piece and not pending:
                break
            size += len(piece)
            if size > cap:
                raise _Over
            out.append(piece)
    except zlib.error:
        pass
    return b"".join(out)


def _lzw(data: bytes, cap: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out, size = [], 0
    try:
        for piece in LZWDecoder(io.BytesIO(data)).run():
            size += len(piece)
            if size > cap:
                raise _Over
            out.append(piece)
    except _Over:
        raise
    except Exception:  # noqa: BLE001 - pdfminer keeps what decoded before the damage
        pass
    return b"".join(out)


def _run_length(data: bytes, cap: int) -> bytes:
    # PDF RunLengthDecode (PackBits); pdfminer's decoder has no bound, hence this one.
    out = bytearray()
    i = 0
    while i < len(data):
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1:i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1:i + 2] * (257 - n)
            i += 2
        if len(out) > cap:
            raise _Over
    return bytes(out)


def _decipher(data: bytes):
    """pdfminer's decryption for an encrypted PDF opened with the empty user password (how
    agencies' permission-restricted PDFs open), or None. The encryption dictionary is never in
    an object stream, so it is read straight from the bytes."""
    # The last trailer's /Encrypt is the one in effect.
    found = next(reversed(list(_ENCRYPT.finditer(data, max(0, len(data) - 4 * MiB)))), None)
    if found is None:
        return None
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.psparser import literal_name

        header = re.search(rb"(?<!\d)" + found[1] + rb"\s+" + found[2] + rb"\s+obj\b", data)
        if header is None:
            return None
        parser = PDFParser(io.BytesIO(data))
        parser.seek(header.end())
        _pos, param = parser.nextobject()
        if not isinstance(param, dict) or literal_name(param.get("Filter")) != "Standard":
            return None
        ident = _ID.search(data, max(0, len(data) - 4 * MiB))
        docid = [bytes.fromhex(ident[1].decode()), bytes.fromhex(ident[2].decode())] if ident else [b"", b""]
        factory = PDFDocument.security_handler_registry.get(int(param.get("V", 0)))
        if factory is None:
            return None
        handler = factory(docid, param, "")
    except Exception:  # noqa: BLE001 - a password or an unknown scheme: pdf.py reports it
        return None
    _fast_rc4(handler)
    return handler.decrypt


def _fast_rc4(handler) -> None:
    """Give the handler an RC4 from `cryptography`: pdfminer's own grows its output one byte
    at a time (minutes per MB of stream). The per-object key is pdfminer's (PDF 32000 7.6.2)."""
    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
    from cryptography.hazmat.primitives.ciphers import Cipher

    slow = getattr(type(handler), "decrypt_rc4", None)

    def rc4(objid: int, genno: int, data: bytes) -> bytes:
        key = handler.key + struct.pack("<L", objid)[:3] + struct.pack("<L", genno)[:2]
        key = hashlib.md5(key).digest()[:min(len(key), 16)]
        return Cipher(ARC4(key), mode=None).decryptor().update(data)

    handler.decrypt_rc4 = rc4
    for name, method in getattr(handler, "cfm", {}).items():  # V4 crypt filters, bound at init
        if getattr(method, "__func__", None) is slow:
            handler.cfm[name] = rc4


__all__ = [name for name in globals() if name.isupper() and not name.startswith("_")] + [
    "check_html", "check_legacy", "check_ooxml", "check_pdf", "too_deep"]
