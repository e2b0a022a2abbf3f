"""TRS WCM: the pager exists only in JavaScript.

    <script>createPageHTML(3, 0, "index", "html");</script>
    <script>var countPage = 3; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "html");</script>

Page 1 is `index.html`, page n+1 is `index_n.html` (currentPage counts from 0). Articles live in
month folders (`./202301/t20230131_123.html`), uploads beside them (`./P020230131….pdf`).
"""
from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.cms import Listing
from crawler.cms.generic import MAX_PAGES

_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_VAR = r"var\s+{name}\s*=\s*(\d+)"
_COUNT_VAR = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_NAME = re.compile(r"/(\w+?)(?:_\d+)?\.(s?html?)$")


def _args(call: str) -> list[str]:
    return [a.strip().strip("'\"") for a in call.split(",")]


def _number(arg: str, script: str) -> int | None:
    if arg.isdigit():
        return int(arg)
    m = re.search(_VAR.format(name=re.escape(arg)), script) if re.fullmatch(r"\w+", arg) else None
    return int(m.group(1)) if m else None


def page_urls(prefix: str, ext: str, count: int) -> list[str]:
    """TRS numbering: index.html, index_1.html … index_{count-1}.html."""
    count = min(count, MAX_PAGES)
    return [f"{prefix}.{ext}"] + [f"{prefix}_{n}.{ext}" for n in range(1, count)]


def parse(response: TextResponse) -> Listing:
    text = response.text
    pages: list[str] = []
    for call in _CALL.findall(text):
        args = _args(call)
        # UCAP's pager has the same name but starts with a quoted element id: see ucap.py.
        if len(args) < 4 or call.lstrip()[:1] in "'\"":
            continue
        count = _number(args[0], text)
        if count:
            pages += page_urls(args[2] or "index", args[3] or "html", count)
    if not pages:
        # Templates that write the pager with document.write and only declare countPage.
        m = _COUNT_VAR.search(text)
        name = _NAME.search(response.url)
        if m and ("index_" in text or "currentPage" in text):
            prefix, ext = (name.group(1), name.group(2)) if name else ("index", "html")
            pages = page_urls(prefix, ext, int(m.group(1)))
    urls = [response.urljoin(p) for p in pages]
    return Listing("trs" if urls else "generic", [], [u for u in urls if u != response.url])
