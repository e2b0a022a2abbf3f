"""Hanweb/大汉 JCMS: `col/colNNN/index.html` columns whose records hide in XML inside a script.

    <script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=…"></a>]]></nextgroup>
      <recordset><record><![CDATA[<li><a href="/art/2023/1/20/art_123_456.html" title="…">…</a></li>]]></record>…
    </recordset></datastore></script>
    … jpage({… totalRecord: 56, perPage: 15 …})

An HTML parser sees none of those links. The first records are inline; the rest come from the
`dataproxy.jsp` endpoint, whose XML answer carries `<totalrecord>`/`<totalpage>` and more records.
"""
from __future__ import annotations

import math
import re

from scrapy.http import TextResponse
from w3lib.url import add_or_replace_parameter, url_query_parameter

from crawler.cms import Listing
from crawler.cms.generic import fragment_anchors
from crawler.paging import MAX_PAGES

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href\s*=\s*[\"']([^\"']+)[\"']", re.S | re.I)
_TOTAL_RECORDS = re.compile(r"<totalrecord>\s*(\d+)|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_TOTAL_PAGES = re.compile(r"<totalpage>\s*(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)|<perpage>\s*(\d+)", re.I)


def _int(pattern: re.Pattern, text: str) -> int | None:
    m = pattern.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


def parse(response: TextResponse) -> Listing:
    text = response.text
    records = _RECORD.findall(text)
    if not records and "datastore" not in text:
        return Listing()
    links = [link for record in records for link in fragment_anchors(record, response)]
    pages: list[str] = []
    total_pages = _int(_TOTAL_PAGES, text)
    nextgroup = _NEXTGROUP.search(text)
    if "dataproxy" in response.url and total_pages:
        current = url_query_parameter(response.url, "page")
        pages = [add_or_replace_parameter(response.url, "page", str(n))
                 for n in range(1, min(total_pages, MAX_PAGES) + 1) if str(n) != current]
    elif nextgroup:
        proxy = response.urljoin(nextgroup.group(1).replace("&amp;", "&"))
        total, per_page = _int(_TOTAL_RECORDS, text), _int(_PER_PAGE, text)
        if total is None or total > len(records):
            count = math.ceil(total / per_page) if total and per_page else 1
            pages = [add_or_replace_parameter(proxy, "page", str(n)) for n in range(1, min(count, MAX_PAGES) + 1)]
    return Listing("hanweb", links, [p for p in pages if p != response.url])
