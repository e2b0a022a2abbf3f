"""The crawler's own errors: plain exceptions whose text is one line for an operator.

The crawler never decides exit codes (it runs under `scrapy crawl` as well as under `ogi`);
`ogi/errors.py` maps these classes to exit codes and prints the line.
"""
from __future__ import annotations


class CrawlerError(Exception):
    """Base of every error the crawler raises on purpose; `str(exc)` is the whole message."""


class LockHeld(CrawlerError):
    """Another crawl (or archive writer) holds the archive's crawl lock."""


class LockUnusable(CrawlerError):
    """The crawl lock file cannot be opened (a directory missing permissions, a file in the way)."""


class DistributedError(CrawlerError):
    """Redis cannot be reached, or there is no run to join."""


class BadRecord(CrawlerError):
    """A record on a run's Redis list that is not one of the typed records (crawler.records)."""
