"""Bytes → text for HTML and plain-text reports (UTF-8 or GBK/GB2312/GB18030, declared or not)."""
from __future__ import annotations

import charset_normalizer
from w3lib.encoding import html_to_unicode, resolve_encoding

# Chinese portals serve UTF-8 or the GB family; GB18030 is a superset of GBK and GB2312, so
# decoding GB-declared pages as GB18030 never loses a character (w3lib maps them the same way).
_CANDIDATES = ["utf_8", "gb18030", "big5", "utf_16"]


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
    return encoding, text


def decode_text(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = resolve_encoding(content_type.lower().split("charset=")[-1].split(";")[0].strip())
    encoding = declared or detect_encoding(data) or "gb18030"
    return encoding, data.decode(encoding, errors="replace")


__all__ = ["decode_html", "decode_text", "detect_encoding"]
