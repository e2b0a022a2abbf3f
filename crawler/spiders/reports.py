"""The `reports` spider: from a portal (home page or report column) to every OGI annual report.

    scrapy crawl reports -a start_urls=URL1,URL2 -s ARCHIVE_DB=archive.db
    scrapy crawl reports                      # every source of crawler/sources.csv
    scrapy crawl reports -a only=ID1,ID2 -a sources=my.csv
    scrapy crawl reports -a only=河南/漯河,北京市,商务局   # region prefixes, parts of agency names

Walk: a portal page → 政府信息公开 sections → 年报 columns (and their per-year sub-columns, all
pages of each listing) → report pages → their attachments when the page is only a notice (the
pipeline decides that after extraction and asks `attachment_requests`). Links are judged by
their words (crawler.discovery); listings are read by the CMS parsers (crawler.cms). Inside a
report column, list records that point at a document are candidates even when their text is only
an agency name; outside one, only links that name a report are.

Links are followed within the source's site (same registrable domain, any subdomain);
attachments from anywhere. Request meta: ogi_source, ogi_kind (listing | document | attachment), ogi_hops (navigation steps,
pagination excluded), ogi_ctx (inside a report column), ogi_text, ogi_named, ogi_agency, ogi_parent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from archive.clock import utc_iso
from crawler import discovery
from crawler.budget import SourceOutOfTime
from crawler.cms import Link, is_article_url, is_attachment_url, parse_listing
from crawler.cms.generic import anchors
from crawler.items import DocumentItem
from crawler.middlewares import ROBOTS_DENIED
from crawler.run import CrawlRun

# A page that is a report column by its own name or path (…/zfxxgknb/, …/gknb2017/, …/ndbg/).
_COLUMN_PATH = re.compile(r"/(?:\w*nb|ndbg|\w*ndbg|\w*nb\d{4}\w*|\w*nb_\d{4}\w*)/", re.I)
_COLUMN_TITLE = re.compile(r"年报|年度报告")
# JavaScript-only redirects ("moving targets"): tiny shells that set location.
_JS_REDIRECT = re.compile(r"""location(?:\.href)?\s*=\s*["']([^"']+)["']|location\.replace\(\s*["']([^"']+)["']""")
_JS_REDIRECT_MAX_BYTES = 4096
_INDEX_PAGE = re.compile(r"/(?:index|default)\.s?html?$", re.I)
MAX_ATTACHMENTS = 12  # per page; a report has one or two, a page with more is a listing


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
    """Explicit URLs, else the sources list (crawler.sources, when that module exists)."""
    urls = [u.strip() for u in (start_urls.split(",") if isinstance(start_urls, str) else start_urls or []) if u.strip()]
    if urls:
        return [AdHocSource(id=u, start_url=u) for u in dict.fromkeys(urls)]
    try:
        from crawler.sources import load_sources as load
    except ImportError:
        return []
    ids = [i.strip() for i in only.split(",")] if isinstance(only, str) else only
    return list(load(sources, only=ids or None))


def same_site(a: str, b: str) -> bool:
    """One site: the same registrable name (xx.huaian.gov.cn ~ www.huaian.gov.cn), port ignored."""
    ha, hb = (urlsplit(u).hostname or "" for u in (a, b))
    if ha == hb:
        return True
    return _site(ha) == _site(hb) and _site(ha) != ""


def _site(host: str) -> str:
    labels = host.split(".")
    if host.replace(".", "").isdigit():
        return host
    keep = 3 if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "edu", "net", "ac") else 2
    return ".".join(labels[-keep:])


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
        spider.page_budget = crawler.settings.getint("OGI_PAGE_BUDGET", 3000)
        spider.max_hops = crawler.settings.getint("OGI_MAX_HOPS", 6)
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
            request = self._request(source.id, source.start_url, "listing", hops=0)
            if request is not None:
                yield request

    # -- listings ------------------------------------------------------------------------------

    def parse_listing(self, response: Response):
        meta, source = response.meta, response.meta["ogi_source"]
        tally = self.run.tally(source)
        tally.count("pages")
        if response.status >= 400 or not isinstance(response, TextResponse):
            tally.count("errors")
            tally.note(f"listing {response.url}: HTTP {response.status}")
            # A report column that 404s (a redesign moved it) hides every report it listed; a
            # dead navigation link elsewhere on the portal hides nothing we knew of.
            if meta.get("ogi_ctx") or meta["ogi_hops"] == 0 or response.status not in (404, 410):
                self.run.incomplete(source, f"listing page {response.url} answered HTTP {response.status}")
            return
        if redirect := self._js_redirect(response):
            yield from self._follow(response, redirect, "listing", hops=meta["ogi_hops"], ctx=meta.get("ogi_ctx"))
            return
        ctx = bool(meta.get("ogi_ctx")) or self._is_report_column(response)
        yield from self._read_listing(response, parse_listing(response), hops=meta["ogi_hops"], ctx=ctx)

    def _read_listing(self, response: Response, listing, *, hops: int, ctx: bool):
        for page in listing.pages:
            yield from self._follow(response, page, "listing", hops=hops, ctx=ctx)
        entries = {link.url for link in listing.entries}
        for link in listing.links:
            yield from self._judge(response, link, link.url in entries, hops=hops, ctx=ctx)

    def _judge(self, response: Response, link: Link, is_entry: bool, *, hops: int, ctx: bool):
        """Follow one link of a listing for what its words (and place) say it is."""
        text = link.text
        if discovery.is_distractor(text):
            return
        if discovery.is_report_title(text):
            yield from self._follow(response, link.url, "document", hops=hops + 1, text=text, named=True)
        elif discovery.is_report_column(text) or ctx and discovery.year_column(text):
            if hops < self.max_hops:
                yield from self._follow(response, link.url, "listing", hops=hops + 1, ctx=True)
        elif ctx and is_entry and text and not discovery.is_section(text):
            # A record of a report column whose text is only the agency ("2023年度" sub-columns).
            yield from self._follow(response, link.url, "document", hops=hops + 1, text=text,
                                    agency=text if _looks_like_agency(text) else None)
        elif not ctx and discovery.is_section(text) and hops < self.max_hops:
            yield from self._follow(response, link.url, "listing", hops=hops + 1, ctx=False)

    def _is_report_column(self, response: TextResponse) -> bool:
        if _COLUMN_PATH.search(urlsplit(response.url).path + "/"):
            return True
        title = discovery.clean(response.xpath("string(//title)").get())
        return bool(title and _COLUMN_TITLE.search(title) and not discovery.is_distractor(title)
                    and not discovery.is_report_title(title))

    def _js_redirect(self, response: TextResponse) -> str | None:
        if len(response.body) > _JS_REDIRECT_MAX_BYTES or response.xpath("//a[@href]"):
            return None
        for script in response.xpath("//script[not(@src)]/text()").getall():
            m = _JS_REDIRECT.search(script)
            if m:
                return response.urljoin(m.group(1) or m.group(2))
        return None

    # -- documents -----------------------------------------------------------------------------

    def parse_document(self, response: Response):
        meta, source = response.meta, response.meta["ogi_source"]
        tally = self.run.tally(source)
        tally.count("pages")
        self.run.saw(source, response.url)
        if response.status == 304:
            self.run.archive.touch(response.url, run_id=self.run.run_id)
            tally.count("unchanged")
            tally.count("reports")
            return
        if response.status in (404, 410):
            self.run.gone(source, response.url, response.status, _referer(response))
            return
        if meta["ogi_kind"] == "document" and isinstance(response, TextResponse):
            if redirect := self._js_redirect(response):
                yield from self._follow(response, redirect, "document", hops=meta["ogi_hops"],
                                        text=meta.get("ogi_text", ""), named=meta.get("ogi_named", False))
                return
        src = self.by_id.get(source)
        yield DocumentItem(
            url=response.url, body=response.body,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            fetched_at=utc_iso(),
            source=source, agency=meta.get("ogi_agency") or getattr(src, "agency", None),
            region=getattr(src, "region", None), parent_url=meta.get("ogi_parent"),
            link_text=meta.get("ogi_text", ""), named=bool(meta.get("ogi_named")),
            encoding=response.encoding if isinstance(response, TextResponse) else None,
        )

    def attachment_requests(self, item: DocumentItem) -> list[Request]:
        """Requests for the attachments of a page the pipeline found to be only a notice.

        Read here, on demand, rather than for every page: most report pages are the report."""
        if item.is_attachment or not item.encoding:
            return []
        out = []
        for url, text in _attachments(_as_response(item)):
            named = item.named or discovery.is_report_title(text)
            request = self._request(item.source, url, "attachment", hops=0, text=text, named=named,
                                    agency=item.agency, parent=item.url)
            if request is not None:
                out.append(request)
        return out

    def listing_requests(self, item: DocumentItem) -> list[Request]:
        """A link named like a report that leads to a list of reports (a "2022年政府信息公开年报"
        column of per-agency records): read it as a report column (called by the pipeline)."""
        if not item.encoding:
            return []
        response = _as_response(item, {"ogi_source": item.source, "ogi_kind": "listing", "ogi_hops": 1, "ogi_ctx": True})
        listing = parse_listing(response)
        if len(listing.entries) < 2:
            return []
        return list(self._read_listing(response, listing, hops=1, ctx=True))

    # -- errors --------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        meta = request.meta
        source, kind = meta.get("ogi_source"), meta.get("ogi_kind")
        tally = self.run.tally(source)
        if failure.check(SourceOutOfTime):
            return  # not the portal's fault; CrawlRun.out_of_time marked the source incomplete
        if failure.check(IgnoreRequest) and ROBOTS_DENIED in str(failure.value):
            tally.count("blocked")  # FetchLogMiddleware has recorded it in `fetches`
            if kind == "listing" and meta.get("ogi_hops") == 0:
                tally.note(f"start page {request.url} is disallowed by robots.txt")
                self.run.incomplete(source, "start page disallowed by robots.txt")
            return
        if failure.check(HttpError):
            what = f"HTTP {failure.value.response.status}"
        else:
            what = f"{type(failure.value).__name__}: {failure.value}"
        tally.count("errors")
        tally.note(f"{kind} {request.url}: {what}")
        # A failed listing or report page may hide reports (and their attachments) we would
        # otherwise take for removed: skip the removal check for this source tonight.
        if kind in ("listing", "document"):
            self.run.incomplete(source, f"{kind} {request.url} failed ({what})")
        if kind in ("document", "attachment"):
            self.run.saw(source, request.url)

    # -- requests ------------------------------------------------------------------------------

    def _follow(self, response: Response, url: str, kind: str, *, hops: int, ctx=None, text: str = "",
                named: bool = False, agency: str | None = None):
        source = response.meta["ogi_source"]
        src = self.by_id.get(source)
        start = getattr(src, "start_url", None) or response.url
        if kind != "attachment" and not (same_site(url, start) or same_site(url, response.url)):
            return
        if kind == "document":
            self.run.saw(source, url)
        request = self._request(source, url, kind, hops=hops, ctx=ctx, text=text, named=named,
                                agency=agency or response.meta.get("ogi_agency"))
        if request is not None:
            yield request

    def _request(self, source: str, url: str, kind: str, *, hops: int, ctx=None, text: str = "",
                 named: bool = False, agency: str | None = None, parent: str | None = None) -> Request | None:
        if not url.startswith(("http://", "https://")):
            return None
        if kind == "attachment":
            self.run.saw(source, url)
        if self.run.out_of_time(source):
            return None
        budget = self.run.requested.setdefault(source, set())
        key = _INDEX_PAGE.sub("/", url)  # "col/" and "col/index.html" are one page
        if key in budget:
            return None
        if len(budget) >= self.page_budget:
            self.run.incomplete(source, f"page budget of {self.page_budget} reached")
            return None
        budget.add(key)
        meta = {"ogi_source": source, "ogi_kind": kind, "ogi_hops": hops, "ogi_ctx": ctx, "ogi_text": text,
                "ogi_named": named, "ogi_agency": agency, "ogi_parent": parent}
        callback = self.parse_listing if kind == "listing" else self.parse_document
        # Documents before further listing pages at the same depth: the queue stays short and
        # reports reach the archive early in a crawl that may be interrupted.
        return Request(url, callback=callback, errback=self.on_error, meta=meta,
                       priority=0 if kind == "listing" else 1)


def _attachments(response: TextResponse) -> list[tuple[str, str]]:
    """Files a report page links (PDF/DOC/…, TRS P0… uploads, links naming the report)."""
    found = {}
    for link in anchors(response):
        if link.url == response.url or discovery.is_distractor(link.text):
            continue
        if is_attachment_url(link.url) or discovery.is_report_title(link.text) and not is_article_url(link.url):
            found.setdefault(link.url, link.text)
    return list(found.items())[:MAX_ATTACHMENTS]


def _as_response(item: DocumentItem, meta: dict | None = None) -> HtmlResponse:
    """The fetched page again, from the item (decoded as it was when fetched)."""
    return HtmlResponse(url=item.url, body=item.body, encoding=item.encoding,
                        request=Request(item.url, meta=meta or {"ogi_source": item.source}))


_AGENCY = re.compile(r"(?:局|委|办|厅|府|院|会|署|处|中心|街道|镇|乡|区|县|市|所|站|队)$")


def _looks_like_agency(text: str) -> bool:
    return len(text) <= 30 and bool(_AGENCY.search(text))


def _referer(response: Response) -> str:
    ref = response.request.headers.get(b"Referer") if response.request is not None else None
    return ref.decode("latin-1") if ref else "?"
