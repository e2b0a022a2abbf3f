"""`LocalArchive`: the archive seam (crawler.seam.RunArchive) over `archive.Archive`, in this process.

Used by a single-machine crawl (`ogi crawl`, `scrapy crawl reports`) and by the archive writer
of a distributed crawl, which hands it the records its workers send: the same code decides what
a document, a 304 or a 404 does to the archive in both cases, so both leave the same archive.

What it decides and counts in the run's ledger (crawler.ledger):
- `document`: `Archive.store` (with the pictures fetched with the page) → new / changed /
  unchanged / failed (+ reports);
- `not_modified`: `Archive.touch` → unchanged (+ reports);
- `gone`: a report we hold → removed (`Archive.mark_removed`); otherwise a dead link → error;
- `close_run`: when the run finished, each complete source's reports it no longer lists are
  removed; then the health report (`source_health`) and the summary (`crawl_runs`).

No call raises: a write the archive refuses (`ArchiveError`: busy past the timeout, disk full),
or any other exception while writing, is a fault of the run (`Ledger.fault`: the summary counts
it, the exit status is 1, `ogi status` flags the run) and the crawl goes on. A document whose
extraction worker died is stored as a `worker_died` failure and counted as a fault too.
"""
from __future__ import annotations

import inspect
import logging
from typing import Callable, Sequence

from archive import Archive
from crawler import health
from crawler.ledger import NO_SOURCE, Ledger
from crawler.records import Document, Fetched, Gone, NotModified, SourceInfo
from crawler.seam import RunResult
from crawler.summary import build
from extract.report import ExtractError, WorkerDied

logger = logging.getLogger(__name__)

# Archive.store takes division_code= once the archive has the column (issue 11/17); until then
# the code is left out rather than the store failing.
_STORE_TAKES_DIVISION = "division_code" in inspect.signature(Archive.store).parameters


