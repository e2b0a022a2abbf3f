"""One crawl run as a Scrapy extension: the archive it writes, its run id, what it saw, its summary.

The spider, the middlewares and the pipeline reach it with `crawler.get_extension(CrawlRun)`.
What must survive an interrupted crawl resumed with JOBDIR (run id, tallies, the URLs each
source listed) lives in `spider.state`, which Scrapy pickles into the job directory; otherwise a
resumed crawl would see only half the listings and take the other half for removed reports.

When the run closes it also writes the run's health report (crawler.health → `source_health`)
and copies each source's counts into Scrapy's stats (`ogi/source/<id>/<count>`). The tallies,
not the stats collector, are the record: stats start from zero in a resumed process, while
the tallies are pickled with the job. The stats copy is for Scrapy's own stats dump and for
stats-based tooling (spidermon monitors, scrapy-redis stats) if anyone adds it.

What a run does to the archive with what it saw (store a document and count the outcome, a
404, a removal, closing the run) lives in `RunBook`, shared with the archive writer of a
distributed crawl (crawler.writer), which does the same for documents its workers fetched.
"""
from __future__ import annotations

import contextlib
import importlib.util
import logging
import sys
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.spiderstate import SpiderState

from archive import Archive
from crawler import health
from crawler.summary import COUNTS, SourceTally, build, format_text

logger = logging.getLogger(__name__)


class RunBook:
    """A run's bookkeeping against the archive: `archive`, `run_id`, per-source `tallies` and
    the URLs each source listed (`seen`)."""

    archive: Archive | None
    run_id: int | None
    tallies: dict[str, SourceTally]
    seen: dict[str, set[str]]
    summary: dict | None = None
    health: list[dict]

    def tally(self, source: str | None) -> SourceTally:
        return self.tallies.setdefault(source or "-", SourceTally())

    def store(self, item, report, failure) -> None:
        """Archive a fetched document (a `DocumentItem`) with its extraction, count the outcome."""
        outcome = self.archive.store(
            item.url, item.body, fetched_at=item.fetched_at, content_type=item.content_type,
            report=report, failure=failure, agency=item.agency, region=item.region,
            source=item.source, parent_url=item.parent_url, run_id=self.run_id)
        tally = self.tally(item.source)
        tally.count(outcome)
        if outcome == "failed":
            tally.note(f"{item.url}: {failure.status}: {failure.reason}")
        else:
            tally.count("reports")

    def gone(self, source: str | None, url: str, status: int, referer: str, at=None) -> None:
        """`url` answered 404/410: a report we hold was taken down, or a link was dead."""
        if url in self.archive.document_urls(source):
            self.removed(source, url, f"HTTP {status}", at=at)
        else:
            tally = self.tally(source)
            tally.count("errors")
            tally.note(f"dead link {url} (HTTP {status}) from {referer}")

    def removed(self, source: str | None, url: str, reason: str, at=None) -> None:
        if self.archive.mark_removed(url, at=at, reason=reason, run_id=self.run_id):
            self.tally(source).count("removed")

    def close_run(self, reason: str, sources) -> dict:
        """Removal of unlisted reports (a finished run only), the summary, the health report."""
        if reason == "finished" and self.archive is not None:
            for source_id in self.tallies:
                self._remove_unlisted(source_id)
        self.summary = build(self.tallies, run_id=self.run_id, reason=reason)
        if self.archive is not None and self.run_id is not None:
            self.archive.finish_run(self.run_id, self.summary)
            self.health = self._health(sources, finished=reason == "finished")
        return self.summary

    def _remove_unlisted(self, source_id: str) -> None:
        """Reports this source used to list and did not list tonight are gone (its listing was
        read completely: any listing error or an exhausted budget leaves them alone)."""
        tally = self.tallies[source_id]
        if tally.incomplete or tally.pages == 0:
            return
        for url in sorted(self.archive.document_urls(source_id) - self.seen.get(source_id, set())):
            self.removed(source_id, url, "no longer listed")

    def _health(self, sources, *, finished: bool) -> list[dict]:
        by_id = {s.id: s for s in sources}
        history = lambda sid: self.archive.health_history(  # noqa: E731
            sid, before_run=self.run_id, limit=health.FLAG_RUNS - 1)
        rows = health.report(self.run_id, self.tallies, by_id, history, finished=finished)
        self.archive.record_health(rows)
        return rows


