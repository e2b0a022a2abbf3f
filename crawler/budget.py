"""Per-source time budget (OGI_SOURCE_TIME_BUDGET seconds), next to the page budget the spider
keeps (OGI_PAGE_BUDGET): one slow or endless portal cannot hold the nightly run hostage.

A source's clock starts when its first request reaches the downloader (not when the crawl
starts: with many sources, later ones wait for a free slot). Once it has run out, the spider
stops scheduling its requests (`CrawlRun.out_of_time` in `ReportsSpider._request`) and this
middleware drops the ones already queued, raising `SourceOutOfTime`, so the source is marked
incomplete instead of failed and its unvisited reports are not taken for removed.
Requests already inside a download slot's queue have passed here and still complete; the
scheduler's DownloaderAwarePriorityQueue keeps those queues short.

The same hooks record what the health report needs per source: when it started, when it last
answered, and whether any answer succeeded (status below 400 after redirects and retries).
Installed early (50) so that requests are dropped before robots.txt or conditional-GET work,
and responses are seen last, after RedirectMiddleware and RetryMiddleware are done with them.
"""
from __future__ import annotations

import time

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.run import CrawlRun


class SourceOutOfTime(IgnoreRequest):
    """A request of a source whose time budget is spent (not an error of the source)."""


class TimeBudgetMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "TimeBudgetMiddleware":
        return cls(crawler)

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)

    def process_request(self, request: Request):
        source = request.meta.get("ogi_source")
        if source is None:  # robots.txt and other requests of Scrapy's own
            return None
        self.run.start_clock(source)
        if self.run.out_of_time(source):
            raise SourceOutOfTime(f"time budget of {self.run.time_budget:g}s reached")
        return None

    def process_response(self, request: Request, response: Response):
        source = request.meta.get("ogi_source")
        if source is not None:
            tally = self.run.tally(source)
            tally.ended = time.time()
            if response.status < 400:
                tally.count("ok")
        return response

    def process_exception(self, request: Request, exception: Exception):
        source = request.meta.get("ogi_source")
        if source is not None and not isinstance(exception, IgnoreRequest):
            self.run.tally(source).ended = time.time()  # a timeout or refusal is its last answer
        return None