class LocalArchive:
    def __init__(self, archive: Archive, ledger: Ledger):
        self.archive, self.ledger = archive, ledger
        self.sources: dict[str, SourceInfo] = {}

    @property
    def run_id(self):
        return self.ledger.run_id

    def open_run(self, sources: Sequence[SourceInfo]) -> int | None:
        self.add_sources(sources)
        self.ledger.begin(s.id for s in sources)
        if self.ledger.run_id is None:  # else a JOBDIR resume: the same run goes on
            run_id = self._write("summary_not_stored", "the run's crawl_runs row", None,
                                 self.archive.start_run, sorted(self.ledger.tallies))
            self.ledger.run_id = None if run_id is _FAILED else run_id
        return self.ledger.run_id

    def add_sources(self, sources: Sequence[SourceInfo]) -> None:
        """Sources a later worker of the same run announced (the writer)."""
        for source in sources:
            self.sources.setdefault(source.id, source)
        self.ledger.begin(s.id for s in sources)

    def validators(self, url: str) -> dict[str, str]:
        try:
            return self.archive.validators(url)
        except Exception as exc:  # noqa: BLE001 - a read that fails costs a conditional GET, nothing more
            logger.warning("no validators for %s: %s", url, exc)
            return {}

    def fetched(self, record: Fetched) -> None:
        self._write("not_stored", f"fetch of {record.url}", None, self.archive.record_fetch,
                    record.url, status=record.status, fetched_at=record.fetched_at, etag=record.etag,
                    last_modified=record.last_modified, sha256=record.sha256, nbytes=record.nbytes,
                    elapsed_ms=record.elapsed_ms, error=record.error, run_id=self.run_id)

    def not_modified(self, record: NotModified) -> None:
        if self._write("not_stored", f"304 of {record.url}", record.source, self.archive.touch,
                       record.url, fetched_at=record.fetched_at, run_id=self.run_id) is _FAILED:
            return
        self.ledger.count(record.source, "unchanged")
        self.ledger.count(record.source, "reports")

    def document(self, record: Document) -> None:
        failure = record.outcome if isinstance(record.outcome, ExtractError) else None
        extra = {"division_code": record.division_code} if _STORE_TAKES_DIVISION else {}
        outcome = self._write(
            "not_stored", f"document {record.url}", record.source, self.archive.store,
            record.url, record.body, fetched_at=record.fetched_at, content_type=record.content_type,
            report=None if failure else record.outcome, failure=failure, agency=record.agency,
            region=record.region, source=record.source, parent_url=record.parent_url,
            resources=record.resources or None, run_id=self.run_id, **extra)
        if outcome is _FAILED:
            return
        if isinstance(failure, WorkerDied):
            self.ledger.fault("worker_died", f"{record.url}: {failure.reason}", record.source)
        self.ledger.count(record.source, outcome)
        if outcome == "failed":
            self.ledger.note(record.source, f"{record.url}: {failure.status}: {failure.reason}")
        else:
            self.ledger.count(record.source, "reports")

    def gone(self, record: Gone) -> None:
        held = self._write("not_stored", f"{record.status} of {record.url}", record.source,
                           self.archive.document_urls, record.source)
        if held is _FAILED:
            return
        if record.url in held:
            self._remove(record.source, record.url, f"HTTP {record.status}", at=record.at)
        else:
            self.ledger.count(record.source, "errors")
            self.ledger.note(record.source, f"dead link {record.url} (HTTP {record.status}) from {record.referer}")

    def close_run(self, reason: str) -> RunResult:
        """Removal of unlisted reports (a finished run only), the health report, the summary."""
        if reason == "finished":
            for source_id in list(self.ledger.tallies):
                self._remove_unlisted(source_id)
        rows: list[dict] = []
        if self.run_id is not None:
            rows = self._write("health_not_stored", f"the health report of run {self.run_id}", None,
                               self._health, finished=reason == "finished")
            rows = [] if rows is _FAILED else rows
            self._write("summary_not_stored", f"the summary of run {self.run_id}", None,
                        self.archive.finish_run, self.run_id, self._summary(reason))
        return RunResult(self._summary(reason), rows)

    def _summary(self, reason: str) -> dict:
        return build(self.ledger.tallies, run_id=self.run_id, reason=reason,
                     faults=self.ledger.faults, fault_messages=self.ledger.fault_messages)

    def _write(self, kind: str, what: str, source: str | None, call: Callable, /, *args, **kwargs):
        """`call(*args, **kwargs)`, or `_FAILED` with a fault of `kind` counted when it raises."""
        try:
            return call(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - whatever the archive raised, the run counts it
            logger.error("archive: %s not stored: %s: %s", what, type(exc).__name__, exc)
            self.ledger.fault(kind, f"{what} not stored: {type(exc).__name__}: {exc}", source)
            return _FAILED

    # -- the rules ---------------------------------------------------------------------------------

    def _remove(self, source: str, url: str, reason: str, at=None) -> None:
        removed = self._write("not_stored", f"removal of {url}", source, self.archive.mark_removed,
                              url, at=at, reason=reason, run_id=self.run_id)
        if removed is not _FAILED and removed:
            self.ledger.count(source, "removed")

    def _remove_unlisted(self, source_id: str) -> None:
        """Reports this source used to list and did not list tonight are gone (its listing was
        read completely: any listing error or an exhausted budget leaves them alone)."""
        tally = self.ledger.tallies[source_id]
        if source_id == NO_SOURCE or tally.incomplete or tally.pages == 0:
            return
        held = self._write("not_stored", f"removals of {source_id}", source_id, self.archive.document_urls, source_id)
        if held is _FAILED:
            return
        for url in sorted(held - self.ledger.seen.get(source_id, set())):
            self._remove(source_id, url, "no longer listed")

    def _health(self, *, finished: bool) -> list[dict]:
        def history(source_id: str) -> list[dict]:
            return self.archive.health_history(source_id, before_run=self.run_id, limit=health.FLAG_RUNS - 1)

        rows = health.report(self.run_id, self.ledger.tallies, self.sources, history, finished=finished)
        self.archive.record_health(rows)
        return rows


_FAILED = object()  # what `LocalArchive._write` answers for a write that raised
