"""HTML report pages → Document: tables as grids, main text via trafilatura, metadata from <meta>."""
from __future__ import annotations

import re

import htmldate
import lxml.html
import trafilatura
from lxml import etree

from extract.dates import labelled_date, parse_date
from extract.meta import DISTRACTORS, REPORT_TITLE, looks_like_report_title
from extract.chrome import strip_chrome
from extract.document import Block, Cell, Document
from extract.encoding import decode_html, detect_encoding
from extract.limits import check_html, too_deep
from extract.report import Unreadable
from extract.tables import table_blocks

# CMS meta tags that carry the article's own title and date (TRS, Hanweb, UCAP and most
# government portals follow the 政府网站 metadata convention).
_TITLE_META = ("ArticleTitle", "articletitle", "og:title", "title", "Title")
_DATE_META = ("PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime",
              "article:published_time", "og:article:published_time", "OriginalPublishedDate", "createDate")
_INLINE_TAGS = ("span", "font", "o:p", "b", "strong", "i", "em", "u", "small", "big", "st1:chsdate")
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 dd dt section article blockquote pre center td th tr".split())
_SKIP_TAGS = frozenset(["script", "style", "noscript", "template", "head", "select", "option", "iframe"])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Start and end tags of the inline runs above (attributes may hold a quoted ">"). A tag that
# never ends is scanned up to the next "<" or a few KB, never to the end of the page.
_INLINE_RUN = re.compile(r"</?(?:%s)\b(?:[^<>\"']|\"[^\"]{0,4000}\"|'[^']{0,4000}'){0,4000}>"
                         % "|".join(map(re.escape, _INLINE_TAGS)), re.I)
_WS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")


def parse(data: bytes, content_type: str | None = None):
    encoding, text = decode_html(data, content_type)
    # A declared charset that does not fit the bytes is a known trap: trust detection instead.
    if text.count("\ufffd") > 10:
        better = detect_encoding(data)
        if better and better != encoding:
            text = data.decode(better, errors="replace")
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise Unreadable("empty HTML document")
    check_html(text)
    tree, deep = _parse(text)
    if deep:
        # Word-pasted runs that are never closed (<font><font>…) nest one level per run, past
        # even the huge-tree depth; read_html unwraps those tags anyway, so unwrap them first.
        tree, deep = _parse(_INLINE_RUN.sub("", text))
        if deep:  # the rest of the page would be silently lost: refuse it instead
            raise too_deep()
    return tree


def _parse(text: str):
    """(tree, whether the parser stopped at its depth limit)."""
    # huge_tree lifts libxml2's default depth limit of 256 (which silently drops everything
    # below it) to 2048, and its 10 MB limit on one text node. One parser per call: lxml
    # parsers are not to be shared between threads, and its error log is this page's alone.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise Unreadable(f"cannot parse HTML: {exc}") from None
    return tree, any("Excessive depth" in e.message for e in parser.error_log)


def read_html(data: bytes, content_type: str | None = None) -> Document:
    tree = parse(data, content_type)
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    # Word-exported pages wrap every run of text in <span>/<font>/<o:p>: unwrapping them keeps
    # the text and nearly halves what trafilatura and our table reading walk through.
    etree.strip_tags(tree, *_INLINE_TAGS)
    blocks, grids = table_blocks(tree)
    body = tree.find("body")
    texts = _leaf_texts(body if body is not None else tree, grids)
    stream = Block(rows=[[Cell(t) for t in texts]], rows_known=False)
    title = _meta(tree, _TITLE_META) or _first_text(tree, "//title") or _first_text(tree, "//h1")
    if not title or not REPORT_TITLE.search(title) and not DISTRACTORS.search(title):
        # Many portals title every page with the site's name and print the report's title in a
        # styled <div> that trafilatura counts as page furniture.
        title = next((t for t in texts[:150] if looks_like_report_title(t)), title)
    main = _main_text(tree)  # before htmldate, which may prune the tree it is given
    published = parse_date(_meta(tree, _DATE_META) or "")
    if published is None:
        # The article's info bar (发布日期：…) is page chrome to trafilatura, so read it here.
        published = labelled_date("\n".join(texts[:200]))
    if published is None:
        # htmldate knows the other metadata conventions (JSON-LD, Dublin Core, time tags); its
        # cheap mode only, since the text's own 发布时间 / signature date are read later.
        found = htmldate.find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
        published = found or None
    return Document(format="html", text=main, blocks=[*blocks, stream], title=title, published=published)


def _main_text(tree) -> str:
    """Main text without page chrome, so visit counters and menus never look like a change."""
    # fast: no readability/jusText fallbacks. The text only feeds versioning and search (the
    # figures come from our own table reading), and the fallbacks cost as much again.
    text = trafilatura.extract(tree, include_tables=True, include_comments=False, fast=True,
                               deduplicate=False, with_metadata=False)
    if not text or len(text) < 200:
        body = tree.find("body")
        text = "\n".join(_leaf_texts(body if body is not None else tree))
    lines = (_WS.sub(" ", strip_chrome(line)).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _meta(tree, names) -> str | None:
    metas = {}
    for el in tree.iter("meta"):
        key, content = el.get("name") or el.get("property"), (el.get("content") or "").strip()
        if key and content:
            metas.setdefault(key, content)
    return next((metas[n] for n in names if n in metas), None)


def _first_text(tree, xpath: str) -> str | None:
    for el in tree.xpath(xpath):
        text = _WS.sub(" ", el.text_content()).strip()
        if text:
            return text
    return None


def _leaf_texts(root, skip=frozenset()) -> list[str]:
    """Text of every block (and <br>-separated line) outside the data tables, in document order.

    This is the cell stream of reports whose tables were pasted as one paragraph per cell. Layout
    tables are walked into (old portals put the whole article in one); data tables in `skip`
    are read as grids instead.
    """
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = _WS.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            out.append(text)

    def walk(root) -> None:
        # Iterative: a page nested a few thousand levels deep must not exhaust Python's stack.
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            el, leaving = stack.pop()
            if leaving:  # after the children of an element that was entered
                if el.tag in _BLOCK_TAGS or el.tag in ("br", "table"):
                    flush()
            else:
                tag = el.tag if isinstance(el.tag, str) else None
                if tag is not None and tag not in _SKIP_TAGS and el not in skip:
                    if tag in _BLOCK_TAGS or tag in ("br", "table"):
                        flush()
                    if el.text:
                        buf.append(el.text)
                    stack.append((el, True))
                    stack.extend((child, False) for child in reversed(el))
                    continue
                if el in skip:
                    flush()
            if el.tail:
                buf.append(el.tail)

    if root is not None:
        walk(root)
        flush()
    return out
