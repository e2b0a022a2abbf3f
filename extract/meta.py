"""Report metadata: title, issuing agency, report year, publication date, template, and whether
the document is an OGI annual report at all."""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.dates import find_dates, find_year as year_in, labelled_date, url_date
from extract.document import Document
from extract.template import TEMPLATE_2019_MARKERS, TEMPLATE_2021_MARKERS

# What an OGI annual report calls itself (and the 政务公开 variant some agencies use).
# ("漯河市商务局2022年政府信息公开工作年度报告", "2019年度政府信息公开年报", "XX区政务公开工作年度报告",
# "信息公开工作年度报告（2008年）"); the crawler judges links with the same pattern.
REPORT_TITLE = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:报告|年报)"
    r"|政务公开(?:工作)?(?:年度报告|年报)"
    r"|信息公开.{0,8}年度报告"
)
# Documents that share words with reports but are something else.
DISTRACTORS = re.compile(
    r"企业年报|年报公示|年度报告公示|部门预算|部门决算|预算公开|决算公开|预算执行|工作要点|信息公开指南|公开指南|统计年鉴|统计公报|"
    r"信息公开目录|依申请公开.*(?:流程|表)|申请表"
)
_NOT_IN_TITLES = re.compile(r"[>。；;，]")
_SITE_SUFFIX = re.compile(r"\s*[_|\-—–｜]\s*[^_|\-—–｜]*$")
_YEAR_IN_TITLE = re.compile(r"[(（]?\s*(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})\s*年度?\s*[)）]?")
_BEFORE_REPORT_NAME = re.compile(r"^(?P<agency>.*?)(?:信息公开|政务公开)")
# "2022年政府信息公开工作年度报告（漯河市商务局）"
_AGENCY_AFTER_REPORT_NAME = re.compile(r"(?:报告|年报)\s*[(（]([^()（）]{2,40})[)）]\s*$")
_ORG_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:政府|局|委员会|委|办公室|办|厅|院|署|部|中心|所|处|会|站|队|镇|乡|街道办事处|街道|集团|公司|管委会)$")
SAVE_TOOL_LINE = re.compile(r"保存|抓取|采集|下载|爬取|获取时间|打印|访问时间|saved|captured|downloaded|archived", re.I)
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})年1月1日(?:起)?(?:至|到|—|-)\s*(?:(?:19|20)\d{2}年)?12月31日")


@dataclass
class Metadata:
    title: str | None
    agency: str | None
    year: int | None
    published: str | None
    template: str
    is_report: bool
    reason: str | None  # why not, when is_report is False
    # The report's own address when the document says it (a capture's 原文链接) and we were
    # given none, or only the local file's.
    source_url: str | None = None


# Markup and capture labels in front of a title: "# …", "**…**", "标题: …".
_TITLE_MARKUP = re.compile(r"^(?:\s*(?:#{1,6}|[*_>]{1,3}|(?:文章)?标题\s*[:：]|题目\s*[:：]))+\s*|(?:\s*[*_]{1,3})+$")


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    title = _TITLE_MARKUP.sub("", title).strip()
    if not title:
        return None
    # "…年度报告_漯河市人民政府" / "…年度报告 - 门户网站": drop the site name, keep the report.
    while True:
        stripped = _SITE_SUFFIX.sub("", title)
        if stripped == title or not REPORT_TITLE.search(stripped):
            break
        title = stripped
    return title.replace(" ", "") if re.search(r"[\u4e00-\u9fff]", title) else title


def _title_candidates(doc: Document) -> list[str]:
    lines = [ln.strip() for ln in doc.text.splitlines()[:15] if ln.strip()][:8]
    # A cover page or PDF often breaks the title: "宿州市人民政府2016年" / "政府信息公开工作年度报告".
    pairs = [a + b for a, b in zip(lines, lines[1:])]
    return [c for c in (clean_title(doc.title), *(clean_title(ln) for ln in lines + pairs)) if c]


def looks_like_report_title(text: str) -> bool:
    """A report's title names its year ("政府信息公开年报" alone is the column's name, in
    breadcrumbs and listing pages) and is not a sentence of prose that mentions reports."""
    return (len(text) <= 80 and bool(REPORT_TITLE.search(text)) and not DISTRACTORS.search(text)
            and bool(year_in(text)) and not _NOT_IN_TITLES.search(text))


def find_title(doc: Document) -> tuple[str | None, bool]:
    """(title, whether it names an OGI annual report)."""
    candidates = [c for c in _title_candidates(doc) if len(c) <= 80]
    for cand in candidates:
        if looks_like_report_title(cand):
            return cand, True
    return (candidates[0] if candidates else None), False


def find_agency(title: str | None, text: str) -> str | None:
    """The issuing body: what the title puts before 政府信息公开, once years are taken out
    ("漯河市商务局2022年…", "2022年漯河市商务局…", "…年度报告（2022年）"), else the signature."""
    if title:
        core = _YEAR_IN_TITLE.sub("", title)
        m = _BEFORE_REPORT_NAME.search(core)
        if m:
            agency = _drop_report_government(m.group("agency").strip(" 　:：-—_"))
            agency = re.sub(r"^关于|关于$|的$|[(（]本级[)）]$", "", agency)
            if len(agency) >= 2:
                return agency
        m = _AGENCY_AFTER_REPORT_NAME.search(core)
        if m:
            return m.group(1)
    return _signature_agency(text)


