"""The `reports` spider: from a portal (home page or report column) to every OGI annual report.

    scrapy crawl reports -a start_urls=URL1,URL2 -s ARCHIVE_DB=archive.db
    scrapy crawl reports                      # every source of crawler/sources.csv
    scrapy crawl reports -a only=ID1,ID2 -a sources=my.csv
    scrapy crawl reports -a only=河南/漯河,北京市,商务局   # region prefixes, parts of agency names

Walk: a portal page → 政府信息公开 sections → 年报 columns (and their per-year sub-columns, all
pages of each listing) → report pages → their attachments when the page is only a notice.
Each callback decides what to fetch next from the response it holds (crawler/judging.py:
links by their words, listings by the CMS parsers of crawler/cms/):

    parse_listing   a listing page → its other pages, report columns, sections, documents
    parse_document  a report page or attachment → extraction (off the reactor, crawler.extraction)
                    → a records.Document item for the archive pipeline; or, for a page that is
                    only a notice, requests for its attachments (or the list it turns out to be)
    on_error        a request that failed → counted, and the source marked incomplete if a
                    report could be hidden behind it

What happens to the archive goes through the run's archive seam (crawler.run.CrawlRun.archive):
304 → `not_modified`, 404/410 → `gone`, documents → the pipeline → `document`. Budgets are
not the spider's: crawler/budget.py drops requests over a source's page or time budget.

Links are followed within the source's site (same registrable domain, any subdomain);
attachments from anywhere. Request meta: ogi_source, ogi_kind (listing | document | attachment),
ogi_hops (navigation steps, pagination excluded), ogi_ctx (inside a report column), ogi_text,
ogi_named, ogi_agency, ogi_parent.
"""
from __future__ import annotations

from dataclasses import dataclass

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from archive.clock import utc_iso
from crawler import defaults, discovery, judging
from crawler.budget import SourceOutOfTime
from crawler.cms import parse_listing
from crawler.extraction import Extraction
from crawler.judging import Follow
from crawler.middlewares import ROBOTS_DENIED
from crawler.records import Document, Gone, NotModified
from crawler.run import CrawlRun
from extract.report import NotAReport, Report


@dataclass(frozen=True)
class AdHocSource:
    """A start URL given on the command line; its id is the URL itself (stable across runs)."""

    id: str
    start_url: str
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    cms: str | None = None


def load_sources(start_urls=None, sources=None, only=None) -> list:
    """Explicit URLs, else the sources list (crawler.sources)."""
    urls = [u.strip() for u in (start_urls.split(",") if isinstance(start_urls, str) else start_urls or []) if u.strip()]
    if urls:
        return [AdHocSource(id=u, start_url=u) for u in dict.fromkeys(urls)]
    from crawler.sources import load_sources as load

    ids = [i.strip() for i in only.split(",")] if isinstance(only, str) else only
    return list(load(sources, only=ids or None))


