"""What a link's words say: an OGI annual report, a column of them, a way there, or a distractor.

Pure functions over link text (anchor text or `title` attribute), so the vocabulary is data and
each decision is testable without a crawl. Portals name the same things many ways; the patterns
below come from real column and report titles (see tests/test_crawl_discovery.py).
"""
from __future__ import annotations

import re
import unicodedata

from extract.meta import REPORT_TITLE

# A report: the extractor's own pattern for a report's title.
_REPORT = REPORT_TITLE

# Things that look close but are not OGI annual reports, or are companions of one.
_DISTRACTOR = re.compile(
    r"企业年报|年报公示|企业年度报告|个体工商户|农民专业合作社"
    r"|预算|决算|三公经费"
    r"|工作要点|要点"
    r"|公开指南|信息公开目录|公开目录|申请表|依申请公开流程"
    r"|统计年鉴|年鉴|统计公报"
    r"|图解|解读|一图读懂|超链版|H5|视频"
    r"|报告格式|填报说明|(?:印发|做好|编制|报送).{0,40}通知|考核|评估报告|第三方评估|测评"
)

# A column holding reports: "政府信息公开年报", "政府信息公开工作年度报告", "年报", "年度报告", and the
# archives of past years ("历年年报", "往年年报", "年报归档").
_COLUMN = re.compile(
    r"^(?:历年|往年|历史|以往|更多)(?:政府信息公开|政务公开)?(?:工作)?(?:年度报告|年报)(?:汇总|归档|专栏)?$"
    r"|^(?:年报|年度报告)(?:归档|存档)$"
    r"|^(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:报告|年报)(?:栏目|专栏)?$"
    r"|^政务公开(?:工作)?(?:年度报告|年报)$"
    r"|^(?:部门|本级|乡镇|街道|县区|区县|市直|镇街|各部门|各区县|乡镇街道)?(?:政府信息公开)?(?:年度报告|年报)$"
    r"|^(?:政府信息公开)?(?:年度报告|年报)(?:汇总|专栏|目录)?$"
    r"|^(?:部门|乡镇|街道|镇街|区县|县区|市直部门|乡镇街道)(?:政府信息公开)?(?:工作)?(?:年度报告|年报)$"
)

# A per-year sub-column inside a report column: "2023年度", "2023年", "2023", "2023年年报".
_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})\s*年?度?(?:年报|报告|年度报告|政府信息公开年报)?$")

# The way from a portal home to the report columns.
_SECTION = re.compile(
    r"^(?:政府|政务)?信息公开$|^政府信息公开(?:专栏|平台|目录)?$|^政务公开$|^信息公开专栏$"
    r"|^法定主动公开内容$|^主动公开$|^公开年报$"
)

# A directory of agencies (or of their disclosure pages): the way from a cluster home or an OGI
# platform to every department, county, township and street office it serves.
_DIRECTORY_WHO = (
    r"(?:(?:各|市直|区直|县直|市级|区级|县级|市属|政府|市政府|区政府|县政府|省直|省政府|地方)?部门"
    r"|(?:各)?(?:县区|区县|县市区|区县市|县市|市县|县\(市、?区\)|县\(区、?市\)|区县\(市\)|县\(市\)|县\(区\)|区\(县\))"
    r"|(?:各)?(?:乡镇|街道|镇街|街镇|乡镇街道|乡镇\(街道\)|镇\(街道\)|镇\(乡、?街道\)|乡镇\(街道、?办事处\)))"
)
_DIRECTORY = re.compile(
    rf"^{_DIRECTORY_WHO}(?:和{_DIRECTORY_WHO})?(?:政府)?(?:信息公开|政务公开|政府信息公开)?"
    r"(?:网站|平台|专栏|链接|导航|目录|列表|入口)*$"
    r"|^(?:机构|部门|单位|组织机构|政府机构|政府组成部门|工作部门|直属机构)(?:列表|导航|名录|信息公开)?$"
    r"|^(?:政府)?(?:信息公开|政务公开)目录$|^(?:政府)?网站群(?:导航)?$|^站群(?:导航)?$"
)
# An agency named by a link of a directory: a people's government, a bureau, a commission, an
# office, a management committee, a street office, a township, a centre.
_AGENCY_NAME = re.compile(
    r"^[\u4e00-\u9fff()、·]{1,28}"
    r"(?:人民政府|政府|办公室|办公厅|委员会|管理委员会|管委会|街道办事处|办事处|街道|局|厅|委|办|署|中心|镇|乡|苏木)$"
)
# Centres that are parts of a web site, not agencies.
_NOT_AGENCY = re.compile(r"(?:新闻|下载|帮助|个人|用户|会员|消息|互动|视频|图片|资讯|搜索|文件|数据|媒体|发布|应用|政策|办件)中心$"
                         r"|^(?:首页|网站|无障碍)")
_AGENCY_MAX_CHARS = 30

_YEAR = re.compile(r"(?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3}")
_SPACE = re.compile(r"\s+")

# Longest column names ("乡镇街道政府信息公开工作年度报告") stay under this.
_COLUMN_MAX_CHARS = 20


def clean(text: str | None) -> str:
    """NFKC (full-width digits and brackets), no whitespace at all: Chinese titles use none."""
    if not text:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).strip()


def is_distractor(text: str) -> bool:
    return bool(_DISTRACTOR.search(clean(text)))


def is_report_title(text: str) -> bool:
    """Names one OGI annual report: the report words plus a year or an agency, not a distractor."""
    t = clean(text)
    if not t or is_distractor(t) or not _REPORT.search(t):
        return False
    if _YEAR.search(t):
        return True
    # No year: "XX市财政局政府信息公开工作年度报告" still names one report (an agency); a bare
    # column name ("政府信息公开年报") does not.
    return not is_report_column(t) and len(_REPORT.sub("", t)) >= 3


def is_report_column(text: str) -> bool:
    t = clean(text)
    return bool(t) and len(t) <= _COLUMN_MAX_CHARS and not _YEAR.search(t) and bool(_COLUMN.match(t))


def year_column(text: str) -> int | None:
    """The year of a per-year sub-column ("2023年度" -> 2023), else None."""
    m = _YEAR_COLUMN.match(clean(text))
    return int(m.group(1)) if m else None


def is_section(text: str) -> bool:
    return bool(_SECTION.match(clean(text)))


def best_text(text: str | None, title: str | None) -> str:
    """Lists truncate anchor text ("…2022年政府信息公开工..."): the `title` attribute is whole."""
    text, title = clean(text), clean(title)
    if title and (not text or len(title) > len(text) or is_report_title(title) and not is_report_title(text)):
        return title
    return text


def is_directory(text: str) -> bool:
    """Names a directory of agencies ("部门信息公开", "区县(市)政府信息公开", "乡镇街道", "机构列表")."""
    t = clean(text)
    return bool(t) and len(t) <= _COLUMN_MAX_CHARS and bool(_DIRECTORY.match(t))


def is_agency(text: str) -> bool:
    """Names one agency ("漯河市财政局", "源汇区人民政府", "顺河街道办事处", "某某开发区管理委员会"),
    not a report, a column or a distractor."""
    t = clean(text)
    if not t or len(t) > _AGENCY_MAX_CHARS or _YEAR.search(t) or _NOT_AGENCY.search(t):
        return False
    if is_distractor(t) or _REPORT.search(t) or is_section(t) or is_directory(t):
        return False
    return bool(_AGENCY_NAME.match(t))
