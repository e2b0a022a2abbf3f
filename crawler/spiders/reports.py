"""The `reports` spider: from a portal (home page or report column) to every OGI annual report.

    scrapy crawl reports -a start_urls=URL1,URL2 -s ARCHIVE_DB=archive.db
    scrapy crawl reports                      # every source of crawler/sources.csv
    scrapy crawl reports -a only=ID1,ID2 -a sources=my.csv
    scrapy crawl reports -a only=河南/漯河,北京市,商务局   # region prefixes, parts of agency names

Walk: a portal page → 政府信息公开 sections → 年报 columns (and their per-year sub-columns, all
pages of each listing) → report pages → their attachments when the page is only a notice. A
`platform` or `cluster` source (and a start URL given on the command line) also walks its
directories: links named as agencies (…人民政府, …局, 街道办事处…) or as directories of them
(部门信息公开, 乡镇街道…) lead to each agency's pages, up to OGI_DIRECTORY_DEPTH agencies deep;
each report found there keeps that agency and the region its name gives (crawler/places.py).
Each callback decides what to fetch next from the response it holds (crawler/judging.py:
links by their words, listings by crawler/cms/ and their other pages by crawler/paging.py):

    parse_listing   a listing page → its other pages, report columns, sections, documents
    parse_document  a report page or attachment → extraction (off the reactor, crawler.extraction)
                    → a records.Document item for the archive pipeline; or, for a page that is
                    only a notice, requests for its attachments (or the list it turns out to be).
                    An HTML page read without table 3 whose content has pictures (图片版) has them
                    fetched with it (same site, robots, budgets) and is read again by OCR; the
                    pictures go into the archive with the page (`Document.resources`)
    on_error        a request that failed → counted, and the source marked incomplete if a
                    report could be hidden behind it

What happens to the archive goes through the run's archive seam (crawler.run.CrawlRun.archive):
304 → `not_modified`, 404/410 → `gone`, documents → the pipeline → `document`. Budgets are
not the spider's: crawler/budget.py drops requests over a source's page or time budget.

Links are followed within the source's site (same host or registered domain, crawler/sites.py),
never into another source's start page (that source reads it); attachments from anywhere. A
report column that answers 404 is looked for again from its site's home page. Request meta:
ogi_source, ogi_kind (listing | document | attachment | picture), ogi_hops (navigation steps within the
current agency, pagination excluded), ogi_depth (agencies entered), ogi_ctx (inside a report
column), ogi_column (that column's first page), ogi_probe (a page derived by a convention: a 404
is no error), ogi_text, ogi_named, ogi_agency / ogi_region / ogi_code (learnt on the way),
ogi_detail (an SPA shell's detail-page prefix), ogi_parent.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from archive.clock import utc_iso
from crawler import coverage, defaults, discovery, judging, paging, places
from crawler.budget import SourceOutOfTime, admit
from crawler.cms import jsonlist, parse_listing
from crawler.extraction import Extraction
from crawler.judging import Follow
from crawler.middlewares import ROBOTS_DENIED
from crawler.records import Document, Gone, NotModified
from crawler.run import CrawlRun
from extract.report import NotAReport, Report
from extract.scan import picture_type

# A picture of one printed page is a few megabytes at most (even a 600 dpi TIFF); a larger answer
# is not one, and is not downloaded to the end.
MAX_PICTURE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AdHocSource:
    """A start URL given on the command line; its id is the URL itself (stable across runs)."""

    id: str
    start_url: str
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    cms: str | None = None
    kind: str | None = None  # unknown: walked like a cluster (crawler.judging.DIRECTORY_KINDS)


# `-a start_urls=URL1,URL2` is one string: split only at commas that start another URL, so a
# comma inside a query string (`list.jsp?ids=1,2`) stays in its URL.
_URL_SEPARATOR = re.compile(r"[,\s]+(?=https?://)")


def split_urls(start_urls) -> list[str]:
    """Start URLs kept whole: a list as given (`ogi crawl URL…`), or one `-a start_urls=` string."""
    if isinstance(start_urls, str):
        start_urls = _URL_SEPARATOR.split(start_urls.strip())
    return [u.strip() for u in start_urls or [] if u and u.strip()]


def load_sources(start_urls=None, sources=None, only=None) -> list:
    """Explicit URLs, else the sources list (crawler.sources)."""
    urls = split_urls(start_urls)
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
        # Whose start page is whose: a walk never enters another source's start page.
        self.starts = {judging.page_key(s.start_url): s.id for s in self.sources}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_hops = defaults.get(crawler.settings, "OGI_MAX_HOPS")
        spider.max_depth = defaults.get(crawler.settings, "OGI_DIRECTORY_DEPTH")
        return spider

    @property
    def run(self) -> CrawlRun:
        return self.crawler.get_extension(CrawlRun)

    async def start(self):
        if not self.sources:
            self.logger.error("nothing to crawl: give start URLs (-a start_urls=…) or a sources list")
        for source in self.sources:
            # Whether the start page is a report column is read off the page itself (a `column`
            # row says so too): a sources list may give a portal's OGI home where no column URL is
            # known.
            yield self._request(source.id, Follow(source.start_url, "listing", hops=0,
                                                  ctx=getattr(source, "kind", None) == "column"))

    # -- listings ------------------------------------------------------------------------------------

    def parse_listing(self, response: Response):
        meta, source, ledger = response.meta, response.meta["ogi_source"], self.run.ledger
        ledger.count(source, "pages")
        if response.status >= 400 or not isinstance(response, TextResponse):
            if meta.get("ogi_probe") and response.status in (404, 410):
                return  # a page a convention suggested and the portal does not have
            ledger.count(source, "errors")
            ledger.note(source, f"listing {response.url}: HTTP {response.status}")
            # A report column that 404s (a redesign moved it) hides every report it listed; a
            # dead navigation link elsewhere on the portal hides nothing we knew of.
            if meta.get("ogi_ctx") or meta["ogi_hops"] == 0 or response.status not in (404, 410):
                ledger.incomplete(source, f"listing page {response.url} answered HTTP {response.status}")
            if response.status in (404, 410) and (meta.get("ogi_ctx") or meta["ogi_hops"] == 0):
                yield from self._rediscover(response)
            return
        data = jsonlist.is_json(response)  # a list endpoint's answer, not a page
        if not data and (redirect := judging.js_redirect(response)):
            yield from self._follow(response, Follow(redirect, "listing", meta["ogi_hops"], bool(meta.get("ogi_ctx")),
                                                     depth=meta.get("ogi_depth", 0)))
            return
        ctx = bool(meta.get("ogi_ctx")) or not data and judging.is_report_column(response)
        listing = parse_listing(response, meta.get("ogi_detail"))
        column = meta.get("ogi_column")
        if ctx and column is None:
            column = response.url  # the first page of a report column
            coverage.column_read(ledger.tally(source), column, self._agency(meta, source),
                                 *self._place(meta, source))
        yield from self._read_listing(response, listing, hops=meta["ogi_hops"], ctx=ctx, column=column)

    def _read_listing(self, response: Response, listing, *, hops: int, ctx: bool, column: str | None = None):
        depth = response.meta.get("ogi_depth", 0)
        max_depth = judging.directory_depth(self._kind(response.meta["ogi_source"]), self.max_depth)
        for page in listing.pages:
            yield from self._follow(response, Follow(page, "listing", hops, ctx, depth=depth), column=column)
        for page in listing.probes:
            yield from self._follow(response, Follow(page, "listing", hops, ctx, depth=depth, probe=True), column=column)
        detail = paging.detail_prefix(response) if listing.endpoints else None
        for endpoint in listing.endpoints:
            yield from self._follow(response, Follow(endpoint, "listing", hops, ctx, depth=depth, probe=True),
                                    column=column, detail=detail)
        entries = {link.url for link in listing.entries}
        for link in listing.links:
            follow = judging.judge(link, is_entry=link.url in entries, ctx=ctx, hops=hops, max_hops=self.max_hops,
                                   depth=depth, max_depth=max_depth)
            if follow is not None:
                yield from self._follow(response, follow, column=column if follow.kind == "document" else None)

    def _rediscover(self, response: Response):
        """A column that answers 404 was often moved by a redesign: walk its site's home again
        (sections → 年报 columns) to find where it went. The source stays incomplete tonight."""
        if response.meta.get("ogi_rediscover"):
            return
        parts = urlsplit(response.url)
        home = f"{parts.scheme}://{parts.netloc}/"
        if home == response.url:
            return
        self.run.ledger.note(response.meta["ogi_source"], f"looking for {response.url} again from {home}")
        for request in self._follow(response, Follow(home, "listing", 0, depth=response.meta.get("ogi_depth", 0))):
            request.meta["ogi_rediscover"] = True
            yield request

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
        extraction = self.crawler.get_extension(Extraction)
        outcome = await extraction.extract(response.body, response.url, content_type)
        if kind == "document" and judging.is_notice(outcome):
            attachments = self._attachments(response)
            if attachments:
                for request in attachments:
                    yield request
                return
        resources: dict[str, bytes] = {}
        if judging.wants_pictures(outcome, named=named) and (urls := judging.picture_urls(response)):
            # Its tables may be pictures (图片版): fetch them with the page and read it again.
            resources = await self._pictures(response, urls)
            if resources:
                again = await extraction.extract(response.body, response.url, content_type, resources)
                outcome = judging.with_pictures(outcome, again)
        if kind == "document" and judging.is_notice(outcome):
            follow_up = self._as_report_column(response) if named else []
            if follow_up:
                for request in follow_up:
                    yield request
                return
            if isinstance(outcome, Report):
                outcome = NotAReport("only a notice: no figures and no attachment")
        if not judging.worth_keeping(outcome, named=named):
            return
        region, code = self._place(meta, source)
        yield Document(
            source=source, url=response.url, body=response.body, content_type=content_type,
            fetched_at=fetched_at, outcome=outcome, agency=self._agency(meta, source),
            region=region, division_code=code, parent_url=meta.get("ogi_parent"), resources=resources)

    async def _pictures(self, response: Response, urls: list[str]) -> dict[str, bytes]:
        """The pictures of a report page (absolute URL → bytes), fetched through the downloader
        like every request (scope: the source's site only; robots.txt, retries, the fetch log,
        the time budget) and counted against the source's page budget (crawler.budget.admit).
        Kept: those answering 200 with the bytes of a picture OCR reads (by their magic bytes)."""
        bodies = await asyncio.gather(*(self._picture(response, url) for url in urls))
        return {url: body for url, body in zip(urls, bodies) if body is not None}

    async def _picture(self, response: Response, url: str) -> bytes | None:
        source, ledger = response.meta["ogi_source"], self.run.ledger
        # The downloader alone: no spider middleware sets the Referer, which sites that refuse
        # hotlinked pictures look at.
        request = Request(url, headers={"Referer": response.url}, meta={
            "ogi_source": source, "ogi_kind": "picture", "ogi_parent": response.url,
            "download_maxsize": MAX_PICTURE_BYTES})
        if admit(self.crawler, request) is not None:
            # Over the page budget (the source is marked incomplete), out of time, or asked for
            # already this run (a picture two pages show is fetched for the first).
            return None
        try:
            answer = await self.crawler.engine.download_async(request)
        except SourceOutOfTime:
            return None
        except IgnoreRequest as exc:
            if ROBOTS_DENIED in str(exc):
                ledger.count(source, "blocked")  # FetchLogMiddleware has recorded it in `fetches`
                return None
            return self._picture_error(source, url, str(exc))
        except Exception as exc:  # noqa: BLE001 - timeouts, refused connections: this picture's failure, not the page's
            return self._picture_error(source, url, f"{type(exc).__name__}: {exc}")
        ledger.count(source, "pages")
        if answer.status != 200:
            return self._picture_error(source, url, f"HTTP {answer.status}")
        if picture_type(answer.body) is None:
            ledger.note(source, f"picture {url}: not a picture OCR reads ({len(answer.body)} bytes)")
            return None
        return answer.body

    def _picture_error(self, source: str, url: str, what: str) -> None:
        self.run.ledger.count(source, "errors")
        self.run.ledger.note(source, f"picture {url}: {what}")
        return None

    def _attachments(self, response: Response) -> list[Request]:
        """Requests for the files a notice page links (each archived as its own document)."""
        meta, source = response.meta, response.meta["ogi_source"]
        out = []
        for url, text in judging.attachments(response):
            self.run.ledger.saw(source, url)
            named = bool(meta.get("ogi_named")) or discovery.is_report_title(text)
            request = self._request(source, Follow(url, "attachment", 0, text=text, named=named,
                                                   agency=meta.get("ogi_agency")), parent=response.url,
                                    place=(meta.get("ogi_region"), meta.get("ogi_code")))
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
        coverage.column_read(self.run.ledger.tally(response.meta["ogi_source"]), response.url,
                             self._agency(response.meta, response.meta["ogi_source"]),
                             *self._place(response.meta, response.meta["ogi_source"]))
        return list(self._read_listing(response, listing, hops=1, ctx=True, column=response.url))

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

    def _follow(self, response: Response, follow: Follow, column: str | None = None, detail: str | None = None):
        """A request for `follow`, if it stays on the source's site and out of other sources'
        start pages; it inherits the agency and region learnt on the way, or learns them from
        the directory's name for the agency it enters."""
        meta, source = response.meta, response.meta["ogi_source"]
        start = getattr(self.by_id.get(source), "start_url", None) or response.url
        if not (judging.same_site(follow.url, start) or judging.same_site(follow.url, response.url)):
            return
        if follow.kind == "listing" and self.starts.get(judging.page_key(follow.url), source) != source:
            return  # another source of this run starts there and reads it
        if follow.kind == "document":
            self.run.ledger.saw(source, follow.url)
            coverage.report_listed(self.run.ledger.tally(source), column)
        place = (meta.get("ogi_region"), meta.get("ogi_code"))
        if follow.depth > meta.get("ogi_depth", 0) and follow.agency:
            # Entering an agency named by a directory: its name may say which county it is.
            learnt = places.learn(places.Place(*self._place(meta, source)), follow.agency)
            place = (learnt.region, learnt.code)
        elif follow.agency is None and meta.get("ogi_agency"):
            follow = replace(follow, agency=meta["ogi_agency"])
        request = self._request(source, follow, place=place, column=column if follow.kind == "listing" else None,
                                detail=detail or meta.get("ogi_detail"))
        if request is not None:
            yield request

    def _request(self, source: str, follow: Follow, parent: str | None = None, place=(None, None),
                 column: str | None = None, detail: str | None = None) -> Request | None:
        if not follow.url.startswith(("http://", "https://")):
            return None
        meta = {"ogi_source": source, "ogi_kind": follow.kind, "ogi_hops": follow.hops, "ogi_ctx": follow.ctx,
                "ogi_text": follow.text, "ogi_named": follow.named, "ogi_agency": follow.agency,
                "ogi_parent": parent, "ogi_depth": follow.depth}
        for key, value in (("ogi_region", place[0]), ("ogi_code", place[1]), ("ogi_column", column),
                           ("ogi_probe", follow.probe or None), ("ogi_detail", detail)):
            if value is not None:
                meta[key] = value
        callback = self.parse_listing if follow.kind == "listing" else self.parse_document
        # Documents before further listing pages at the same depth: the queue stays short and
        # reports reach the archive early in a crawl that may be interrupted.
        return Request(follow.url, callback=callback, errback=self.on_error, meta=meta,
                       priority=0 if follow.kind == "listing" else 1)

    # -- what a request knows of its agency --------------------------------------------------------

    def _kind(self, source: str) -> str | None:
        return getattr(self.by_id.get(source), "kind", None)

    def _agency(self, meta: dict, source: str) -> str | None:
        """The agency learnt on the way (a directory's or a record's name for it) beats the
        source row's."""
        return meta.get("ogi_agency") or getattr(self.by_id.get(source), "agency", None)

    def _place(self, meta: dict, source: str) -> tuple[str | None, str | None]:
        if meta.get("ogi_region") or meta.get("ogi_code"):
            return meta.get("ogi_region"), meta.get("ogi_code")
        src = self.by_id.get(source)
        return getattr(src, "region", None), getattr(src, "division_code", None)


def _referer(response: Response) -> str:
    ref = response.request.headers.get(b"Referer") if response.request is not None else None
    return ref.decode("latin-1") if ref else "?"
