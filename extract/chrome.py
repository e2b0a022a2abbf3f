"""Page furniture that portals leave inside the article body and that changes per visit or per
day: visit counters, "today is …" banners, font-size and print/close widgets.

Removed from a report's main text so that versioning never mistakes it for a change in the report
(the archive applies the same function when it hashes content). Generic wording only.
"""
from __future__ import annotations

import re

CHROME = re.compile(
    "|".join((
        # "浏览次数：123", "访问量: [45]" -- only with the colon: "访问量达12万次" is report content.
        r"(?:浏览|访问|点击|阅读)(?:次数|量|数|人次)\s*[:：]\s*[\[【(（]?\s*\d*\s*[\]】)）]?\s*次?",
        r"今天是\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*星期[一二三四五六日天])?",
        r"[\[【]\s*(?:打印本页|关闭窗口|打印|关闭|返回顶部|收藏本页|收藏|分享到)\s*[\]】]|打印本页|关闭窗口|返回顶部",
        r"字号\s*[:：]?\s*[\[【]?大[\]】]?\s*[\[【]?中[\]】]?\s*[\[【]?小[\]】]?",
    ))
)


def strip_chrome(text: str) -> str:
    return CHROME.sub(" ", text)
