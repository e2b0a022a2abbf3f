"""Chinese and ISO dates and years as they appear in reports.

Hand-written rather than dateparser: the forms are few and fixed (2023年1月31日, 2023-01-31,
二〇二三年一月三十一日), dateparser does not read 〇-style numerals, and it costs about a
millisecond a call on a path that runs for every report.
"""
from __future__ import annotations

import re
from datetime import date

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇零○Ｏ一二三四五六七八九十"

DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})(?!\d)"
)
CN_DATE = re.compile(rf"(?P<y>[{_CN}]{{4}})年(?P<m>[{_CN}]{{1,2}})月(?P<d>[{_CN}]{{1,3}})日")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
CN_YEAR = re.compile(rf"([{_CN}]{{4}})\s*年")


def cn_number(text: str) -> int | None:
    """二〇二二 → 2022 (digit by digit), 三十一 → 31, 十二 → 12."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if None in digits:
        return None
    return int("".join(str(d) for d in digits))


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, str]]:
    """(position, YYYY-MM-DD) of every valid date in text, in order."""
    found = []
    for m in DATE.finditer(text):
        iso = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
        if iso:
            found.append((m.start(), iso))
    for m in CN_DATE.finditer(text):
        y, mo, d = cn_number(m["y"]), cn_number(m["m"]), cn_number(m["d"])
        iso = _valid(y, mo, d) if None not in (y, mo, d) else None
        if iso:
            found.append((m.start(), iso))
    return sorted(found)


def parse_date(text: str) -> str | None:
    dates = find_dates(text or "")
    return dates[0][1] if dates else None


def find_year(text: str) -> int | None:
    """The first plausible year written as 2022年 or 二〇二二年."""
    m = YEAR.search(text)
    if m:
        return int(m.group(1))
    m = CN_YEAR.search(text)
    if m:
        y = cn_number(m.group(1))
        if y and 1990 <= y <= 2100:
            return y
    return None


# Most specific first: pages that print both 成文日期 and 发布日期 were published on the latter.
_PUBLISHED_LABELS = tuple(re.compile(rf"{word}(?:时间|日期)\s*[:：]?\s*") for word in ("发布", "公开", "生成", "印发", "成文"))


def labelled_date(text: str) -> str | None:
    """The date after a 发布时间 / 发布日期 / 成文日期 label, as article info bars print it."""
    for label in _PUBLISHED_LABELS:
        for m in label.finditer(text):
            found = parse_date(text[m.end(): m.end() + 30])
            if found:
                return found
    return None


# CMS article URLs carry their publication date: TRS ./202301/t20230131_123.html, Hanweb
# art/2023/1/31/art_…, Shanghai nw12344/20230331/<hex>.html, Guangdong …/2023-01-31/….
_URL_DATES = (
    re.compile(r"/t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    re.compile(r"/art/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>20\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})/"),
)


def url_date(url: str) -> str | None:
    for pattern in _URL_DATES:
        m = pattern.search(url or "")
        if m:
            found = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
            if found:
                return found
    return None
