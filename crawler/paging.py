"""Every other page of a listing, whatever CMS wrote its pager: detected by shape, not by family.

    js_calls      a script call whose arguments hold (page count, current page, file stem,
                  extension) under any function name: TRS `createPageHTML(3, 0, "index", "html")`,
                  UCAP `createPageHTML('page_div', 8, 1, 'list', 'shtml', 118)`, `createPage(3, 1,
                  "list", "shtml")`, `pageNav(count, cur, 'index', 'htm')` (variables resolved)
    js_counts     a script that only declares its totals: `var countPage = 5`, `totalPage: 12`, or a
                  record count and a page size (`recordCount: 20, prepage: 10`): pages numbered
                  after the current file (`index.htm` → `index_1.htm` …)
    anchor_series pager links in the markup (下一页 / 尾页 / 1 2 3 / »), numbered sibling files
                  (`index_1.html`, `list_2.shtml`, `2.htm` … `N.htm`) and page query parameters
                  (`?page=`, `pageIndex=`, `pageNo=`, `PAGENUM=` …), the gaps between the numbers
                  seen filled in (the 尾页 link gives the far end)
    json_endpoints list endpoints an SPA shell names in its scripts (`…/getList.json`,
                  `/api/…`, `/rest/…`): read as JSON listings (crawler/cms/jsonlist.py)

Two numbering conventions share the `stem_N.ext` shape: TRS counts the current page from 0 and
names page i+1 `stem_i` (`stem_1` … `stem_{n-1}`); UCAP and others count from 1 and name page p
`stem_p` (`stem_2` … `stem_n`). The current page number and the current file tell which one a
page uses; on a later page both may fit, and then only the pages both would fetch are taken (the
first page, always among them, settles the rest); where the page says nothing of the numbering
(a record count alone), every file is a probe.

`pages` are URLs the page itself states; `probes` are URLs derived by a convention the page
does not confirm: the spider fetches both, and a probe that answers 404 is not an error of the
portal (crawler/spiders/reports.py). Hanweb's datastore and dataproxy stay in crawler/cms/hanweb.py
(its records hide in XML); VSB's dynamic `list.jsp` in crawler/cms/vsb.py.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import TextResponse

from crawler.discovery import clean

# Pages of one listing cannot be more than this; a pager that says more is broken or hostile.
MAX_PAGES = 500

PAGER_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "最末页", ">", ">>", "»", "›", "下一页>",
               "下一页>>", "next", "Next", "下一頁", "尾頁", "last", "Last"}
LAST_WORDS = {"尾页", "末页", "最后一页", "最末页", "尾頁", "last", "Last"}
# Query parameters that number the pages of a list (compared lower-case).
PAGE_PARAMS = ("page", "pageindex", "pageno", "pagenum", "pagenumber", "currentpage", "curpage", "cur_page",
               "page_no", "pageidx", "pn", "p", "pg", "pindex", "nowpage", "startpage")
_PAGE_PARAMS = set(PAGE_PARAMS)
# File extensions a listing page may have (the fourth argument of a JS pager).
_LIST_EXT = {"html", "htm", "shtml", "xhtml", "jsp", "php", "asp", "aspx", "do", "jhtml"}
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")

# -- script shapes ---------------------------------------------------------------------------------
_CALL = re.compile(r"\b[A-Za-z_$][\w$]*\s*\(([^()]{3,300})\)")
_ARG = re.compile(r"""\s*(?:(['"])(.*?)\1|([\w$.]+))\s*(?:,|$)""")
_INT_VAR = re.compile(r"""(?:var\s+|let\s+|const\s+|[{,]\s*|^|[;\s])["']?([A-Za-z_$][\w$]*)["']?\s*[:=]\s*["']?(\d{1,6})["']?""", re.M)
# Names a page count / current page / record count / page size goes by in the scripts we meet.
_COUNT_NAMES = {"countpage", "pagecount", "totalpage", "totalpages", "pagetotal", "page_count", "allpage",
                "maxpage", "pagesize_total", "totalpagenum", "pages", "pagecounts", "total_page", "pagenums"}
_CURRENT_NAMES = {"currentpage", "curpage", "pageindex", "nowpage", "cur_page", "curpageno", "currpage",
                  "current", "pageno", "page_index", "currentpageno"}
_RECORD_NAMES = {"recordcount", "totalrecord", "totalrecords", "totalcount", "record_count", "recordtotal",
                 "totalnum", "allcount", "totalsize", "rowcount", "total"}
_SIZE_NAMES = {"prepage", "perpage", "pagesize", "page_size", "pagerow", "pagerows", "rows", "perpagecount",
               "recordsperpage", "pagenumber_size", "limit"}
# A listing's own file: `index.html`, `index_3.html`, `list_2.shtml`, `nlist.htm`, or a folder.
_FILE = re.compile(r"^(?P<dir>.*/)(?P<stem>[\w-]+?)(?:_(?P<n>\d+))?\.(?P<ext>[a-z]+)$", re.I)

# -- JSON list endpoints named in scripts ------------------------------------------------------------
_URL_LITERAL = re.compile(r"""["']((?:https?://[^\s"'<>]+|/[^\s"'<>]*|\.\.?/[^\s"'<>]*))["']""")
_JSON_ENDPOINT = re.compile(r"(?:\.json(?:$|\?)|/(?:api|rest|interface|openapi)/|get\w*list|list\w*\.(?:do|action|jspx?)|"
                            r"/(?:search|query)\w*\.(?:do|action|jspx?))", re.I)
_NOT_ENDPOINT = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|html?|shtml)(?:$|\?)|/(?:login|logout|uc)/", re.I)


@dataclass
class Paging:
    pages: list[str] = field(default_factory=list)  # stated by the page
    probes: list[str] = field(default_factory=list)  # derived by a convention the page does not confirm
    endpoints: list[str] = field(default_factory=list)  # JSON list endpoints its scripts name

    def add(self, pages=(), probes=()) -> None:
        for url in pages:
            if url not in self.pages:
                self.pages.append(url)
        for url in probes:
            if url not in self.probes:
                self.probes.append(url)

    def finish(self, current: str) -> "Paging":
        here = _same_page(current)
        self.pages = [p for p in self.pages if _same_page(p) != here]
        self.probes = [p for p in self.probes if _same_page(p) != here and p not in self.pages]
        return self


_INDEX_FILE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)


def _same_page(url: str) -> str:
    """`col/` and `col/index.html` are one page."""
    url = url.split("#", 1)[0]
    base, _, query = url.partition("?")
    return _INDEX_FILE.sub("/", base) + ("?" + query if query else "")


def detect(response: TextResponse) -> Paging:
    """Every pager shape of one listing page."""
    paging = Paging()
    scripts = "\n".join(response.xpath("//script[not(@src)]/text()").getall())
    seen = js_calls(response.url, scripts, paging)
    if not seen:
        js_counts(response.url, scripts, paging, ext=_folder_ext(response))
    series, _ = anchor_series(response)
    paging.add(pages=series)
    paging.endpoints = json_endpoints(response, scripts)
    return paging.finish(response.url)


# -- scripts ---------------------------------------------------------------------------------------

def _int_vars(scripts: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in _INT_VAR.findall(scripts):
        out.setdefault(name, int(value))
    return out


def _args(call: str) -> list[tuple[str, bool]] | None:
    """(value, quoted) of each argument of a call with simple arguments only."""
    out, pos = [], 0
    while pos < len(call):
        m = _ARG.match(call, pos)
        if not m or m.end() == pos:
            return None
        out.append((m.group(2), True) if m.group(1) else (m.group(3), False))
        pos = m.end()
    return out


def js_calls(url: str, scripts: str, paging: Paging) -> bool:
    """Calls holding (count, current, stem, ext) in a row; True when one was found."""
    found = False
    variables = None
    for m in _CALL.finditer(scripts):
        args = _args(m.group(1))
        if not args or len(args) < 4:
            continue
        for i in range(len(args) - 3):
            (a, qa), (b, qb), (stem, qs), (ext, qe) = args[i:i + 4]
            ext = (ext or "").lstrip(".").lower()
            if not (qs and qe and ext in _LIST_EXT and re.fullmatch(r"[\w-]{1,40}", stem or "")):
                continue
            if variables is None:
                variables = _int_vars(scripts)
            count, current = _number(a, qa, variables), _number(b, qb, variables)
            if count is None or current is None or count < 1 or current > count:
                continue
            found = True
            _numbered(url, stem, ext, count, current, paging)
            break
    return found


def _number(value: str, quoted: bool, variables: dict[str, int]) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    if not quoted and re.fullmatch(r"[A-Za-z_$][\w$]*", value):
        return variables.get(value)
    return None


def _folder_ext(response: TextResponse) -> str:
    """The extension the pages under the current folder use (`.htm` on many TRS sites), for a
    listing whose own URL is the folder: the most common among the links below it."""
    base = response.url.split("?", 1)[0]
    folder = base[: base.rfind("/") + 1]
    counts: dict[str, int] = {}
    for href in response.xpath("//a/@href").getall():
        url = response.urljoin(href.strip()).split("?", 1)[0]
        if url.startswith(folder):
            ext = url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else ""
            if ext in ("html", "htm", "shtml"):
                counts[ext] = counts.get(ext, 0) + 1
    return max(counts, key=counts.get) if counts else "html"


def js_counts(url: str, scripts: str, paging: Paging, ext: str = "html") -> None:
    """Totals declared without a pager call: page count (and current page), or records and size."""
    variables = {k.lower(): v for k, v in _int_vars(scripts).items()}
    count = next((variables[n] for n in _COUNT_NAMES if variables.get(n)), None)
    current = next((variables[n] for n in _CURRENT_NAMES if n in variables), None)
    if count is None:
        records = next((variables[n] for n in _RECORD_NAMES if variables.get(n)), None)
        size = next((variables[n] for n in _SIZE_NAMES if variables.get(n)), None)
        if records and size:
            count = math.ceil(records / size)
        current = None  # a record count says nothing of how pages are numbered
    if not count or count < 2:
        return
    f = _file_of(url)
    stem, ext = (f["stem"], f["ext"]) if f else ("index", ext)
    if current is None:
        # Which numbering, and whether later pages are static files at all, nothing says:
        # every file is a probe.
        guessed = Paging()
        _numbered(url, stem, ext, count, None, guessed)
        paging.add(probes=guessed.pages + guessed.probes)
    else:
        _numbered(url, stem, ext, count, current, paging)


def _file_of(url: str):
    path = urlsplit(url).path
    if path.endswith("/") or not path:
        return None
    m = _FILE.match(path)
    return m.groupdict() if m else None


def _numbered(url: str, stem: str, ext: str, count: int, current: int | None, paging: Paging) -> None:
    """The files of a `stem_N.ext` series of `count` pages, relative to the current page."""
    count = min(count, MAX_PAGES)
    f = _file_of(url)
    base = url.split("#", 1)[0].split("?", 1)[0]
    folder = base[: base.rfind("/") + 1]
    m = int(f["n"]) if f and f["stem"] == stem and f["n"] else 0
    zero = set(range(1, count))  # TRS: stem_1 … stem_{n-1}
    one = set(range(2, count + 1))  # UCAP: stem_2 … stem_n (there is no stem_1)
    fits_zero = current is not None and current == m
    fits_one = current is not None and m != 1 and (current == 1 if m == 0 else current == m)
    if fits_zero and not fits_one:
        sure, maybe = zero, set()
    elif fits_one and not fits_zero:
        sure, maybe = one, set()
    elif fits_zero and fits_one:
        # A later page both numberings explain: the first page (always in `pages`) tells which
        # one the listing uses and names the rest, so nothing is probed from here.
        sure, maybe = zero & one, set()
    else:
        sure, maybe = zero & one, zero ^ one
    name = lambda n: f"{folder}{stem}.{ext}" if n == 0 else f"{folder}{stem}_{n}.{ext}"  # noqa: E731
    paging.add(pages=[name(0)] + [name(n) for n in sorted(sure)], probes=[name(n) for n in sorted(maybe)])


# -- anchors ---------------------------------------------------------------------------------------

def pager_links(response: TextResponse) -> list[tuple[str, str]]:
    """(url, text) of anchors that look like a pager: its words, numbers inside a pager box, or
    the current page's URL with another value of a page parameter."""
    found = []
    own = _page_param_key(response.url)
    for a in response.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        url = response.urljoin(href)
        text = clean(" ".join(a.xpath(".//text()").getall()) or a.attrib.get("title") or "")
        if text in PAGER_WORDS:
            found.append((url, text))
        elif text.isdigit() and a.xpath(
            "ancestor::*[contains(@class,'pag') or contains(@id,'pag') or contains(@class,'fenye')"
            " or contains(@class,'p_no') or contains(@class,'Pag') or contains(@id,'Pag')][1]"
        ):
            found.append((url, text))
        elif own is not None and _page_param_key(url) == own and url != response.url:
            found.append((url, text))
    return found


def anchor_series(response: TextResponse) -> tuple[list[str], str | None]:
    """Pager links, with the gaps of each numbered series filled in; and the 尾页 link."""
    pager = pager_links(response)
    last = next((url for url, text in pager if text in LAST_WORDS), None)
    urls = [url for url, _ in pager if url != response.url]
    return expand_series(response.url, urls, last), last


def expand_series(current: str, urls: list[str], last: str | None) -> list[str]:
    """Fill the gaps of a numbered series ("index_2 … index_9" from "2 3 … 尾页=9").

    Two URLs that differ only in one number (the page parameter, else the last number of the
    path) are pages of one series; the range runs from the smallest to the largest number seen,
    the current page's own number included (the "last" link gives the far end).
    """
    if not urls:
        return []
    numbers_of: dict[tuple, list[int]] = {}
    for url in urls + [current] + ([last] if last else []):
        key, number = series_key(url)
        if key is not None:
            numbers_of.setdefault(key, []).append(number)
    pages = list(dict.fromkeys(urls))
    for key, numbers in numbers_of.items():
        if len(numbers) < 2:
            continue
        lo, hi = min(numbers), max(numbers)
        hi = min(hi, lo + MAX_PAGES)
        for n in range(lo, hi + 1):
            url = _build(key, n)
            if url != current and url not in pages:
                pages.append(url)
    return pages


def _page_param_key(url: str):
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [k for k, _ in query if k.lower() in _PAGE_PARAMS]
    if not names:
        return None
    return (parts.scheme, parts.netloc, parts.path, tuple((k, v) for k, v in query if k != names[0]), names[0])


def series_key(url: str):
    """(a key naming the series without its number, the number): by page parameter, else by the
    last number in the path (never the host or port)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k.lower() in _PAGE_PARAMS and v.isdigit():
            return ("q", parts.scheme, parts.netloc, parts.path, tuple(query[:i]), k, tuple(query[i + 1:])), int(v)
    matches = list(re.finditer(r"\d+", parts.path))
    if not matches:
        return None, 0
    m = matches[-1]
    return ("p", parts.scheme, parts.netloc, parts.path[: m.start()], parts.path[m.end():], parts.query), int(m.group())


def _build(key: tuple, n: int) -> str:
    if key[0] == "q":
        _, scheme, netloc, path, before, name, after = key
        return urlunsplit((scheme, netloc, path, urlencode(list(before) + [(name, str(n))] + list(after)), ""))
    _, scheme, netloc, prefix, suffix, query = key
    return urlunsplit((scheme, netloc, f"{prefix}{n}{suffix}", query, ""))


def page_param_url(url: str, n: int) -> str | None:
    """`url` with its page parameter set to `n` (None if it has none)."""
    key, _ = series_key(url)
    if key is None or key[0] != "q":
        return None
    return _build(key, n)


# -- JSON endpoints --------------------------------------------------------------------------------

_DETAIL_PREFIX = re.compile(r"""["']([^"'\s<>]*?\?(?:infoGuid|infoid|guid|id|docid|articleId|contentId)=)["']""", re.I)


def detail_prefix(response: TextResponse) -> str | None:
    """The detail page an SPA shell builds from a record's id (`showinfo.html?infoGuid=` + id)."""
    scripts = "\n".join(response.xpath("//script[not(@src)]/text()").getall())
    m = _DETAIL_PREFIX.search(scripts)
    return response.urljoin(m.group(1)) if m else None


def json_endpoints(response: TextResponse, scripts: str) -> list[str]:
    """GET-able list endpoints an SPA shell names in its inline scripts."""
    out = []
    for m in _URL_LITERAL.finditer(scripts):
        literal = m.group(1)
        if "+" in literal or "{" in literal or _NOT_ENDPOINT.search(literal) or not _JSON_ENDPOINT.search(literal):
            continue
        url = response.urljoin(literal)
        if url.startswith(("http://", "https://")) and url not in out:
            out.append(url)
    return out[:5]
