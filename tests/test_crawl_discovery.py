"""Link words: which links name an OGI annual report, a column of them, the way there, or a
distractor. Titles are real ones (or shaped like them) from the portals in shared/real-portals.tsv."""
from __future__ import annotations

import pytest

from crawler import discovery, encoding

REPORTS = [
    "漯河市商务局2022年政府信息公开工作年度报告",
    "退役军人事务部2021年政府信息公开工作年度报告",
    "张家川县退役军人事务局2025年度政府信息公开工作年度报告",
    "2019年度政府信息公开年报",
    "上海市人力资源和社会保障局2005年政府信息公开年度报告",
    "海淀区街道2024年政务公开工作年度报告",
    "昆明市财政局政府信息公开工作年度报告",  # no year, but an agency: one report
    "关于公布二〇二二年政府信息公开工作年度报告的公告",
    "  荣成市退役军人事务局 2025年 政府信息公开 工作年度报告 ",  # spaces and full-width in lists
]
DISTRACTORS = [
    "企业年报公示",
    "关于开展2023年度企业年报工作的通知",
    "漯河市2023年部门预算公开",
    "漯河市商务局2022年部门决算",
    "漯河市2023年政务公开工作要点",
    "漯河市人民政府政府信息公开指南",
    "2023年统计年鉴",
    "图解：退役军人事务部2022年政府信息公开工作年度报告",
    "一图读懂2022年政府信息公开工作年度报告",
    "关于做好2022年度政府信息公开工作年度报告编制和发布工作的通知",
    "关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知",
]
COLUMNS = ["政府信息公开年报", "政府信息公开工作年度报告", "年报", "年度报告", "部门年报", "政务公开年报", "乡镇年报"]


@pytest.mark.parametrize("title", REPORTS)
def test_report_titles(title):
    assert discovery.is_report_title(title)
    assert not discovery.is_report_column(title)


@pytest.mark.parametrize("title", DISTRACTORS)
def test_distractors_are_not_reports(title):
    assert discovery.is_distractor(title)
    assert not discovery.is_report_title(title)


@pytest.mark.parametrize("name", COLUMNS)
def test_columns_are_not_reports(name):
    assert discovery.is_report_column(name)
    assert not discovery.is_report_title(name)


@pytest.mark.parametrize("text,year", [("2023年度", 2023), ("2022年", 2022), ("２０２１", 2021),
                                       ("2020年年报", 2020), ("水城区教育局", None), ("2023年工作要点", None)])
def test_year_sub_columns(text, year):
    assert discovery.year_column(text) == year


@pytest.mark.parametrize("text,section", [("政府信息公开", True), ("信息公开", True), ("政务公开", True),
                                          ("法定主动公开内容", True), ("政府信息公开指南", False), ("首页", False)])
def test_sections_on_the_way(text, section):
    assert discovery.is_section(text) is section


def test_title_attribute_beats_truncated_text():
    assert discovery.best_text("退役军人事务部2021年政府信息公开工作年...",
                               "退役军人事务部2021年政府信息公开工作年度报告") == "退役军人事务部2021年政府信息公开工作年度报告"
    assert discovery.best_text("政府信息公开年报", None) == "政府信息公开年报"


# -- charsets ------------------------------------------------------------------------------------

PAGE = "<html><head><title>年报</title></head><body><a href='a.html'>漯河市商务局2022年政府信息公开工作年度报告</a></body></html>"


def test_undeclared_gbk_is_read_as_gb18030():
    assert encoding.override("text/html", PAGE.encode("gbk")) == "gb18030"


def test_falsely_declared_utf8_gbk_is_read_as_gb18030():
    assert encoding.override("text/html; charset=utf-8", PAGE.encode("gbk")) == "gb18030"


@pytest.mark.parametrize("content_type,body", [
    ("text/html", PAGE.encode("utf-8")),  # undeclared but UTF-8
    ("text/html; charset=gbk", PAGE.encode("gbk")),  # declared right
    ("text/html", PAGE.replace("<head>", "<head><meta charset='gb2312'>").encode("gbk")),
])
def test_declared_or_utf8_pages_are_left_alone(content_type, body):
    assert encoding.override(content_type, body) is None
