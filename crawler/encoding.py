"""Which charset a Chinese government page really uses, when its declarations do not say.

Scrapy (w3lib) trusts the Content-Type header, then a BOM, then <meta charset>, then guesses with
charset-normalizer, which on a short GBK page often answers big5 or a Cyrillic code page, so
every link text turns to mojibake and discovery finds nothing. On these portals an undeclared
or wrongly declared non-UTF-8 page is, in practice, GBK: GB18030 (its superset) is the better
guess. A declared charset is kept whenever the body really decodes with it.
"""
from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_UTF8 = {"utf-8", "utf8"}


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        codecs.decode(body, encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def override(content_type: str, body: bytes) -> str | None:
    """GB18030 when the page is undeclared (or declared UTF-8) but is not UTF-8 and is GBK; else None."""
    if read_bom(body)[0]:
        return None
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if declared and declared.lower().replace("_", "-") not in _UTF8:
        return None  # gb2312/gbk are already read as gb18030 by w3lib; others we leave alone
    if _decodes(body, "utf-8") or not _decodes(body, "gb18030"):
        return None
    return "gb18030"