class CrawlRun(RunBook):
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.db_path = self.settings.get("ARCHIVE_DB") or "archive.db"
        self.run_id: int | None = None
        self.tallies: dict[str, SourceTally] = {}
        self.seen: dict[str, set[str]] = {}
        self.requested: dict[str, set[str]] = {}  # per source: URLs asked for (the page budget)
        self.summary: dict | None = None
        self.health: list[dict] = []  # the run's source_health rows, once it closed
        # Seconds each source may run (0: no limit), on a monotonic clock started by its first
        # request in this process: a resumed crawl gives every source a fresh budget.
        self.time_budget = self.settings.getfloat("OGI_SOURCE_TIME_BUDGET", 1800)
        self._clocks: dict[str, float] = {}
        self._exit = contextlib.ExitStack()
        # Opened here, not on spider_opened: a held lock or an unusable database must stop the
        # crawl before it starts (an exception in a signal handler would only be logged).
        self.archive = self._open_archive()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def _open_archive(self):
        if not self.settings.getbool("OGI_LOCK_HELD"):
            self._exit.enter_context(archive_lock(self.db_path))
        return self._exit.enter_context(Archive(self.db_path))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlRun":
        return cls(crawler)

    # -- life cycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        if not hasattr(spider, "state"):  # SpiderState only exists with JOBDIR
            spider.state = {}
        state = spider.state.setdefault("ogi", {})
        self.tallies = state.setdefault("tallies", {})
        self.seen = state.setdefault("seen", {})
        self.requested = state.setdefault("requested", {})
        for source in getattr(spider, "sources", []):
            self.tallies.setdefault(source.id, SourceTally())
            self.seen.setdefault(source.id, set())
        if state.get("run_id") is None:
            state["run_id"] = self.archive.start_run(sorted(self.tallies))
        else:
            logger.info("resuming crawl run %s from %s", state["run_id"], self.settings.get("JOBDIR"))
        self.run_id = state["run_id"]

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self.close_run(reason, getattr(spider, "sources", []))
            self._publish_stats()
            if self.settings.getbool("OGI_PRINT_SUMMARY", True):
                print(format_text(self.summary, self.health), file=sys.stdout, flush=True)
            if reason == "finished" and hasattr(spider, "state"):
                # A finished job must not be resumed as this run. SpiderState saved the state
                # before us (its handler was connected first): save it again without ours.
                spider.state.pop("ogi", None)
                if (saver := self.crawler.get_extension(SpiderState)) is not None:
                    saver.spider_closed(spider)
        finally:
            self._exit.close()
            self.archive = None

    # -- bookkeeping used by spider, middlewares and pipeline ----------------------------------

    def saw(self, source: str | None, url: str) -> None:
        """`url` is listed by `source` this run (so it is not a removed report)."""
        self.seen.setdefault(source or "-", set()).add(url)

    def start_clock(self, source: str) -> None:
        """A request of `source` reaches the downloader (crawler.budget)."""
        self._clocks.setdefault(source, time.monotonic())
        tally = self.tally(source)
        if tally.started is None:
            tally.started = time.time()

    def out_of_time(self, source: str | None) -> bool:
        """`source` has used its time budget: drop its further requests, and mark it incomplete
        so the reports it did not get to tonight are not taken for removed ones."""
        started = self._clocks.get(source or "-")
        if self.time_budget <= 0 or started is None or time.monotonic() - started < self.time_budget:
            return False
        self.incomplete(source, f"time budget of {self.time_budget:g}s reached")
        return True

    def incomplete(self, source: str | None, why: str) -> None:
        tally = self.tally(source)
        if tally.incomplete is None:
            tally.incomplete = why

    def _publish_stats(self) -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        for sid, tally in self.tallies.items():
            for key in COUNTS:
                stats.set_value(f"ogi/source/{sid}/{key}", getattr(tally, key))
        stats.set_value("ogi/sources/unreachable", sum(1 for t in self.tallies.values() if not t.ok))
        stats.set_value("ogi/sources/flagged", sum(row["flagged"] for row in self.health))


def archive_lock(db_path: str):
    """`crawler.runlock.run_lock`: one crawl per archive at a time (no-op if that module is absent)."""
    if importlib.util.find_spec("crawler.runlock") is None:
        return contextlib.nullcontext()
    from crawler.runlock import run_lock

    return run_lock(db_path)
