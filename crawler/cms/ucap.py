"""UCAP/开普云: `list.shtml`, `list_2.shtml` …, articles `/<site>/<col>/<yyyymm>/<32 hex>.shtml`.

Its pager is a script call that shares TRS's name but not its arguments:

    createPageHTML('page_div', 8, 1, 'list', 'shtml', 118);   # element, pages, current (from 1), name, ext, records

Page 1 is `list.shtml`, page n (n ≥ 2) is `list_n.shtml`.
"""
from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.cms import Listing
from crawler.cms.generic import MAX_PAGES

_CALL = re.compile(r"""createPageHTML\s*\(\s*['"]([^'"]*)['"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]""")


def page_urls(name: str, ext: str, count: int) -> list[str]:
    count = min(count, MAX_PAGES)
    return [f"{name}.{ext}"] + [f"{name}_{n}.{ext}" for n in range(2, count + 1)]


def parse(response: TextResponse) -> Listing:
    pages = []
    for _element, count, _current, name, ext in _CALL.findall(response.text):
        pages += page_urls(name, ext, int(count))
    urls = [response.urljoin(p) for p in pages]
    return Listing("ucap" if urls else "generic", [], [u for u in urls if u != response.url])