def _drop_report_government(prefix: str) -> str:
    """Split the 政府 of "政府信息公开" from the agency name before it.

    "漯河市商务局政府" → 漯河市商务局; "漯河市人民政府政府" → 漯河市人民政府; but in
    "漯河市人民政府信息公开" the one 政府 belongs to the agency.
    """
    if prefix.endswith("政府") and not prefix.endswith("人民政府") or prefix.endswith("政府政府"):
        return prefix[:-2]
    return prefix


_ISSUER_LINE = re.compile(r"^\s*(?:发布机构|发文机关|发布单位|来源)\s*[:：]\s*(?P<name>[^\s:：|]{2,40})\s*$", re.M)
_URL_LINE = re.compile(r"^\s*(?:原文链接|原文地址|原始链接|来源链接|网址|URL)\s*[:：]\s*(?P<url>https?://\S+)\s*$", re.M | re.I)


def labelled_agency(text: str) -> str | None:
    """The issuer an info bar or a capture header names (发布机构: …, 来源：…), only for reports
    whose title names none: a portal's 来源 line is often the site, not the report's agency."""
    m = _ISSUER_LINE.search(text[:3000])
    return m.group("name") if m and _ORG_LINE.match(m.group("name")) else None


def find_source_url(text: str, url: str = "") -> str | None:
    """The address the report was read from: the one we were given, unless it is a local file's
    and the capture names the original page (原文链接: https://…)."""
    if url and not url.startswith("file:"):
        return url
    m = _URL_LINE.search(text[:3000])
    return m.group("url") if m else (url or None)


def _signature_agency(text: str) -> str | None:
    """The issuing body as signed above the closing date, e.g. "漯河市商务局\\n2023年1月31日"."""
    lines = [ln.strip() for ln in text.splitlines()[-12:] if ln.strip()]
    for i in range(len(lines) - 1, 0, -1):
        if find_dates(lines[i]) and _ORG_LINE.match(lines[i - 1]):
            return lines[i - 1]
    return None


def find_report_year(title: str | None, text: str, published: str | None) -> int | None:
    if title:
        y = year_in(title)
        if y:
            return y
    head = text[:1500]
    m = _YEAR_RANGE.search(head)
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})\s*年度?(?:政府)?信息公开", head)
    if m:
        return int(m.group(1))
    if published:
        # Reports are due by 31 January (or March) of the following year.
        return int(published[:4]) - 1
    return None


def find_published(doc: Document, url: str = "") -> str | None:
    if doc.published:
        return doc.published
    date = labelled_date(doc.text[:2000]) or url_date(url)
    if date:
        return date
    # The signature's date; a line a save or print tool added at the end (保存于 2024-05-06,
    # 打印时间) is not the report's.
    tail = "\n".join(ln for ln in doc.text[-400:].splitlines() if not SAVE_TOOL_LINE.search(ln))
    dates = find_dates(tail)
    return dates[-1][1] if dates else None


def _is_listing(text: str) -> bool:
    """Several different dated report titles on one page: a column's list page."""
    titles = {ln.strip() for ln in text.splitlines()
              if len(ln.strip()) <= 80 and REPORT_TITLE.search(ln) and year_in(ln)}
    return len(titles) >= 3


def detect_template(text: str, figures: dict, year: int | None) -> str:
    if year and year <= 2018:
        # The 2019 template (国办公开办函〔2019〕60号) came with the reports on 2019; earlier
        # reports only share words with it (政府集中采购 in prose).
        return "pre2019"
    if TEMPLATE_2021_MARKERS.search(text):
        return "2021"
    if TEMPLATE_2019_MARKERS.search(text):
        return "2019"
    if figures and year:
        return "2021" if year >= 2021 else "2019" if year >= 2019 else "unknown"
    return "unknown"


def find_metadata(doc: Document, figures: dict, cell_text: str = "", url: str = "") -> Metadata:
    title, titled = find_title(doc)
    published = find_published(doc, url)
    year = find_report_year(title if titled else None, doc.text, published)
    agency = find_agency(title if titled else None, doc.text) or labelled_agency(doc.text)
    template = detect_template(doc.text + cell_text, figures, year)
    apps = figures.get("applications", {})
    is_report, reason = True, None
    if len(apps) < 3 and _is_listing(doc.text):
        is_report, reason = False, "a listing of reports, not a report"
    elif not titled:
        head = (doc.title or "") + doc.text[:300]
        distractor = DISTRACTORS.search(head)
        if distractor:
            is_report, reason = False, f"not an OGI annual report ({distractor.group(0)}): {title or ''}".strip()
        elif len(apps) < 3:
            is_report = False
            reason = "no OGI annual report title or template tables found" + (f": {title}" if title else "")
    return Metadata(title, agency, year, published, template, is_report, reason, find_source_url(doc.text, url))
