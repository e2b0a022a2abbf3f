"""`Extraction`: the crawl's extractor, off the reactor thread (a Scrapy extension).

Spider callbacks `await extraction.extract(body, url, content_type[, resources])` and get the outcome, a
`Report` or an `ExtractError`, never an exception. The work runs in `extract.isolation`'s
worker processes (OGI_EXTRACT_WORKERS, default one per core), each document under a
wall-clock deadline (OGI_EXTRACT_TIMEOUT) and a memory limit (OGI_EXTRACT_MEMORY_MB): a document
over a limit comes back as `TimeLimit`/`MemoryLimit`, which the archive records as a failure
(`time_limit`/`memory_limit`) while the crawl goes on. Downloads continue while documents are
read, so a first crawl is bound by the cores, not by one. The pool starts with the first
document (a nightly re-crawl whose reports all answer 304 never starts it) and stops when the
spider closes, without waiting for a worker still starting.
"""
from __future__ import annotations

import asyncio
from collections.abc import Mapping

from scrapy import signals
from scrapy.crawler import Crawler

from crawler import defaults
from extract.isolation import BoundedExtractor, Outcome, default_workers


class Extraction:
    def __init__(self, crawler: Crawler):
        self.crawler, settings = crawler, crawler.settings
        self.workers = defaults.get(settings, "OGI_EXTRACT_WORKERS") or default_workers()
        self.timeout = defaults.get(settings, "OGI_EXTRACT_TIMEOUT")
        self.memory_mb = defaults.get(settings, "OGI_EXTRACT_MEMORY_MB")
        self._pool: BoundedExtractor | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Extraction":
        return cls(crawler)

    async def extract(self, body: bytes, url: str, content_type: str | None,
                      resources: Mapping[str, bytes] | None = None) -> Outcome:
        """`resources`: the pictures an HTML page shows (absolute URL → bytes), read by OCR."""
        if self._pool is None:
            self._pool = BoundedExtractor(self.workers, timeout=self.timeout, memory_mb=self.memory_mb)
        return await asyncio.wrap_future(self._pool.submit(body, url, content_type, resources))

    def close(self, spider=None, reason: str | None = None) -> None:
        if self._pool is not None:
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("ogi/extract/cpu_seconds", round(self._pool.cpu_seconds, 2))
            self._pool.close(cancel_pending=True)
            self._pool = None
