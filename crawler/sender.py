"""`RedisSender`: the archive seam (crawler.seam.RunArchive) of a distributed worker.

A worker never opens the SQLite archive (it lives on the writer's machine). Every call of the
seam becomes one typed record (crawler.records, JSON) on the run's Redis list, which the archive
writer (crawler.writer) decodes, validates and hands to the same `LocalArchive` call a
single-machine crawl makes. What a worker needs to read comes from the writer too: it published
the archive's conditional-GET validators when it opened the run.

Extraction runs on the workers (it is the CPU-heavy part of a crawl, and a notice page's
attachments are fetched by the spider that read it), so a `Document` record carries the finished
outcome: a Report or the extraction failure.
"""
from __future__ import annotations

import logging
from typing import Sequence

from crawler import records
from crawler.ledger import Ledger
from crawler.protocol import RedisRun
from crawler.records import Bye, Document, Fetched, Gone, Hello, NotModified, SourceInfo
from crawler.seam import RunResult
from crawler.summary import build

logger = logging.getLogger(__name__)


class RedisSender:
    def __init__(self, run: RedisRun, worker: str, ledger: Ledger):
        self.run, self.worker, self.ledger = run, worker, ledger
        self.sent = {"document": 0, "other": 0}
        self.closed = False  # the writer closed the run: nothing more is sent

    def open_run(self, sources: Sequence[SourceInfo]) -> str:
        self.ledger.begin(s.id for s in sources)
        self.ledger.run_id = self.run.name
        self._send(Hello(list(sources)))
        return self.run.name

    def validators(self, url: str) -> dict[str, str]:
        return self.run.validators(url)

    def fetched(self, record: Fetched) -> None:
        self._send(record)

    def not_modified(self, record: NotModified) -> None:
        self._send(record)

    def document(self, record: Document) -> None:
        self._send(record)

    def gone(self, record: Gone) -> None:
        self._send(record)

    def close_run(self, reason: str) -> RunResult:
        """Say goodbye with this worker's ledger; the run's summary is the writer's."""
        self._send(Bye(reason, self.ledger))
        return RunResult(build(self.ledger.tallies, run_id=self.run.name, reason=reason))

    def _send(self, record) -> None:
        if self.closed:
            return
        if not self.run.push_record(records.encode(self.worker, record)):
            self.closed = True
            logger.error("run %s was closed by its archive writer: this worker stops", self.run.name)
            return
        self.sent["document" if isinstance(record, Document) else "other"] += 1

    def describe(self, result: RunResult) -> str:
        """What `ogi crawl` prints for a worker: its share; the run's summary is the writer's."""
        totals = result.summary["totals"]
        return (f"worker {self.worker} of run {self.run.name}: {result.summary['finish_reason']}; "
                f"{totals.get('pages', 0)} pages, {self.sent['document']} documents and "
                f"{self.sent['other']} other records sent to the archive writer, "
                f"{totals.get('errors', 0)} errors, {totals.get('blocked', 0)} blocked by robots.txt")
