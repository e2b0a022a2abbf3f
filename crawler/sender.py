"""`RedisSender`: the archive seam (crawler.seam.RunArchive) of a distributed worker.

A worker never opens the SQLite archive (it lives on the writer's machine). Every call of the
seam becomes one typed record (crawler.records, JSON) on the run's Redis list, which the archive
writer (crawler.writer) decodes, validates and hands to the same `LocalArchive` call a
single-machine crawl makes. What a worker needs to read comes from the writer too: it published
the archive's conditional-GET validators when it opened the run.

A worker exits 0 only when its archive writer has written everything it sent: after its goodbye
it waits for the writer's receipt (`RedisRun.ack`) as long as the writer's heartbeat lives. A
writer that dies first (`writer_lost`), a run the writer closed while records were still coming,
and a Redis that stops answering (`redis_lost`) are faults of the worker's run: it stops
sending, and `ogi crawl` exits 1.

Extraction runs on the workers (it is the CPU-heavy part of a crawl, and a notice page's
attachments are fetched by the spider that read it), so a `Document` record carries the finished
outcome: a Report or the extraction failure.
"""
from __future__ import annotations

import logging
import time
from typing import Sequence

import redis

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
        self.closed = False  # the writer closed the run, or Redis is gone: nothing more is sent

    def open_run(self, sources: Sequence[SourceInfo]) -> str:
        self.ledger.begin(s.id for s in sources)
        self.ledger.run_id = self.run.name
        self._send(Hello(list(sources)))
        return self.run.name

    def validators(self, url: str) -> dict[str, str]:
        try:
            return self.run.validators(url)
        except (redis.RedisError, OSError):
            return {}  # an unconditional request; losing Redis is counted when a record is sent

    def fetched(self, record: Fetched) -> None:
        self._send(record)

    def not_modified(self, record: NotModified) -> None:
        self._send(record)

    def document(self, record: Document) -> None:
        self._send(record)

    def gone(self, record: Gone) -> None:
        self._send(record)

    def close_run(self, reason: str) -> RunResult:
        """Say goodbye with this worker's ledger and wait for the writer's receipt; the run's
        summary is the writer's."""
        if self._send(Bye(reason, self.ledger)):
            self._await_receipt()
        return RunResult(build(self.ledger.tallies, run_id=self.run.name, reason=reason,
                               faults=self.ledger.faults, fault_messages=self.ledger.fault_messages))

    def _await_receipt(self, poll: float = 0.1) -> None:
        try:
            while not self.run.acked(self.worker):
                if not self.run.writer_alive() and not self.run.acked(self.worker):
                    if "writer_lost" in self.ledger.faults:
                        return  # counted when its heartbeat stopped
                    self.ledger.fault("writer_lost", f"the archive writer of run {self.run.name} is gone: "
                                                     f"what this worker sent last may not be stored")
                    return
                time.sleep(poll)
        except (redis.RedisError, OSError) as exc:
            self.ledger.fault("redis_lost", f"Redis lost while waiting for the writer: {exc}")

    def _send(self, record) -> bool:
        if self.closed:
            return False
        try:
            taken = self.run.push_record(records.encode(self.worker, record))
        except (redis.RedisError, OSError) as exc:
            self.closed = True
            self.ledger.fault("redis_lost", f"Redis lost: {type(exc).__name__}: {exc}")
            logger.error("Redis lost (%s): this worker stops", exc)
            return False
        if not taken:
            self.closed = True
            self.ledger.fault("writer_lost", f"run {self.run.name} was closed by its archive writer "
                                             f"before this worker was done")
            logger.error("run %s was closed by its archive writer: this worker stops", self.run.name)
            return False
        self.sent["document" if isinstance(record, Document) else "other"] += 1
        return True

    def describe(self, result: RunResult) -> str:
        """What `ogi crawl` prints for a worker: its share; the run's summary is the writer's."""
        totals = result.summary["totals"]
        return (f"worker {self.worker} of run {self.run.name}: {result.summary['finish_reason']}; "
                f"{totals.get('pages', 0)} pages, {self.sent['document']} documents and "
                f"{self.sent['other']} other records sent to the archive writer, "
                f"{totals.get('errors', 0)} errors, {totals.get('blocked', 0)} blocked by robots.txt")
