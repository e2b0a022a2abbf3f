"""Errors the CLI turns into one line on stderr and an exit code, and the exit codes of the
errors the lower layers raise (each package raises its own; only `ogi/` knows exit codes).

| error | raised by | exit |
|---|---|---|
| `UsageError` | `ogi/` (bad option, nothing selected) | 2 |
| `OgiError` | `ogi/` (no archive, cannot write…) | 1 |
| `extract.NotAReport`, `extract.ImageOnly` | `extract/`: read, but not an OGI annual report | 3 |
| any other `extract.ExtractError` (`Unreadable`, `Unsupported`, `TimeLimit`, `MemoryLimit`) | `extract/`: cannot be read | 2 |
| `crawler.errors.CrawlerError` (lock held, Redis, sources file) | `crawler/` | 1 |
| `archive.errors.ArchiveError` (busy past the timeout, disk full, a damaged or newer archive) | `archive/` | 1 |
"""
from __future__ import annotations


class OgiError(Exception):
    exit_code = 1


class UsageError(OgiError):
    exit_code = 2


def exit_code(exc: BaseException) -> int | None:
    """The exit code for `exc` if it is an error of ours (any layer), else None (a bug)."""
    if isinstance(exc, OgiError):
        return exc.exit_code
    # Imported here: the CLI starts without loading the extractor or Scrapy.
    from archive.errors import ArchiveError
    from crawler.errors import CrawlerError
    from extract.report import ExtractError, NotAReport

    if isinstance(exc, NotAReport):
        return 3
    if isinstance(exc, ExtractError):
        return 2
    if isinstance(exc, (CrawlerError, ArchiveError)):
        return 1
    return None
