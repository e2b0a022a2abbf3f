"""bytes → Document (a reader per format) → Report (shared figures, metadata, checks)."""
from __future__ import annotations

from collections.abc import Mapping
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
from extract.report import ExtractError, ImageOnly, NotAReport, Report, Unreadable, Unsupported
from extract.scan import OcrLimits, ScanReading

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


def extract_report(data: bytes, url: str = "", content_type: str | None = None,
                   resources: Mapping[str, bytes] | None = None, ocr_limits: OcrLimits | None = None) -> Report:
    """Extract one report. Raises `Unreadable`, `Unsupported`, or `NotAReport`/`ImageOnly`.

    `resources`: bytes of the images an HTML page shows, by absolute URL, fetched with the page;
    a report whose tables are pictures is then read by OCR, as are image-only PDFs and the
    pictures of a DOCX (extract/scan.py). `ocr_limits`: pages and seconds of OCR allowed for
    this document (default: `OcrLimits.from_env()`).
    """
    if not data or not data.strip():
        raise NotAReport("empty document")
    if len(data) > MAX_BYTES:
        raise Unreadable(f"document is {len(data) // (1024 * 1024)} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
    fmt = sniff_format(data, url, content_type)
    limits = ocr_limits or OcrLimits.from_env()
    reading: ScanReading | None = None
    try:
        if fmt == "pdf":  # the other readers check their own limits (extract.limits)
            check_pdf(data)
        doc = read_document(data, fmt, content_type)
    except ImageOnly as exc:
        reading = _ocr(lambda scan: scan.scan_pdf(data, None, limits), exc.reason) if fmt == "pdf" else None
        if reading is None:
            raise
        doc = reading.document
    except ExtractError:
        raise
    except Exception as exc:  # a malformed file must become a recorded failure, never a crash
        raise Unreadable(f"cannot read {fmt}: {type(exc).__name__}: {str(exc)[:200]}") from exc
    # Figures the sentences state: checked against the tables, the figures of pre-2019 reports, and
    # for table 2 what chooses between the splits of a run of digits (see `find_figures`).
    statements = _statements(doc, url)
    stated = resolve(statements, strict=True)
    figures = find_figures(doc.blocks, stated={k: st.value for k, st in stated.items() if k.startswith("active.")})
    given = None
    if reading is None and "applications" not in figures and _may_be_report(doc, figures, url):
        # No table 3 in the text: its tables may be pictures (图片版 pages, pasted scans).
        reading = _ocr_pictures(data, fmt, url, content_type, resources, limits)
        if reading is not None:
            given = figures
            doc = _with_scan(doc, reading)
    if reading is not None:
        statements = _statements(doc, url)  # the scan's text states figures too
        stated = resolve(statements, strict=True)
        figures, counts = _trusted(doc, reading, given)
        reading.info.update(figures=counts)
    meta = find_metadata(doc, figures, _cell_text(doc), url)
    scan_only = reading is not None and given is None
    if not meta.is_report:
        if scan_only and len(doc.text) < 40:
            raise ImageOnly("image-only PDF: OCR found no text")
        raise NotAReport(f"scanned document, by its OCR text: {meta.reason}" if scan_only else meta.reason)
    template = decide_template(meta.template, meta.year, figures, doc.text)
    older = read_older(doc, statements) if template == "pre2019" else None
    if older is not None:
        figures = older.figures
    if scan_only and not figures:
        # A scan whose figures OCR could not read stays a failure to retry (`ogi reextract`
        # with a better engine), not a report version without figures.
        raise ImageOnly("image-only PDF: OCR read no figure of the template")
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
        ocr=reading.info if reading is not None else None,
        text=doc.text,
    )


def _statements(doc: Document, url: str) -> list:
    """What the report's sentences state (extract.narrative), read once per text."""
    year, _published = year_and_published(doc, url)
    return read_statements(doc.text, year)


def _may_be_report(doc: Document, figures, url: str) -> bool:
    """Worth OCR's seconds: the text says it is a report, or there is hardly any text to say
    anything (a page or file that is all pictures). A budget or a notice with a picture is not."""
    return len(doc.text.strip()) < 200 or find_metadata(doc, figures, _cell_text(doc), url).is_report


def _ocr(run, reason: str = "") -> ScanReading | None:
    """Run OCR, turning an engine failure into the image-only failure it replaces."""
    from extract import scan

    try:
        return run(scan)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken picture or engine must not crash extraction
        raise ImageOnly(f"{reason or 'scanned document'}; OCR failed: {type(exc).__name__}: {str(exc)[:200]}") from None


def _ocr_pictures(data: bytes, fmt: str, url: str, content_type: str | None,
                  resources: Mapping[str, bytes] | None, limits: OcrLimits) -> ScanReading | None:
    if not limits.enabled:
        return None
    if fmt == "pdf":
        return _ocr(lambda scan: scan.scan_pdf(data, pages, limits) if (pages := scan.pdf_picture_pages(data)) else None)
    if fmt in ("docx", "doc", "wps") and data.startswith(b"PK"):
        return _ocr(lambda scan: scan.scan_pictures(scan.docx_pictures(data), limits, fmt))
    if fmt == "html" and resources:
        return _ocr(lambda scan: scan.scan_pictures(scan.html_pictures(data, url, dict(resources), content_type),
                                                    limits, fmt))
    return None


def _with_scan(doc: Document, reading: ScanReading) -> Document:
    """The document's own text and tables, then what OCR read in its pictures."""
    scanned = reading.document
    return Document(format=doc.format, text="\n".join(t for t in (doc.text, scanned.text) if t),
                    blocks=[*doc.blocks, *scanned.blocks], title=doc.title, published=doc.published,
                    ocr=reading.info)


def _trusted(doc: Document, reading: ScanReading, given) -> tuple[dict, dict]:
    from extract.scan import trusted_figures

    figures = find_figures(doc.blocks)
    own = doc.blocks[:len(doc.blocks) - len(reading.document.blocks)]
    masked = find_figures([*own, *reading.masked_blocks])
    return trusted_figures(figures, masked, evaluate(figures), given)


def _cell_text(doc: Document) -> str:
    return " ".join(c.text for b in doc.blocks for row in b.rows for c in row if c.text)


__all__ = ["MAX_BYTES", "extract_report", "read_document", "sniff_format", "Unreadable"]
