"""Cell text and document properties brought to the `Document` conventions (shared by the
PDF, Word and spreadsheet readers, and the HTML table reader).

Cell text convention: a cell's lines are joined with nothing between CJK characters and one
space between Latin/digit runs; spaces between two CJK characters are layout ("商 业 企 业"),
never content.
"""
from __future__ import annotations

import re

# Ideographs, CJK punctuation and full-width punctuation; full-width digits and letters, and
# the dash agencies type for zero, are left out so that "１ ２" or "— —" (two figures) never fuse.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f" \
       "\uff01-\uff0e\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u00a0\u3000\r\n]+")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")

# Page furniture that lands inside tables and text: "- 3 -", "—3—", "第 3 页", "第3页 共5页".
_PAGE_MARK = re.compile(r"(?:(?<=\s)|^)(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)(?=\s|$)")

_DASH = re.compile(r"[-—–－]")

# Property titles that name the file or the template, not the report.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:新建|无标题|未命名|untitled|document\d*$|文档\d*$|工作簿\d*$|sheet\d*$|word\s*文档|microsoft|wps\s*文字|"
    r"powerpoint|excel|附件\s*\d*$|\d+$)", re.I)
_WRITER_PREFIX = re.compile(r"^(?:Microsoft\s+(?:Word|Excel)\s*-\s*)", re.I)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|wps|et|xlsx?|pdf|txt|rtf)$", re.I)


def collapse_cjk_spaces(text: str) -> str:
    """Runs of whitespace become one space; spaces between CJK characters go."""
    return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()


def join_lines(parts) -> str:
    """Join the lines of one cell (wrapped lines, paragraphs, one-character-per-line labels)."""
    out = ""
    for part in parts:
        part = collapse_cjk_spaces(part)
        if not part:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.match(part):
            out += " "
        out += part
    return collapse_cjk_spaces(out)


def drop_page_marks(text: str) -> str:
    """Remove page numbers ("- 3 -", "第 3 页") that fell into a cell or line."""
    if "页" not in text and not _DASH.search(text):
        return text
    return _SPACES.sub(" ", _PAGE_MARK.sub(" ", text)).strip()


def is_page_mark(text: str) -> bool:
    return bool(text.strip()) and not drop_page_marks(text)


def property_title(raw) -> str | None:
    """A document-properties title if it can be a report title, else None."""
    if not isinstance(raw, str):
        return None
    title = collapse_cjk_spaces(raw)
    title = _FILE_SUFFIX.sub("", _WRITER_PREFIX.sub("", title)).strip()
    if not title or _PLACEHOLDER_TITLE.match(title):
        return None
    # A report title is Chinese; an ASCII property is a file name or a user name.
    if len(re.findall(r"[\u4e00-\u9fff]", title)) < 4:
        return None
    return title
