"""Fetched document → `extract.extract_report` → the archive.

A report page that is only a notice ("现将我局2022年年度报告公布如下，详见附件") yields no report:
its attachments are fetched instead and each is archived as its own document (parent_url = the
page). A link named like a report that leads to a list of reports is read as a report column.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from scrapy.crawler import Crawler

import extract
from crawler.items import DocumentItem
from crawler.run import CrawlRun

logger = logging.getLogger(__name__)

# A Report without figures whose main text is shorter than this is a notice pointing elsewhere;
# free-text reports of before the 2019 template run to thousands of characters.
NOTICE_MAX_CHARS = 800


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        # Extraction is CPU-bound (tens of ms per report) and would stall downloads while it runs
        # on the reactor thread; OGI_EXTRACT_WORKERS > 0 moves it to that many processes. They
        # are forked here, before Scrapy starts any thread, so no lock is inherited mid-use.
        workers = crawler.settings.getint("OGI_EXTRACT_WORKERS", 0)
        self.pool = None
        if workers > 0:
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()  # start the workers now (fork starts them all at once)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        return cls(crawler)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    async def process_item(self, item: DocumentItem) -> DocumentItem:
        run = self.crawler.get_extension(CrawlRun)
        if self.pool is None:
            report, failure = extract_document(item.body, item.url, item.content_type)
        else:
            report, failure = await asyncio.wrap_future(
                self.pool.submit(extract_document, item.body, item.url, item.content_type))
        if _is_notice(report, failure) and not item.is_attachment:
            spider = self.crawler.spider
            follow_up = spider.attachment_requests(item) or (spider.listing_requests(item) if item.named else [])
            if follow_up:
                for request in follow_up:
                    self.crawler.engine.crawl(request)
                return item
            if report is not None:
                failure, report = extract.NotAReport("only a notice: no figures and no attachment"), None
        if failure is not None and not _worth_keeping(item, failure):
            return item
        run.store(item, report, failure)
        return item


def extract_document(body: bytes, url: str, content_type: str | None):
    """(report, None) or (None, failure): never raises, so one bad document cannot stop a crawl."""
    try:
        return extract.extract_report(body, url, content_type), None
    except extract.ExtractError as exc:
        return None, exc
    except Exception as exc:  # an extractor bug must not stop the crawl
        logger.exception("extractor failed on %s", url)
        return None, extract.Unreadable(f"extractor error: {type(exc).__name__}: {exc}")


def _is_notice(report, failure) -> bool:
    if report is not None:
        return not report.figures and len(report.text or "") < NOTICE_MAX_CHARS
    return isinstance(failure, extract.NotAReport) and not isinstance(failure, extract.ImageOnly)


def _worth_keeping(item: DocumentItem, failure: extract.ExtractError) -> bool:
    """Keep what is probably a report we failed to read; drop pages that simply are not reports."""
    return item.named or not isinstance(failure, extract.NotAReport) or isinstance(failure, extract.ImageOnly)
