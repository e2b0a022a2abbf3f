"""JSON list endpoints behind SPA shells (新点 WebBuilder, TRS trsapi, Vue/React portals).

The shell page has no records; its scripts name an endpoint (crawler.paging.json_endpoints) whose
answer is JSON such as

    {"custom": {"infodata": [{"infourl": "/xxgk/002001/20230131/ab12….html",
                              "title": "某某局2022年政府信息公开工作年度报告", "infodate": "2023-01-31"}],
                "count": 34}}
    {"data": {"list": [{"id": "ab12…", "docTitle": "…"}], "total": 34, "pageSize": 10}}

Records are found by shape, not by a schema per vendor: any object with a title-like string and a
URL-like string (or an id, when the shell named a detail page such as `showinfo.html?infoGuid=`).
A total and a page size, with a page parameter in the endpoint URL, give the other pages.
"""
from __future__ import annotations

import json
import math
import re

from scrapy.http import TextResponse

from crawler import paging
from crawler.cms import Link, Listing
from crawler.discovery import clean

_TITLE_KEYS = ("title", "doctitle", "infotitle", "name", "subject", "biaoti", "showtitle", "articletitle", "text")
_URL_KEYS = ("url", "infourl", "docurl", "chnldocurl", "linkurl", "link", "href", "path", "pageurl", "detailurl",
             "fileurl", "puburl", "weburl")
_ID_KEYS = ("infoguid", "infoid", "guid", "docid", "articleid", "id", "contentid")
_TOTAL_KEYS = ("total", "count", "totalcount", "recordcount", "totalrecord", "totalrecords", "totalnum", "totalsize",
               "totalelements", "rowcount")
_PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
_SIZE_KEYS = ("pagesize", "rows", "size", "perpage", "limit", "prepage", "pagerows")
_URLISH = re.compile(r"^(?:https?://|/|\.\.?/)[^\s]*$|^[\w./-]+\.(?:s?html?|pdf|docx?|wps|jsp|aspx?)(?:\?.*)?$", re.I)
MAX_RECORDS = 2000  # objects read from one answer


def is_json(response: TextResponse) -> bool:
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "json" in ctype:
        return True
    head = response.body[:64].lstrip()
    return head[:1] in (b"{", b"[") and "html" not in ctype


def parse(response: TextResponse, detail: str | None = None) -> Listing:
    """Records and other pages of one JSON answer; `detail` is a detail-page prefix the shell
    named (`…/showinfo.html?infoGuid=`), for records that carry only an id."""
    try:
        data = json.loads(response.text)
    except (ValueError, UnicodeDecodeError):
        return Listing("json")
    links: list[Link] = []
    totals: dict[str, int] = {}
    for obj in _objects(data):
        lowered = {str(k).lower(): v for k, v in obj.items()}
        for keys in (_TOTAL_KEYS, _PAGES_KEYS, _SIZE_KEYS):
            for k in keys:
                v = lowered.get(k)
                if isinstance(v, (int, str)) and str(v).isdigit() and k not in totals:
                    totals[k] = int(v)
        link = _record(lowered, response, detail)
        if link is not None:
            links.append(link)
    return Listing("json", links, _pages(response.url, totals, len(links)))


def _objects(data, depth: int = 0):
    """Every object of the answer, breadth first, bounded."""
    queue, seen = [data], 0
    while queue and seen < MAX_RECORDS:
        item = queue.pop(0)
        if isinstance(item, dict):
            seen += 1
            yield item
            queue.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            queue.extend(v for v in item if isinstance(v, (dict, list)))
        elif isinstance(item, str) and item[:1] in "{[":
            # Endpoints that wrap their records in a JSON string ({"custom": "{\"infodata\": …}"}).
            try:
                queue.append(json.loads(item))
            except ValueError:
                pass


def _record(obj: dict, response: TextResponse, detail: str | None) -> Link | None:
    title = next((clean(obj[k]) for k in _TITLE_KEYS if isinstance(obj.get(k), str) and clean(obj[k])), "")
    if not title or len(title) < 4:
        return None
    url = next((obj[k].strip() for k in _URL_KEYS if isinstance(obj.get(k), str) and _URLISH.match(obj[k].strip())), None)
    if url is None and detail:
        ident = next((str(obj[k]) for k in _ID_KEYS if isinstance(obj.get(k), (str, int)) and str(obj[k]).strip()), None)
        if ident:
            url = detail + ident
    if url is None:
        return None
    return Link(response.urljoin(url), re.sub(r"<[^>]+>", "", title), True)


def _pages(url: str, totals: dict[str, int], records: int) -> list[str]:
    count = next((totals[k] for k in _PAGES_KEYS if totals.get(k)), None)
    if count is None:
        total = next((totals[k] for k in _TOTAL_KEYS if k in totals), None)
        size = next((totals[k] for k in _SIZE_KEYS if totals.get(k)), None) or records or None
        if total is None or not size:
            return []
        count = math.ceil(total / size)
    key, current = paging.series_key(url)
    if key is None or key[0] != "q" or count < 2:
        return []
    # Zero-based page parameters (pageIndex=0) run 0 … count-1; one-based ones 1 … count.
    first = 0 if current == 0 else 1
    count = min(count, paging.MAX_PAGES)
    return [u for n in range(first, first + count) if (u := paging.page_param_url(url, n)) and u != url]
