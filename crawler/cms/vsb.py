"""博达/VSB: `info/1050/64208.htm` articles; list pages numbered downwards.

Static lists: page 1 is `xxgknb.htm`, then `xxgknb/10.htm`, `xxgknb/9.htm` … `xxgknb/1.htm`
(the newest page has the highest number, so numbers shift as reports are added):

    <span class="p_pages"><span class="p_no_d">1</span><span class="p_no"><a href="xxgknb/10.htm">2</a></span>…
    <span class="p_next p_fun"><a href="xxgknb/10.htm">下页</a></span><span class="p_last p_fun"><a href="xxgknb/1.htm">尾页</a></span>

Dynamic lists: `list.jsp?totalpage=11&PAGENUM=2&urltype=tree.TreeTempUrl&wbtreeid=1050`.
"""
from __future__ import annotations

import re

from scrapy.http import TextResponse
from w3lib.url import add_or_replace_parameter, url_query_parameter

from crawler.cms import Listing
from crawler.paging import MAX_PAGES

_STATIC_PAGE = re.compile(r"^(.*/)(\d+)\.htm$")
_PAGENUM = re.compile(r"[?&](pagenum)=(\d+)", re.I)


def parse(response: TextResponse) -> Listing:
    nxt = response.css(".p_next a::attr(href), .p_last a::attr(href)").getall()
    if not nxt:
        return Listing()
    urls = [response.urljoin(h) for h in nxt]
    pages: list[str] = []
    for url in urls:
        static = _STATIC_PAGE.match(url.split("?", 1)[0])
        dynamic = _PAGENUM.search(url)
        if dynamic:
            key = dynamic.group(1)
            last = max(int(m.group(2)) for u in urls if (m := _PAGENUM.search(u)))
            total = int(url_query_parameter(url, "totalpage") or 0) or last
            pages += [add_or_replace_parameter(url, key, str(n)) for n in range(1, min(total, MAX_PAGES) + 1)]
        elif static:
            # The "next" link carries the highest remaining number: every page below it exists.
            top = max(int(m.group(2)) for u in urls if (m := _STATIC_PAGE.match(u)))
            pages += [f"{static.group(1)}{n}.htm" for n in range(top, max(top - MAX_PAGES, 0), -1)]
    return Listing("vsb", [], list(dict.fromkeys(p for p in pages if p != response.url)))
