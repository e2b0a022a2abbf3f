"""The archive seam: everything a crawl run asks of the archive, as one declared interface.

    RunArchive                 what the crawl needs (a typing.Protocol)
    ├── LocalArchive           crawler/local.py: writes archive.Archive; a single-machine crawl,
    │                          and the archive writer of a distributed crawl (crawler/writer.py)
    └── RedisSender            crawler/sender.py: a distributed worker; sends each call as a typed
                               record (crawler.records) to the writer, which makes the same
                               LocalArchive call

The crawl (spider, middlewares, pipeline, crawler.run.CrawlRun) only ever talks to a
`RunArchive`, so a change that works on one machine either works distributed or fails
`tests/test_seam.py`, which holds both implementations to this Protocol.

Counting: an implementation counts in the run's ledger what the archive decided (new / changed /
unchanged / failed / removed, reports); the spider counts what the crawl saw (pages, errors,
blocked). A worker's archive decisions are therefore counted by the writer, and the two ledgers
are merged when the run closes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

from crawler.records import Document, Fetched, Gone, NotModified, SourceInfo


@dataclass
class RunResult:
    summary: dict  # crawler.summary.build: what `crawl_runs.summary` holds and the CLI prints
    health: list[dict] = field(default_factory=list)  # the run's `source_health` rows


@runtime_checkable
class RunArchive(Protocol):
    def open_run(self, sources: Sequence[SourceInfo]) -> int | str:
        """Start (or, after a JOBDIR resume, continue) the run; its id."""

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-GET headers (If-None-Match / If-Modified-Since) for a document we hold."""

    def fetched(self, record: Fetched) -> None:
        """One HTTP exchange, for the `fetches` log."""

    def not_modified(self, record: NotModified) -> None:
        """A 304 for a document we hold: it is still there, unchanged."""

    def document(self, record: Document) -> None:
        """A fetched document and its extraction outcome: store it, count the outcome."""

    def gone(self, record: Gone) -> None:
        """A 404/410: a report we hold was taken down, or a link was dead."""

    def close_run(self, reason: str) -> RunResult:
        """End the run (removals if it finished complete, summary, health) and release the archive."""
