"""`CrawlRun`: the crawl run as one Scrapy extension: its ledger and its archive.

    ledger   crawler.ledger.Ledger: tallies, seen URLs, incomplete reasons, the page budget's set
    archive  the archive seam (crawler.seam.RunArchive):
             LocalArchive (crawler.local) over archive.db, holding the crawl lock, or
             RedisSender (crawler.sender) on a distributed worker (REDIS_URL set)

The spider, the middlewares, the budget and the pipeline reach both through
`crawler.get_extension(CrawlRun)`; nothing else knows whether the crawl is distributed.

Life cycle: the archive is opened when the extension is built (a held lock or an unusable
database stops the crawl before it starts: an exception in a signal handler would only be
logged); `spider_opened` restores the ledger a JOBDIR kept (`spider.state`, pickled by Scrapy,
so a resumed crawl continues the same run with everything it had seen) and opens the run;
`spider_closed` closes the run (removals, summary, health), copies each source's counts into
Scrapy's stats (`ogi/source/<id>/<count>`, for stats-based tooling; the ledger, not the stats,
is the record: stats restart from zero in a resumed process) and prints the summary.

Faults: an exception in a pipeline (`item_error`) or a spider callback (`spider_error`) loses
what it was handling; each is counted in the ledger (`Ledger.fault`), so the summary shows it and
the run exits 1. A JOBDIR that cannot be resumed (crawler.jobdir) stops the crawl before it
starts, like a held lock; the JOBDIR's marker is kept up to date as the run opens and closes.
"""
from __future__ import annotations

import contextlib
import logging
import sys

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.spiderstate import SpiderState

from archive import Archive
from crawler import defaults, jobdir, protocol
from crawler.ledger import Ledger
from crawler.local import LocalArchive
from crawler.records import SourceInfo
from crawler.runlock import run_lock
from crawler.seam import RunArchive, RunResult
from crawler.sender import RedisSender
from crawler.summary import COUNTS, format_text

logger = logging.getLogger(__name__)

_STATE = "ogi"  # our key in spider.state


def distributed(settings) -> bool:
    """A distributed worker: scrapy-redis's REDIS_URL is set (crawler.distributed)."""
    return bool(settings.get("REDIS_URL"))


class CrawlRun:
    def __init__(self, crawler: Crawler):
        self.crawler, self.settings = crawler, crawler.settings
        self.ledger = Ledger()
        self.result: RunResult | None = None
        self._exit = contextlib.ExitStack()
        if not distributed(self.settings):
            jobdir.check(self.settings.get("JOBDIR"))
        self.archive: RunArchive = self._open_archive()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlRun":
        return cls(crawler)

    def _open_archive(self) -> RunArchive:
        if distributed(self.settings):
            server = protocol.connect(self.settings.get("REDIS_URL"))
            self.redis_run = protocol.RedisRun(server, self.settings.get("OGI_REDIS_RUN"))
            return RedisSender(self.redis_run, defaults.get(self.settings, "OGI_WORKER_ID"), self.ledger)
        db_path = defaults.get(self.settings, "ARCHIVE_DB")
        if not defaults.get(self.settings, "OGI_LOCK_HELD"):
            self._exit.enter_context(run_lock(db_path))
        return LocalArchive(self._exit.enter_context(Archive(db_path)), self.ledger)

    # -- life cycle ----------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        if not distributed(self.settings):
            # SpiderState only exists with JOBDIR; a worker's queue lives in Redis instead.
            state = spider.state if hasattr(spider, "state") else {}
            if isinstance(state.get(_STATE), Ledger):
                self.ledger.load(state[_STATE])
                logger.info("resuming crawl run %s from %s", self.ledger.run_id, self.settings.get("JOBDIR"))
            state[_STATE] = self.ledger
            jobdir.mark(self.settings.get("JOBDIR"), "running")
        self.archive.open_run([SourceInfo.of(s) for s in getattr(spider, "sources", [])])

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self.result = self.archive.close_run(reason)
            self._publish_stats()
            if defaults.get(self.settings, "OGI_PRINT_SUMMARY"):
                if isinstance(self.archive, RedisSender):
                    print(self.archive.describe(self.result), flush=True)
                else:
                    print(format_text(self.result.summary, self.result.health), file=sys.stdout, flush=True)
            if reason == "finished" and hasattr(spider, "state"):
                # A finished job must not be resumed as this run. SpiderState saved the state
                # before us (its handler was connected first): save it again without ours.
                spider.state.pop(_STATE, None)
                if (saver := self.crawler.get_extension(SpiderState)) is not None:
                    saver.spider_closed(spider)
            if not distributed(self.settings):
                jobdir.mark(self.settings.get("JOBDIR"), "finished" if reason == "finished" else "stopped", reason)
        finally:
            self._exit.close()

    def item_error(self, item, response, spider, failure) -> None:
        url = getattr(item, "url", None) or getattr(response, "url", "?")
        self.ledger.fault("pipeline_error", f"{url}: {failure.type.__name__}: {failure.value}",
                          getattr(item, "source", None))

    def spider_error(self, failure, response, spider) -> None:
        self.ledger.fault("spider_error", f"{response.url}: {failure.type.__name__}: {failure.value}",
                          response.meta.get("ogi_source"))

    @property
    def summary(self) -> dict | None:
        return self.result.summary if self.result else None

    def _publish_stats(self) -> None:
        stats = self.crawler.stats
        if stats is None or self.result is None:
            return
        for sid, tally in self.ledger.tallies.items():
            for key in COUNTS:
                stats.set_value(f"ogi/source/{sid}/{key}", getattr(tally, key))
        stats.set_value("ogi/sources/unreachable", sum(1 for t in self.ledger.tallies.values() if not t.ok))
        stats.set_value("ogi/sources/flagged", sum(row["flagged"] for row in self.result.health))
