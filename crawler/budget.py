"""Per-source budgets, in the style of Scrapy's CloseSpider extension: one component holding
every limit a source has in a run, so one slow or endless portal cannot hold the night hostage.

- pages (OGI_PAGE_BUDGET): distinct URLs a source may ask for. Counted when a request is
  scheduled (the `request_scheduled` signal, where raising IgnoreRequest drops it), in a set
  store that is the run's ledger on one machine (so a JOBDIR resume keeps it) or a Redis set
  shared by every worker of a distributed run (so the budget is the run's, not each worker's).
  `col/` and `col/index.html` count as one page, a URL asked for twice is dropped, and retries
  and redirect hops (which carry the request's meta) count with the request they continue.
- time (OGI_SOURCE_TIME_BUDGET): seconds from the source's first request reaching the downloader
  in this process (a resumed crawl gives every source a fresh budget). Once spent, the source's
  new requests are dropped when scheduled and its queued ones when they reach the downloader
  (`SourceOutOfTime`); requests already inside a download slot still complete, and the
  scheduler's DownloaderAwarePriorityQueue keeps those queues short.

Requests a callback downloads itself (`engine.download_async`: the pictures of a report page)
never pass the scheduler: `admit` asks the same `request_scheduled` handlers first, as the
engine does, so they count against the same page budget.

A source over a budget is marked incomplete in the ledger (with the reason) rather than failed,
so the reports it did not get to are not taken for removed. Defaults: crawler/defaults.py. With
both budgets 0 the component is not installed (NotConfigured). Installed as a downloader
middleware early (51), so requests are dropped before robots.txt or conditional-GET work.
"""
from __future__ import annotations

import re
import time
from typing import Protocol

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from twisted.python.failure import Failure

from crawler import defaults
from crawler.run import CrawlRun, distributed

_INDEX_PAGE = re.compile(r"/(?:index|default)\.s?html?$", re.I)


class SourceOutOfTime(IgnoreRequest):
    """A request of a source whose time budget is spent (not an error of the source)."""


class SetStore(Protocol):
    def add(self, group: str, member: str) -> int | None:
        """Add `member` to `group`: the group's size after, or None if it was there already."""


class LocalSets:
    """Sets in a dict (the ledger's `requested`, which a JOBDIR keeps)."""

    def __init__(self, sets: dict[str, set[str]]):
        self.sets = sets

    def add(self, group: str, member: str) -> int | None:
        members = self.sets.setdefault(group, set())
        if member in members:
            return None
        members.add(member)
        return len(members)


class RedisSets:
    """Sets shared by every worker of a distributed run (crawler.protocol)."""

    def __init__(self, run):
        self.run = run

    def add(self, group: str, member: str) -> int | None:
        return self.run.add_requested(group, member)


class Budget:
    def __init__(self, crawler: Crawler, pages: int, seconds: float):
        self.crawler, self.pages, self.seconds = crawler, pages, seconds
        self._clocks: dict[str, float] = {}
        self._store: SetStore | None = None
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Budget":
        pages = defaults.get(crawler.settings, "OGI_PAGE_BUDGET")
        seconds = defaults.get(crawler.settings, "OGI_SOURCE_TIME_BUDGET")
        if pages <= 0 and seconds <= 0:
            raise NotConfigured
        return cls(crawler, pages, seconds)

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)

    @property
    def store(self) -> SetStore:
        if self._store is None:
            run = self.run
            self._store = RedisSets(run.redis_run) if distributed(self.crawler.settings) else LocalSets(run.ledger.requested)
        return self._store

    # -- when a request is scheduled: the page budget, and a spent time budget -----------------------

    def request_scheduled(self, request: Request, spider=None) -> None:
        source = request.meta.get("ogi_source")
        if source is None:  # requests of Scrapy's own
            return
        if self.out_of_time(source):
            raise SourceOutOfTime(f"time budget of {self.seconds:g}s reached")
        if self.pages <= 0 or request.meta.get("ogi_counted"):
            return  # a retry or a redirect hop of a request already counted: the same page
        request.meta["ogi_counted"] = True
        size = self.store.add(source, _INDEX_PAGE.sub("/", request.url))
        if size is None:
            raise IgnoreRequest("asked for already")
        if size > self.pages:
            self.run.ledger.incomplete(source, f"page budget of {self.pages} reached")
            raise IgnoreRequest(f"page budget of {self.pages} reached")

    # -- when a request reaches the downloader: the time budget -----------------------------------------

    def process_request(self, request: Request):
        source = request.meta.get("ogi_source")
        if source is None:
            return None
        self._clocks.setdefault(source, time.monotonic())
        if self.out_of_time(source):
            raise SourceOutOfTime(f"time budget of {self.seconds:g}s reached")
        return None

    def out_of_time(self, source: str) -> bool:
        """`source` has used its time budget: mark it incomplete (first reason stands)."""
        started = self._clocks.get(source)
        if self.seconds <= 0 or started is None or time.monotonic() - started < self.seconds:
            return False
        self.run.ledger.incomplete(source, f"time budget of {self.seconds:g}s reached")
        return True


def admit(crawler: Crawler, request: Request) -> IgnoreRequest | None:
    """Why a request downloaded outside the scheduler must not be made (a budget), or None: the
    `request_scheduled` handlers judge it exactly as `ExecutionEngine._schedule_request` has them
    judge every scheduled request."""
    results = crawler.signals.send_catch_log(signals.request_scheduled, request=request,
                                             spider=crawler.spider, dont_log=IgnoreRequest)
    for _, result in results:
        if isinstance(result, Failure) and isinstance(result.value, IgnoreRequest):
            return result.value
    return None
