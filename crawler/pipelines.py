"""The archive pipeline: it only stores. Each item is a `records.Document` (a fetched document
with its extraction outcome, decided and extracted by the spider's callback); it goes to the
run's archive seam (`CrawlRun.archive.document`): stored locally, or sent to the archive writer
by a distributed worker."""
from __future__ import annotations

from scrapy.crawler import Crawler

from crawler.records import Document
from crawler.run import CrawlRun


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArchivePipeline":
        return cls(crawler)

    def process_item(self, item: Document) -> Document:
        self.crawler.get_extension(CrawlRun).archive.document(item)
        return item
