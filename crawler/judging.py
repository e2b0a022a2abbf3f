"""What to fetch next, decided from a page the spider holds: pure functions over a response, a
link or an extraction outcome, so each decision is testable on a saved page without a crawl
(tests/test_judging.py). The spider (crawler/spiders/reports.py) only turns decisions into
requests; the words themselves are crawler/discovery.py's, the listing parsers crawler/cms/'s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from crawler import discovery, sites
from crawler.cms import Link, is_article_url, is_attachment_url
from crawler.cms.generic import anchors
from extract.pipeline import sniff_format
from extract.report import ExtractError, ImageOnly, MemoryLimit, NotAReport, Report, TimeLimit, WorkerDied
from extract.scan import html_picture_urls

# A page that is a report column by its own name or path (…/zfxxgknb/, …/gknb2017/, …/ndbg/).
_COLUMN_PATH = re.compile(r"/(?:\w*nb|ndbg|\w*ndbg|\w*nb\d{4}\w*|\w*nb_\d{4}\w*)/", re.I)
_COLUMN_TITLE = re.compile(r"年报|年度报告")
# JavaScript-only redirects ("moving targets"): tiny shells that set location.
_JS_REDIRECT = re.compile(r"""location(?:\.href)?\s*=\s*["']([^"']+)["']|location\.replace\(\s*["']([^"']+)["']""")
_JS_REDIRECT_MAX_BYTES = 4096
_AGENCY = re.compile(r"(?:局|委|办|厅|府|院|会|署|处|中心|街道|镇|乡|区|县|市|所|站|队)$")
MAX_ATTACHMENTS = 12  # per page; a report has one or two, a page with more is a listing
# A Report without figures whose main text is shorter than this is a notice pointing elsewhere;
# free-text reports of before the 2019 template run to thousands of characters.
NOTICE_MAX_CHARS = 800


@dataclass(frozen=True)
class Follow:
    """One link to follow: a listing (column, section, pager, directory, agency) or a document."""

    url: str
    kind: str  # listing | document
    hops: int  # navigation steps from the agency's entry page (or the start), pagination excluded
    ctx: bool = False  # inside a report column
    text: str = ""
    named: bool = False  # the link names an OGI annual report
    agency: str | None = None  # the link text, when a column record or a directory names only the agency
    depth: int = 0  # directory steps from the start page: agencies entered on the way
    probe: bool = False  # a page derived by a convention (crawler.paging): a 404 is no error


# What each kind of source (crawler/sources.py KINDS) walks: a `platform` or `cluster` walks its
# directory of agencies; a `home` only its own 政府信息公开 → 年报 path; a `column` is read as it
# is. A start URL given on the command line has no kind: it is walked like a cluster, since a
# user who gives a portal home expects every report it leads to.
DIRECTORY_KINDS = {"platform", "cluster", None}


def directory_depth(kind: str | None, max_depth: int) -> int:
    """How many agencies deep a source of `kind` walks from its start page."""
    return max_depth if kind in DIRECTORY_KINDS else 0


# -- listings ------------------------------------------------------------------------------------

def judge(link: Link, *, is_entry: bool, ctx: bool, hops: int, max_hops: int,
          depth: int = 0, max_depth: int = 0) -> Follow | None:
    """Follow one link of a listing for what its words (and place) say it is, or not at all.
    Inside a report column, list records that point at a document are candidates even when
    their text is only an agency; outside one, only links that name a report are. A source
    that walks directories (max_depth > depth) also follows directories of agencies and links
    named as an agency: each agency's own pages count their hops afresh, one depth further."""
    text = link.text
    walks = depth < max_depth
    if walks and not ctx and discovery.is_directory(text):
        # Before the distractors: "政府信息公开目录" is a directory here, not a report's name.
        return Follow(link.url, "listing", hops + 1, depth=depth) if hops < max_hops else None
    if discovery.is_distractor(text):
        return None
    if discovery.is_report_title(text):
        return Follow(link.url, "document", hops + 1, text=text, named=True, depth=depth)
    if discovery.is_report_column(text) or ctx and discovery.year_column(text):
        return Follow(link.url, "listing", hops + 1, ctx=True, depth=depth) if hops < max_hops else None
    if ctx and is_entry and text and not discovery.is_section(text):
        # A record of a report column whose text is only the agency ("2023年度" sub-columns).
        return Follow(link.url, "document", hops + 1, text=text, agency=text if looks_like_agency(text) else None,
                      depth=depth)
    if not ctx and discovery.is_section(text) and hops < max_hops:
        return Follow(link.url, "listing", hops + 1, ctx=False, depth=depth)
    if walks and not ctx and discovery.is_agency(text):
        return Follow(link.url, "listing", 0, text=text, agency=text, depth=depth + 1)
    return None


def is_report_column(response: TextResponse) -> bool:
    """A page that is a column of reports by its path or its title."""
    if _COLUMN_PATH.search(urlsplit(response.url).path + "/"):
        return True
    title = discovery.clean(response.xpath("string(//title)").get())
    return bool(title and _COLUMN_TITLE.search(title) and not discovery.is_distractor(title)
                and not discovery.is_report_title(title))


def js_redirect(response: TextResponse) -> str | None:
    """Where a tiny page without links sends the browser by script, if it does."""
    if len(response.body) > _JS_REDIRECT_MAX_BYTES or response.xpath("//a[@href]"):
        return None
    for script in response.xpath("//script[not(@src)]/text()").getall():
        m = _JS_REDIRECT.search(script)
        if m:
            return response.urljoin(m.group(1) or m.group(2))
    return None


def looks_like_agency(text: str) -> bool:
    return len(text) <= 30 and bool(_AGENCY.search(text))


def same_site(a: str, b: str) -> bool:
    """One site: the same host or registered domain (crawler/sites.py)."""
    return sites.same_site(a, b)


_INDEX_FILE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)


