"""A live status line while crawling (rich), for people watching `ogi crawl` on a terminal."""
from __future__ import annotations

from rich.console import Console
from rich.live import Live
from rich.text import Text
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.run import CrawlRun

REFRESH_SECONDS = 0.5


class Progress:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.console = Console(stderr=True)
        self.live: Live | None = None
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Progress":
        if not crawler.settings.getbool("OGI_PROGRESS"):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        self.live = Live(self._line(), console=self.console, transient=True, refresh_per_second=4)
        self.live.start()
        self.loop = task.LoopingCall(self._update)
        self.loop.start(REFRESH_SECONDS, now=False)

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()

    def _update(self) -> None:
        if self.live is not None:
            self.live.update(self._line())

    def _line(self) -> Text:
        run = self.crawler.get_extension(CrawlRun)
        tallies = run.ledger.tallies if run else {}

        def total(key: str) -> int:
            return sum(getattr(t, key) for t in tallies.values())

        stats = self.crawler.stats
        queued = (stats.get_value("scheduler/enqueued") or 0) - (stats.get_value("scheduler/dequeued") or 0)
        return Text.assemble(
            ("crawling ", "bold"), f"{len(tallies)} source(s)  ",
            ("pages ", "dim"), str(total("pages")), ("  queued ", "dim"), str(max(queued, 0)),
            ("  reports ", "dim"), (str(total("reports")), "green"),
            ("  new ", "dim"), str(total("new")), ("  changed ", "dim"), str(total("changed")),
            ("  failed ", "dim"), str(total("failed")),
            ("  errors ", "dim"), (str(total("errors")), "red" if total("errors") else ""),
        )
