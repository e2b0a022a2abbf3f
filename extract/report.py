"""The result of extracting one document: metadata, template figures and checks."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Figures = dict[str, dict[str, dict[str, float | int]]]  # table -> row -> column -> value


class ExtractError(Exception):
    """Base class: `reason` is a one-line, human-readable explanation; `status` is what the
    archive's `failures.status` records. Exit codes are the CLI's business (ogi/errors.py)."""

    status = "error"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Unreadable(ExtractError):
    """The bytes cannot be read as a document (corrupt, truncated, encrypted, too large...)."""

    status = "unreadable"


class Unsupported(ExtractError):
    """A document format we recognise but have no reader for (OFD, WPS spreadsheets...): kept
    as raw bytes, so a later extractor with a reader can read it (`ogi reextract`)."""

    status = "unsupported"


class NotAReport(ExtractError):
    """The document was read but is not an OGI annual report."""

    status = "not_a_report"


class ImageOnly(NotAReport):
    """A scanned report: pages are pictures, there is no text to extract."""

    status = "image_only"


class TimeLimit(ExtractError):
    """Extraction ran past its wall-clock deadline (extract.isolation) and was stopped."""

    status = "time_limit"


class MemoryLimit(ExtractError):
    """Extraction needed more memory than its limit (extract.isolation) and was stopped."""

    status = "memory_limit"


class WorkerDied(Unreadable):
    """The extraction worker died while reading the document (a crash in C code, a kill from
    outside): the document is kept as a failure, and the crawl counts the death as a fault."""

    status = "worker_died"


# `failures.status` -> the error class that records it (for records that cross a process or a
# machine as data: crawler.records).
ERRORS = {cls.status: cls for cls in (ExtractError, Unreadable, Unsupported, NotAReport, ImageOnly,
                                      TimeLimit, MemoryLimit, WorkerDied)}


@dataclass(frozen=True)
class Check:
    rule: str
    ok: bool
    detail: str


@dataclass
class Report:
    title: str | None
    agency: str | None
    year: int | None
    published: str | None  # YYYY-MM-DD
    source_url: str | None
    format: str  # html | txt | pdf | docx | doc | wps | xls | xlsx
    template: str  # "2021" | "2019" | "pre2019" | "unknown"
    figures: Figures = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    # "table.row.col" -> the sentence or 统计表 row a figure not read from a template table came from.
    evidence: dict[str, str] = field(default_factory=dict)
    # Per table: which identities and text checks were evaluated and hold (extract/consistency.py).
    consistency: dict = field(default_factory=dict)
    # null, or {"engine": "<name version>", "pages": n, ...} when figures were read by OCR
    # (extract/scan.py): researchers weigh such figures accordingly.
    ocr: dict | None = None
    # Normalised main text (no page chrome): what versioning hashes and full-text search indexes.
    text: str = ""

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not with_text:
            out.pop("text")
        return out