def page_key(url: str) -> str:
    """A page's identity for "is this another source's start page?": scheme, `index.html` and
    the trailing slash ignored."""
    parts = urlsplit(url)
    path = _INDEX_FILE.sub("/", parts.path or "/").rstrip("/")
    return f"{(parts.hostname or '').lower()}{path}" + (f"?{parts.query}" if parts.query else "")


# -- documents -----------------------------------------------------------------------------------

def attachments(response: Response) -> list[tuple[str, str]]:
    """(url, link text) of the files a report page links: PDF/DOC/… (extract.formats), TRS
    P0… uploads, and links that name the report."""
    if not isinstance(response, TextResponse):
        return []
    found: dict[str, str] = {}
    for link in anchors(response):
        if link.url == response.url or discovery.is_distractor(link.text):
            continue
        if is_attachment_url(link.url) or discovery.is_report_title(link.text) and not is_article_url(link.url):
            found.setdefault(link.url, link.text)
    return list(found.items())[:MAX_ATTACHMENTS]


def is_notice(outcome: Report | ExtractError) -> bool:
    """A page that only points elsewhere ("现将我局2022年年度报告公布如下，详见附件"): a report
    without figures and with little text, or a page read as no report at all (not a scan)."""
    if isinstance(outcome, Report):
        return not outcome.figures and len(outcome.text or "") < NOTICE_MAX_CHARS
    return isinstance(outcome, NotAReport) and not isinstance(outcome, ImageOnly)


def worth_keeping(outcome: Report | ExtractError, *, named: bool) -> bool:
    """Archive a report, and what is probably a report we failed to read (named so by its
    link, unreadable, unsupported, a scan, over a limit); drop pages that simply are not reports."""
    return not isinstance(outcome, NotAReport) or named or isinstance(outcome, ImageOnly)


# -- pictures: report pages whose tables are images (图片版) ---------------------------------------

def wants_pictures(outcome: Report | ExtractError, *, named: bool) -> bool:
    """Whether a page's pictures may hold the table 3 its text lacks: a report read without it,
    a scan, or a page named like a report that its text alone does not show to be one."""
    if isinstance(outcome, Report):
        return "applications" not in outcome.figures
    return isinstance(outcome, ImageOnly) or isinstance(outcome, NotAReport) and named


def picture_urls(response: Response) -> list[str]:
    """The pictures of an HTML page that may be its tables (extract.scan.html_picture_urls:
    chrome, icons, `data:` URIs left out; at most MAX_HTML_PICTURES), in document order."""
    if not isinstance(response, TextResponse):
        return []
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
    if sniff_format(response.body, response.url, content_type) != "html":
        return []
    try:
        return html_picture_urls(response.body, response.url, content_type)
    except ExtractError:  # a page the extractor refuses to parse has no pictures to read either
        return []


def with_pictures(alone: Report | ExtractError, read: Report | ExtractError) -> Report | ExtractError:
    """The reading of a page with its pictures, unless it ran over a limit (a deadline, memory, a
    dead worker) where the page alone was read as a report: that version keeps its metadata, and
    its stored pictures can be read again later (`ogi reextract`)."""
    if isinstance(read, (TimeLimit, MemoryLimit, WorkerDied)) and isinstance(alone, Report):
        return alone
    return read
