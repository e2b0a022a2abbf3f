"""bytes → Document (a reader per format) → Report (shared figures, metadata, checks)."""
from __future__ import annotations

from importlib import import_module

from extract import formats
from extract.checks import evaluate
from extract.consistency import summarize
from extract.document import Document
from extract.figures import find_figures
from extract.limits import check_pdf
from extract.meta import find_metadata, year_and_published
from extract.narrative import read_statements, resolve, text_checks
from extract.older import decide_template, read_older
from extract.report import ExtractError, NotAReport, Report, Unreadable, Unsupported

# Reports are a few MB at most; anything bigger is a mistake or an attack on memory.
MAX_BYTES = 50 * 1024 * 1024

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<body", b"<div", b"<table", b"<p", b"<title")
# Zip packages are told apart by their main part's name (in the local headers at the start, or
# in the central directory at the end).
_ZIP_PARTS = ((b"word/", "docx"), (b"xl/", "xlsx"), (b"OFD.xml", "ofd"))


def sniff_format(data: bytes, url: str = "", content_type: str | None = None) -> str:
    """Decide the format (a name of `extract.formats.FORMATS`) from magic bytes first (servers
    often lie), then type, then extension."""
    head = data[:8]
    named = formats.by_extension(url)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(formats.ZIP):
        for part, name in _ZIP_PARTS:
            if part in data[:4096] or part in data[-65536:]:
                return name
    if head.startswith(formats.OLE2[:4]):  # compound file: .doc, .wps, .xls or .et
        if named is not None and formats.OLE2 in named.magic:
            return named.name
        return "xls" if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data[:65536] else "doc"
    sample = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith(_HTML_STARTS) or sample.startswith(b"<?xml") and b"<html" in sample:
        # Agencies save HTML with a .doc name, and servers label anything text/html: the bytes win.
        return "html"
    labelled = formats.by_content_type(content_type)
    if "txt" in (getattr(named, "name", None), getattr(labelled, "name", None)):
        return "txt"
    if labelled is not None and labelled.name == "html":
        return "html"
    if named is not None:
        return named.name
    if labelled is not None:
        return labelled.name
    return "txt"


def read_document(data: bytes, fmt: str, content_type: str | None = None) -> Document:
    """Read `data` as format `fmt`; `Unsupported` for a format we know but cannot read."""
    spec = formats.BY_NAME[fmt]
    if spec.reader is None:
        raise Unsupported(f"{spec.description or fmt} documents are not supported yet")
    module, func = spec.reader.split(":")
    reader = getattr(import_module(module), func)
    # Only text formats need the HTTP charset; binary readers take the bytes alone.
    return reader(data, content_type) if spec.text else reader(data)


def extract_report(data: bytes, url: str = "", content_type: str | None = None) -> Report:
    """Extract one report. Raises `Unreadable`, `Unsupported`, or `NotAReport`/`ImageOnly`."""
    if not data or not data.strip():
        raise NotAReport("empty document")
    if len(data) > MAX_BYTES:
        raise Unreadable(f"document is {len(data) // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
    fmt = sniff_format(data, url, content_type)
    try:
        if fmt == "pdf":  # the other readers check their own limits (extract.limits)
            check_pdf(data)
        doc = read_document(data, fmt, content_type)
    except ExtractError:
        raise
    except Exception as exc:  # a malformed file must become a recorded failure, never a crash
        raise Unreadable(f"cannot read {fmt}: {type(exc).__name__}: {str(exc)[:200]}") from exc
    # Figures the sentences state: checked against the tables, the figures of pre-2019 reports, and
    # for table 2 what chooses between the splits of a run of digits (see `find_figures`).
    year, _published = year_and_published(doc, url)
    statements = read_statements(doc.text, year)
    stated = resolve(statements, strict=True)
    figures = find_figures(doc.blocks, stated={k: st.value for k, st in stated.items() if k.startswith("active.")})
    meta = find_metadata(doc, figures, _cell_text(doc), url)
    if not meta.is_report:
        raise NotAReport(meta.reason)
    template = decide_template(meta.template, meta.year, figures, doc.text)
    older = read_older(doc, statements) if template == "pre2019" else None
    if older is not None:
        figures = older.figures
    from_text = frozenset(older.from_text) if older is not None else frozenset()
    checks = evaluate(figures, template) + text_checks(stated, figures, from_text)
    return Report(
        title=meta.title,
        agency=meta.agency,
        year=meta.year,
        published=meta.published,
        source_url=meta.source_url,
        format=doc.format,
        template=template,
        figures=figures,
        checks=checks,
        evidence=older.evidence if older is not None else {},
        consistency=summarize(checks, figures),
        text=doc.text,
    )


def _cell_text(doc: Document) -> str:
    return " ".join(c.text for b in doc.blocks for row in b.rows for c in row if c.text)


__all__ = ["MAX_BYTES", "extract_report", "read_document", "sniff_format", "Unreadable"]
