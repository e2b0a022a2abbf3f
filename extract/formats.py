"""Every document format we meet, in one table: what it is called, how its files are named, how
servers label it, what its first bytes are, and which reader turns it into a `Document`.

Everything that needs to know about formats derives from `FORMATS`:
- the sniffer (`extract.pipeline.sniff_format`) and the reader dispatch (`reader_of`);
- `ogi extract` walking a folder (`file_extensions()`: document files, readable or not);
- the crawler's link judging (`attachment_extensions()`: files worth fetching from a report
  page, readable or not, so an unsupported report is archived as such rather than missed);
- Datasette's download of an archived original (`content_type_of`).

A format with `reader=None` is recognised but unsupported: extraction raises `Unsupported`
(status `unsupported` in `failures`), the raw bytes are kept, and a later extractor that learns
the format recovers it with `ogi reextract`. Pure data and lookups: no imports of readers here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # the `format` column of `versions` and `Report.format`
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the canonical one
    content_types: tuple[str, ...]  # lower case, no parameters; the first is what we serve
    reader: str | None  # "module:function" taking bytes (text formats: bytes, content type)
    attachment: bool  # a file a report page links for download (not a web page)
    magic: tuple[bytes, ...] = ()  # leading bytes that identify it (container formats: see below)
    description: str = ""

    @property
    def text(self) -> bool:
        """A text format: its reader also takes the HTTP content type (for the charset)."""
        return not self.attachment


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, .wps, .xls, .et all start so
ZIP = b"PK\x03\x04"  # .docx, .xlsx and .ofd are zip packages, told apart by their part names

FORMATS: tuple[Format, ...] = (
    Format("html", (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"),
           ("text/html", "application/xhtml+xml"), "extract.html:read_html", False,
           description="a web page"),
    Format("txt", (".txt",), ("text/plain",), "extract.text:read_text", False,
           description="flattened text"),
    Format("pdf", (".pdf",), ("application/pdf",), "extract.pdf:read_pdf", True, (b"%PDF",),
           description="PDF"),
    Format("docx", (".docx",),
           ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
           "extract.office:read_docx", True, (ZIP,), "Word 2007+"),
    Format("doc", (".doc",), ("application/msword",), "extract.office:read_doc", True, (OLE2,),
           "Word 97-2003 (through LibreOffice)"),
    Format("wps", (".wps",), ("application/kswps", "application/wps-office.wps", "application/vnd.ms-works"),
           "extract.office:read_wps", True, (OLE2,), "WPS Writer (Word 97 binary, through LibreOffice)"),
    Format("xlsx", (".xlsx",), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
           "extract.office:read_xlsx", True, (ZIP,), "Excel 2007+"),
    Format("xls", (".xls",), ("application/vnd.ms-excel",), "extract.office:read_xls", True, (OLE2,),
           "Excel 97-2003"),
    # Recognised, no reader yet.
    Format("ofd", (".ofd",), ("application/ofd",), None, True, (ZIP,),
           "OFD (GB/T 33190, China's fixed-layout format)"),
    Format("et", (".et",), ("application/kset", "application/wps-office.et"), None, True, (OLE2,),
           "WPS Spreadsheets"),
)

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
_BY_EXTENSION: dict[str, Format] = {ext: f for f in FORMATS for ext in f.extensions}
_BY_CONTENT_TYPE: dict[str, Format] = {ct: f for f in FORMATS for ct in f.content_types}


def by_extension(url_or_path: str) -> Format | None:
    """The format a URL's or file's extension names (query and fragment ignored)."""
    path = url_or_path.split("#", 1)[0].split("?", 1)[0]
    return _BY_EXTENSION.get(os.path.splitext(path)[1].lower())


def by_content_type(content_type: str | None) -> Format | None:
    return _BY_CONTENT_TYPE.get((content_type or "").split(";")[0].strip().lower())


def reader_of(name: str) -> str | None:
    """"module:function" of the reader of a format, None if we cannot read it."""
    return BY_NAME[name].reader


def content_type_of(name: str | None) -> str | None:
    fmt = BY_NAME.get(name or "")
    return fmt.content_types[0] if fmt else None


def file_extensions(*, readable_only: bool = False) -> frozenset[str]:
    """Extensions of the document files we know (`ogi extract` on a folder takes them all, so
    an OFD report is answered as unsupported rather than skipped in silence)."""
    return frozenset(ext for f in FORMATS if f.reader or not readable_only for ext in f.extensions)


def attachment_extensions() -> tuple[str, ...]:
    """Extensions (no dot) of downloadable documents a report page may link, supported or not."""
    return tuple(ext[1:] for f in FORMATS if f.attachment for ext in f.extensions)
