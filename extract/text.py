"""Text reports → Document.

Three shapes of text come in:
- what copying a report's table out of a browser or Word gives (see the seed report): each cell
  on its own line, usually tab-indented, a tab-only line for an empty cell, and an empty line
  between rows (or one row per line, tab-separated);
- markdown, as PDF-to-markdown and OCR tools write it: pipe tables (`| 自然人 | 商业企业 |`,
  `|---|---|`), `#` headings and `**` emphasis, which are markup and never part of a title;
- captures a scraper wrote: a header of labelled lines (`标题: …`, `发布时间: …`, `原文链接: …`)
  above the page's text, often the whole body on one line with the table cells run together
  (the figure mapper splits those, see `figures.py`).
"""
from __future__ import annotations

import re

from extract.dates import parse_date
from extract.document import Block, Cell, Document
from extract.encoding import decode_text

# A tab after some text on a line: the chunk is tab-separated (one row per line), as text
# copied from a spreadsheet or saved by Word as "text with tabs" comes.
_INNER_TAB = re.compile(r"\S[^\n]*\t")
# A row break is a line with nothing on it but spaces; a tab-only line is an empty cell.
_ROW_BREAK = re.compile(r"\n[ \u3000]*\n")
# More cells than this in one "row" means the text has no row breaks worth trusting.
_MAX_CELLS_PER_ROW = 40

# Markdown: a table row has a pipe between cells; the rule under its header has only dashes.
_PIPE_ROW = re.compile(r"^\s*[|｜]?(?:[^|｜\n]*[|｜]){2,}[^|｜\n]*$")
_PIPE_RULE = re.compile(r"^\s*[|｜]?\s*:?-{2,}:?\s*(?:[|｜]\s*:?-{2,}:?\s*)*[|｜]?\s*$")
_PIPE = re.compile(r"[|｜]")
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s+|#{1,6}(?=[^\s#])|>\s*)")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_BR = re.compile(r"<br\s*/?>", re.I)

# The labelled lines a capture tool writes above the page's text. Only the page's own title,
# date and address are taken; dates a save tool adds about itself (抓取时间, 保存时间) are not the
# report's publication date.
CAPTURE_LABEL = re.compile(
    r"^\s*(?P<label>标题|题目|文章标题|发布时间|发布日期|公开日期|成文日期|原文链接|原文地址|原始链接|来源链接|网址|URL|url|"
    r"发布机构|发文机关|来源|文号|栏目|索引号|本地目录|抓取时间|采集时间|保存时间|下载时间|爬取时间|获取时间)\s*[:：]\s*(?P<value>.*)$")
_PAGE_DATE_LABELS = ("发布时间", "发布日期", "公开日期", "成文日期")
_TITLE_LABELS = ("标题", "题目", "文章标题")


def read_text(data: bytes, content_type: str | None = None) -> Document:
    _encoding, text = decode_text(data, content_type)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = "\n".join(_unmark(line) for line in text.split("\n"))
    header = capture_header(text)
    rows = [row for chunk in _ROW_BREAK.split(text) for row in _chunk_rows(chunk)]
    rows = [row for row in rows if any(c.text for c in row)]
    rows_known = bool(rows) and max(len(r) for r in rows) <= _MAX_CELLS_PER_ROW
    block = Block(rows=rows) if rows_known else Block(rows=[[c for r in rows for c in r]], rows_known=False)
    lines = [ln.strip() for ln in text.split("\n") if ln.strip() and not _PIPE_RULE.match(ln)]
    title = next((header[k] for k in _TITLE_LABELS if header.get(k)), None) or (lines[0] if lines else None)
    published = next((parse_date(header[k]) for k in _PAGE_DATE_LABELS if parse_date(header.get(k, ""))), None)
    return Document(format="txt", text="\n".join(lines), blocks=[block], title=title, published=published)


def capture_header(text: str) -> dict[str, str]:
    """{label: value} of the labelled lines at the top of a capture (`标题: …`, `原文链接: …`);
    empty when the text does not start with at least two of them."""
    found: dict[str, str] = {}
    for line in [ln for ln in text.split("\n")[:30] if ln.strip()][:15]:
        m = CAPTURE_LABEL.match(line)
        if m:
            found.setdefault(m.group("label"), m.group("value").strip())
        elif found:
            break
    return found if len(found) >= 2 else {}


def _unmark(line: str) -> str:
    """A markdown line without its markup: `# 标题` → 标题, `**一、总体情况**` → 一、总体情况."""
    if "#" in line or "*" in line or "_" in line or ">" in line:
        line = _EMPHASIS.sub("", _HEADING_MARK.sub("", line))
    return _BR.sub("", line) if "<" in line else line


def _chunk_rows(chunk: str) -> list[list[Cell]]:
    lines = chunk.split("\n")
    if any(_PIPE_ROW.match(ln) for ln in lines):
        return _pipe_rows(lines)
    if _INNER_TAB.search(chunk):
        return [[Cell(cell.strip()) for cell in line.split("\t")] for line in lines]
    return [[Cell(line.strip()) for line in lines]]


def _pipe_rows(lines: list[str]) -> list[list[Cell]]:
    """A markdown or pipe-flattened table: one row per line, cells between the pipes (an empty
    cell is a blank, which a table reads as 0); other lines as before, one cell each."""
    rows: list[list[Cell]] = []
    loose: list[Cell] = []
    for line in lines:
        if _PIPE_RULE.match(line):
            continue
        if _PIPE_ROW.match(line):
            if loose:
                rows.append(loose)
                loose = []
            cells = _PIPE.split(line.strip())
            if cells and not cells[0].strip():
                cells = cells[1:]
            if cells and not cells[-1].strip():
                cells = cells[:-1]
            rows.append([Cell(c.strip()) for c in cells])
        elif line.strip():
            loose.append(Cell(line.strip()))
    if loose:
        rows.append(loose)
    return rows
