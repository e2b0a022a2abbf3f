"""What any listing page offers: its anchors (markup, inline scripts, `<option value=URL>` lists)."""
from __future__ import annotations

import re

from parsel import Selector
from scrapy.http import TextResponse

from crawler.cms import Link, Listing
from crawler.discovery import best_text, clean

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#", "data:")
# Anchors written by scripts: TRS `var file_appendix='<a href=…>'`, `document.write('<a …>')`.
_SCRIPT_ANCHOR = re.compile(r"""<a\s[^<>]*?href\s*=\s*\\?["']([^"'\\]+)\\?["'][^<>]*>(.*?)</a>""", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def anchors(response: TextResponse) -> list[Link]:
    """Every followable anchor, with its best text; list membership from its ancestors."""
    in_list = "boolean(ancestor::li or ancestor::td or ancestor::dd or ancestor::tr)"
    out = [link for a in response.xpath("//a[@href]") if (link := _link(a, response, a.xpath(in_list).get() == "1"))]
    return out + option_anchors(response) + script_anchors(response)


def option_anchors(response: TextResponse) -> list[Link]:
    """`<select onchange="window.open(this.value)"><option value="http://…">某某区</option>`: the
    way many portals list their districts' and departments' sites."""
    out = []
    for option in response.xpath("//select/option[@value]"):
        value = (option.attrib.get("value") or "").strip()
        if not value.lower().startswith(("http://", "https://", "/", "./", "../")):
            continue
        text = clean(" ".join(option.xpath(".//text()").getall()))
        if text:
            out.append(Link(response.urljoin(value), text, True))
    return out


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


def parse(response: TextResponse) -> Listing:
    """The page's anchors; its other pages are crawler/paging.py's."""
    return Listing("generic", anchors(response))
