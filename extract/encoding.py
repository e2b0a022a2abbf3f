"""Bytes → text for HTML and plain-text reports (UTF-8 or GBK/GB2312/GB18030, declared or not)."""
from __future__ import annotations

import codecs
import re

import charset_normalizer
from w3lib.encoding import html_to_unicode, resolve_encoding

# Chinese portals serve UTF-8 or the GB family; GB18030 is a superset of GBK and GB2312, so
# decoding GB-declared pages as GB18030 never loses a character (w3lib maps them the same way).
_CANDIDATES = ["utf_8", "gb18030", "big5", "utf_16"]
# Western single-byte charsets decode every byte, so a GB or UTF-8 page a server or CMS labels
# with one (a default setting: "iso-8859-1") turns into mojibake without a decoding error.
_WESTERN = frozenset({"cp1252", "iso8859-1", "iso8859-15", "ascii"})
_CJK = re.compile("[\u4e00-\u9fff]{2}")


def detect_encoding(data: bytes) -> str | None:
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=_CANDIDATES).best()
    return best.encoding if best else None


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(encoding, text): HTTP header charset, then BOM / <meta> declaration, then detection."""
    encoding, text = html_to_unicode(content_type, data, auto_detect_fun=detect_encoding)
    real = _instead_of_western(data, encoding)
    return (real, data.decode(real, errors="replace")) if real else (encoding, text)


def decode_text(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = resolve_encoding(content_type.lower().split("charset=")[-1].split(";")[0].strip())
    encoding = (declared and _instead_of_western(data, declared)) or declared or detect_encoding(data) or "gb18030"
    return encoding, data.decode(encoding, errors="replace")


def _instead_of_western(data: bytes, declared: str) -> str | None:
    """The encoding a page declared as Western single-byte really is in, when that is a Chinese
    one (GB18030, UTF-8, Big5): charset-normalizer weighs the declared decoding (as cp1252, its
    superset) against the Chinese ones by mess and language coherence; the winner must read as
    Chinese. None when the declaration stands."""
    try:
        if codecs.lookup(declared).name not in _WESTERN or data.isascii():
            return None
    except LookupError:
        return None
    best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=["cp1252", *_CANDIDATES[:3]]).best()
    if best is None or codecs.lookup(best.encoding).name in _WESTERN:
        return None
    return best.encoding if _CJK.search(data.decode(best.encoding, errors="replace")) else None


__all__ = ["decode_html", "decode_text", "detect_encoding"]
