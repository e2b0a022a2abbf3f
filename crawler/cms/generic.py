"""What any listing page offers: its anchors and a "下一页 / 尾页 / 1 2 3" pager in plain markup."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.cms import Link, Listing
from crawler.discovery import best_text, clean

PAGER_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "最末页", ">", ">>", "»", "›", "下一页>", "下一页>>"}
_LAST_WORDS = {"尾页", "末页", "最后一页", "最末页"}
_NUMBER = re.compile(r"\d+")
# Pages of one listing cannot be more than this; a pager that says more is broken or hostile.
MAX_PAGES = 500
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
# Anchors written by scripts: TRS `var file_appendix='<a href=…>'`, `document.write('<a …>')`.
_SCRIPT_ANCHOR = re.compile(r"""<a\s[^<>]*?href\s*=\s*\\?["']([^"'\\]+)\\?["'][^<>]*>(.*?)</a>""", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def anchors(response: TextResponse) -> list[Link]:
    """Every followable anchor, with its best text; list membership from its ancestors."""
    in_list = "boolean(ancestor::li or ancestor::td or ancestor::dd or ancestor::tr)"
    out = [link for a in response.xpath("//a[@href]") if (link := _link(a, response, a.xpath(in_list).get() == "1"))]
    return out + script_anchors(response)


def script_anchors(response: TextResponse) -> list[Link]:
    """Anchors that exist only inside inline scripts (attachment lists written by JavaScript)."""
    out = []
    for script in response.xpath("//script[not(@src)]/text()").getall():
        if "href" not in script:
            continue
        for href, inner in _SCRIPT_ANCHOR.findall(script):
            if href.lower().startswith(_SKIP_SCHEMES) or "+" in href:
                continue
            out.append(Link(response.urljoin(href), clean(_TAGS.sub("", inner)), False))
    return out


def fragment_anchors(html: str, response: TextResponse, in_list: bool = True) -> list[Link]:
    """Anchors of an HTML fragment (a datastore record), resolved against the page."""
    return [link for a in Selector(text=html).xpath("//a[@href]") if (link := _link(a, response, in_list))]


def _link(a: Selector, response: TextResponse, in_list: bool) -> Link | None:
    href = (a.attrib.get("href") or "").strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    text = best_text(" ".join(a.xpath(".//text()").getall()), a.attrib.get("title"))
    return Link(response.urljoin(href), text, in_list)


def pager_links(response: TextResponse) -> list[tuple[str, str]]:
    """(url, text) of anchors that look like a pager: its words, or numbers inside a pager box."""
    found = []
    for a in response.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        text = clean(" ".join(a.xpath(".//text()").getall()))
        if text in PAGER_WORDS:
            found.append((response.urljoin(href), text))
        elif text.isdigit() and a.xpath(
            "ancestor::*[contains(@class,'pag') or contains(@id,'pag') or contains(@class,'fenye')"
            " or contains(@class,'p_pages') or contains(@class,'page')][1]"
        ):
            found.append((response.urljoin(href), text))
    return found


def expand_series(current: str, urls: list[str], last: str | None) -> list[str]:
    """Fill the gaps of a numbered series ("index_2 … index_9" from "2 3 … 尾页=9").

    Two URLs that differ only in one number are pages of one series; the range runs from the
    smallest to the largest number seen (the "last" link gives the far end).
    """
    if not urls:
        return []
    pattern_of = {}
    for url in urls + ([last] if last else []):
        key, number = _series_key(url)
        if key is not None:
            pattern_of.setdefault(key, []).append(number)
    pages = list(dict.fromkeys(urls))
    for (prefix, suffix), numbers in pattern_of.items():
        lo, hi = min(numbers), max(numbers)
        if hi - lo > MAX_PAGES:
            hi = lo + MAX_PAGES
        for n in range(lo, hi + 1):
            url = f"{prefix}{n}{suffix}"
            if url != current and url not in pages:
                pages.append(url)
    return pages


def _series_key(url: str) -> tuple[tuple[str, str] | None, int]:
    """The URL with its last number cut out, and that number."""
    parts = urlsplit(url)
    last = None
    for m in _NUMBER.finditer(url):
        if m.start() >= len(parts.scheme) + 3 + len(parts.netloc):  # never the port or host
            last = m
    if last is None:
        return None, 0
    return (url[: last.start()], url[last.end():]), int(last.group())


def parse(response: TextResponse) -> Listing:
    pager = pager_links(response)
    last = next((url for url, text in pager if text in _LAST_WORDS), None)
    pager_urls = [url for url, _ in pager if url != response.url]
    return Listing("generic", anchors(response), expand_series(response.url, pager_urls, last))
