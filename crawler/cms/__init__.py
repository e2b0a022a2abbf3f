"""Listing parsers: a listing page (response) -> its links and its other pages.

Each CMS family (TRS, Hanweb/大汉, 博达/VSB, UCAP/开普云) has a small module with a pure
`parse(response) -> Listing` that adds what only that family does (pagers written in JavaScript,
records hidden in XML inside a <script>, pages numbered downwards); `generic` reads what every
page has (anchors, "下一页" pagers). `parse_listing` merges them all, so a page that mixes
families (common after a partial redesign) still yields everything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from extract.formats import attachment_extensions


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # best of anchor text and `title` attribute, whitespace removed
    in_list: bool = False  # inside a list record (li / tr / dd / datastore record), not page chrome


@dataclass
class Listing:
    family: str = "generic"
    links: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # other pages of the same listing

    def merge(self, other: Listing) -> Listing:
        seen = {link.url: i for i, link in enumerate(self.links)}
        for link in other.links:
            i = seen.get(link.url)
            if i is None:
                seen[link.url] = len(self.links)
                self.links.append(link)
            elif len(link.text) > len(self.links[i].text) or link.in_list and not self.links[i].in_list:
                self.links[i] = Link(link.url, max(link.text, self.links[i].text, key=len),
                                     link.in_list or self.links[i].in_list)
        self.pages.extend(p for p in other.pages if p not in self.pages)
        if other.family != "generic" and self.family == "generic":
            self.family = other.family
        return self

    @property
    def entries(self) -> list[Link]:
        """The list's records: links in list markup that point at a document, not a column."""
        return [link for link in self.links if link.in_list and (is_article_url(link.url) or is_attachment_url(link.url))]


# Detail-page URL shapes of the families we know (data, not code: add a shape, not a branch).
ARTICLE_URL_PATTERNS = [
    r"/t\d{8}_\d+\.s?html?$",                                  # TRS: ./202301/t20230131_123.html
    r"/t\d+_\d+\.s?html?$",                                    # Shanghai TRS: t0035_1372757.html
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",          # Hanweb
    r"/art/[\w/]+/\w+\.html$",                                 # Hanweb (new: col/…/art/<id>/<id>.html)
    r"/info/\d+/\d+\.htm$",                                    # VSB: info/1050/64208.htm
    r"/\d{6}/[0-9a-f]{32}\.s?html$",                           # UCAP: /<col>/<yyyymm>/<32hex>.shtml
    r"/\d{8}/[0-9a-f]{32}\.html$",                             # Shanghai portal
    r"/content/post_\d+\.html$",                               # Guangdong 集约化
    r"/\d{6}/t\d+_\d+\.s?html?$",
    r"/(?:html|content|article|detail|news|info)/[\w/]*\d{3,}\.s?html?$",
    r"[?&](?:id|infoid|articleid|infoGuid|contentid|newsid)=",  # ASP.NET / JSP detail pages
    r"/\d{4}-?\d{2}-?\d{2}/[\w-]+\.s?html?$",
    r"/[\w-]*\d{4,}[\w-]*\.s?html?$",                          # any leaf page named by a number
]
_ARTICLE = re.compile("|".join(f"(?:{p})" for p in ARTICLE_URL_PATTERNS), re.I)

# Documents a page links for download, readable or not (extract.formats): an OFD report is
# fetched and archived as unsupported rather than never seen.
ATTACHMENT_EXTENSIONS = attachment_extensions()
_ATTACHMENT = re.compile(r"\.(?:%s)(?:$|[?#&])" % "|".join(ATTACHMENT_EXTENSIONS), re.I)
# TRS stores uploads as P0<digits>.<ext> next to the article; some download scripts hide the
# extension in a query parameter (downfile.jsp?filename=….pdf).
_TRS_ATTACHMENT = re.compile(r"/P0\d{6,}\.\w{2,4}$")
_LISTING_NAME = re.compile(r"/(?:index|list|default)(?:_\d+)?\.s?html?$", re.I)


def is_attachment_url(url: str) -> bool:
    path_and_query = url.split("#", 1)[0]
    return bool(_ATTACHMENT.search(path_and_query) or _TRS_ATTACHMENT.search(urlsplit(url).path))


def is_article_url(url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return bool(_ARTICLE.search(target)) and not _LISTING_NAME.search(parts.path)


def parse_listing(response: Response) -> Listing:
    """All links and pages of a listing, whatever family built it."""
    from crawler.cms import generic, hanweb, trs, ucap, vsb

    if not isinstance(response, TextResponse):
        return Listing()
    listing = generic.parse(response)
    for family in (trs, hanweb, vsb, ucap):
        listing.merge(family.parse(response))
    return listing