class ReportsSpider(scrapy.Spider):
    name = "reports"
    # 304: unchanged since the last fetch; 404/410: a report taken down. Both are answers to act on.
    handle_httpstatus_list = [304, 404, 410]

    def __init__(self, start_urls=None, sources=None, only=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = load_sources(start_urls, sources, only)
        self.by_id = {s.id: s for s in self.sources}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_hops = defaults.get(crawler.settings, "OGI_MAX_HOPS")
        return spider

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)

    async def start(self):
        if not self.sources:
            self.logger.error("nothing to crawl: give start URLs (-a start_urls=…) or a sources list")
        for source in self.sources:
            # Whether the start page is a report column is read off the page itself: a sources
            # list may give a portal's OGI home where no column URL is known.
            yield self._request(source.id, Follow(source.start_url, "listing", hops=0))

    # -- listings ------------------------------------------------------------------------------------

    def parse_listing(self, response: Response):
        meta, source, ledger = response.meta, response.meta["ogi_source"], self.run.ledger
        ledger.count(source, "pages")
        if response.status >= 400 or not isinstance(response, TextResponse):
            ledger.count(source, "errors")
            ledger.note(source, f"listing {response.url}: HTTP {response.status}")
            # A report column that 404s (a redesign moved it) hides every report it listed; a
            # dead navigation link elsewhere on the portal hides nothing we knew of.
            if meta.get("ogi_ctx") or meta["ogi_hops"] == 0 or response.status not in (404, 410):
                ledger.incomplete(source, f"listing page {response.url} answered HTTP {response.status}")
            return
        if redirect := judging.js_redirect(response):
            yield from self._follow(response, Follow(redirect, "listing", meta["ogi_hops"], bool(meta.get("ogi_ctx"))))
            return
        ctx = bool(meta.get("ogi_ctx")) or judging.is_report_column(response)
        yield from self._read_listing(response, parse_listing(response), hops=meta["ogi_hops"], ctx=ctx)

    def _read_listing(self, response: Response, listing, *, hops: int, ctx: bool):
        for page in listing.pages:
            yield from self._follow(response, Follow(page, "listing", hops, ctx))
        entries = {link.url for link in listing.entries}
        for link in listing.links:
            follow = judging.judge(link, is_entry=link.url in entries, ctx=ctx, hops=hops, max_hops=self.max_hops)
            if follow is not None:
                yield from self._follow(response, follow)

    # -- documents -----------------------------------------------------------------------------------

    async def parse_document(self, response: Response):
        meta, source, ledger = response.meta, response.meta["ogi_source"], self.run.ledger
        ledger.count(source, "pages")
        ledger.saw(source, response.url)
        if response.status == 304:
            self.run.archive.not_modified(NotModified(source, response.url, utc_iso()))
            return
        if response.status in (404, 410):
            self.run.archive.gone(Gone(source, response.url, response.status, _referer(response), utc_iso()))
            return
        kind, named = meta["ogi_kind"], bool(meta.get("ogi_named"))
        if kind == "document" and isinstance(response, TextResponse):
            if redirect := judging.js_redirect(response):
                for request in self._follow(response, Follow(redirect, "document", meta["ogi_hops"],
                                                             text=meta.get("ogi_text", ""), named=named)):
                    yield request
                return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        fetched_at = utc_iso()
        outcome = await self.crawler.get_extension(Extraction).extract(response.body, response.url, content_type)
        if kind == "document" and judging.is_notice(outcome):
            follow_up = self._attachments(response) or (self._as_report_column(response) if named else [])
            if follow_up:
                for request in follow_up:
                    yield request
                return
            if isinstance(outcome, Report):
                outcome = NotAReport("only a notice: no figures and no attachment")
        if not judging.worth_keeping(outcome, named=named):
            return
        src = self.by_id.get(source)
        yield Document(
            source=source, url=response.url, body=response.body, content_type=content_type,
            fetched_at=fetched_at, outcome=outcome,
            agency=meta.get("ogi_agency") or getattr(src, "agency", None),
            region=getattr(src, "region", None), division_code=getattr(src, "division_code", None),
            parent_url=meta.get("ogi_parent"))

    def _attachments(self, response: Response) -> list[Request]:
        """Requests for the files a notice page links (each archived as its own document)."""
        meta, source = response.meta, response.meta["ogi_source"]
        out = []
        for url, text in judging.attachments(response):
            self.run.ledger.saw(source, url)
            named = bool(meta.get("ogi_named")) or discovery.is_report_title(text)
            request = self._request(source, Follow(url, "attachment", 0, text=text, named=named,
                                                   agency=meta.get("ogi_agency")), parent=response.url)
            if request is not None:
                out.append(request)
        return out

    def _as_report_column(self, response: Response) -> list[Request]:
        """A link named like a report that leads to a list of reports (a "2022年政府信息公开年报"
        column of per-agency records): read it as a report column."""
        if not isinstance(response, TextResponse):
            return []
        listing = parse_listing(response)
        if len(listing.entries) < 2:
            return []
        return list(self._read_listing(response, listing, hops=1, ctx=True))

    # -- errors --------------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        meta = request.meta
        source, kind, ledger = meta.get("ogi_source"), meta.get("ogi_kind"), self.run.ledger
        if failure.check(SourceOutOfTime):
            return  # not the portal's fault; the budget marked the source incomplete
        if failure.check(IgnoreRequest) and ROBOTS_DENIED in str(failure.value):
            ledger.count(source, "blocked")  # FetchLogMiddleware has recorded it in `fetches`
            if kind == "listing" and meta.get("ogi_hops") == 0:
                ledger.note(source, f"start page {request.url} is disallowed by robots.txt")
                ledger.incomplete(source, "start page disallowed by robots.txt")
            return
        if failure.check(HttpError):
            what = f"HTTP {failure.value.response.status}"
        else:
            what = f"{type(failure.value).__name__}: {failure.value}"
        ledger.count(source, "errors")
        ledger.note(source, f"{kind} {request.url}: {what}")
        # A failed listing or report page may hide reports (and their attachments) we would
        # otherwise take for removed: skip the removal check for this source tonight.
        if kind in ("listing", "document"):
            ledger.incomplete(source, f"{kind} {request.url} failed ({what})")
        if kind in ("document", "attachment"):
            ledger.saw(source, request.url)

    # -- requests ------------------------------------------------------------------------------------

    def _follow(self, response: Response, follow: Follow):
        """A request for `follow`, if it stays on the source's site."""
        source = response.meta["ogi_source"]
        start = getattr(self.by_id.get(source), "start_url", None) or response.url
        if not (judging.same_site(follow.url, start) or judging.same_site(follow.url, response.url)):
            return
        if follow.kind == "document":
            self.run.ledger.saw(source, follow.url)
        if follow.agency is None and response.meta.get("ogi_agency"):
            follow = Follow(follow.url, follow.kind, follow.hops, follow.ctx, follow.text, follow.named,
                            response.meta["ogi_agency"])
        request = self._request(source, follow)
        if request is not None:
            yield request

    def _request(self, source: str, follow: Follow, parent: str | None = None) -> Request | None:
        if not follow.url.startswith(("http://", "https://")):
            return None
        meta = {"ogi_source": source, "ogi_kind": follow.kind, "ogi_hops": follow.hops, "ogi_ctx": follow.ctx,
                "ogi_text": follow.text, "ogi_named": follow.named, "ogi_agency": follow.agency,
                "ogi_parent": parent}
        callback = self.parse_listing if follow.kind == "listing" else self.parse_document
        # Documents before further listing pages at the same depth: the queue stays short and
        # reports reach the archive early in a crawl that may be interrupted.
        return Request(follow.url, callback=callback, errback=self.on_error, meta=meta,
                       priority=0 if follow.kind == "listing" else 1)


def _referer(response: Response) -> str:
    ref = response.request.headers.get(b"Referer") if response.request is not None else None
    return ref.decode("latin-1") if ref else "?"
