"""Text whose cell boundaries are lost, markdown and pipe tables, and metadata from the report
rather than its wrapper. The two captures are real (tests/fixtures/captures/README.md)."""
from pathlib import Path

import pytest

from extract import extract_report
from extract.text import read_text

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
APP = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
       "legal_service_org", "other_org", "total")
REVIEW = ("upheld", "corrected", "other", "pending", "total")


def rows(table: str) -> dict:
    """'row: a b c …' lines → {row: {col: value}} (applicant or review columns)."""
    out = {}
    for line in table.strip().splitlines():
        key, values = line.split(":")
        numbers = [int(v) for v in values.split()]
        out[key.strip()] = dict(zip(APP if len(numbers) == 7 else REVIEW, numbers))
    return out


PINGTAN_2025_APPS = rows("""
new_received: 151 3 0 0 0 0 154
carried_over: 0 0 0 0 0 0 0
granted: 33 0 0 0 0 0 33
partially_granted: 38 0 0 0 0 0 38
denied_state_secret: 0 0 0 0 0 0 0
denied_prohibited_by_law: 0 0 0 0 0 0 0
denied_security_stability: 0 0 0 0 0 0 0
denied_third_party_rights: 0 0 0 0 0 0 0
denied_internal_affairs: 3 0 0 0 0 0 3
denied_process_info: 2 0 0 0 0 0 2
denied_enforcement_files: 3 0 0 0 0 0 3
denied_admin_inquiry: 3 0 0 0 0 0 3
unable_not_held: 49 1 0 0 0 0 50
unable_needs_creation: 3 0 0 0 0 0 3
unable_unclear: 0 0 0 0 0 0 0
unprocessed_petition: 2 0 0 0 0 0 2
unprocessed_duplicate: 0 0 0 0 0 0 0
unprocessed_publication: 0 0 0 0 0 0 0
unprocessed_excessive: 0 0 0 0 0 0 0
unprocessed_reconfirm: 0 0 0 0 0 0 0
other_no_correction: 8 0 0 0 0 0 8
other_unpaid_fee: 2 0 0 0 0 0 2
other_other: 1 0 0 0 0 0 1
total_processed: 147 1 0 0 0 0 148
carried_forward: 4 2 0 0 0 0 6
""")
PINGTAN_2025_REVIEW = rows("""
review: 25 3 8 0 36
litigation_direct: 3 3 0 0 6
litigation_after_review: 3 0 0 0 3
""")


def extract(name: str, url: str = ""):
    return extract_report((CAPTURES / name).read_bytes(), url=url)


def test_capture_2025_every_cell_its_digits_pin_down():
    report = extract("pingtan_2025.txt")
    assert report.figures["applications"] == PINGTAN_2025_APPS
    assert report.figures["review_litigation"] == PINGTAN_2025_REVIEW
    # 表二: single-figure rows and 规章 '000' are certain; 行政规范性文件 '5845546' (58|45|546 in the
    # page) splits many ways and is left out, never guessed.
    assert report.figures["active"] == {
        "regulations": {"made": 0, "repealed": 0, "in_force": 0},
        "licensing": {"decisions": 2418}, "punishment": {"decisions": 644}, "coercion": {"decisions": 64},
        "fees": {"amount": 4166.241619}}
    assert report.checks and all(c.ok for c in report.checks)


def test_capture_2025_metadata_from_the_report_not_the_wrapper():
    report = extract("pingtan_2025.txt", url="file:///tmp/pingtan_2025.txt")
    assert report.title == "平潭综合实验区2025年度政府信息公开工作年度报告"  # without 标题:
    assert report.agency == "平潭综合实验区"  # the title's, not 发布机构's 管委会办公室
    assert (report.year, report.published, report.template) == (2025, "2026-03-10", "2021")
    # the original page named by 原文链接, not the local file we were handed
    assert report.source_url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202603/t20260313_105587.htm"
    given = extract("pingtan_2025.txt", url="http://mirror.example.org/p.txt")
    assert given.source_url == "http://mirror.example.org/p.txt"


def test_capture_2019_template_every_cell():
    report = extract("pingtan_2019.txt")
    assert report.template == "2019" and report.year == 2019 and report.published == "2020-01-20"
    apps = report.figures["applications"]
    zeros = dict.fromkeys(APP, 0)
    assert apps["new_received"] == apps["total_processed"] == dict(zeros, natural_person=23, total=23)
    assert apps["carried_forward"] == apps["carried_over"] == zeros
    assert apps["other_processing"] == zeros  # '0 0 0 0 0 00': the single 2019 （六） row
    assert not {"other_no_correction", "other_unpaid_fee", "other_other"} & set(apps)
    for key, n in (("granted", 7), ("partially_granted", 1), ("unable_not_held", 7), ("unable_unclear", 5),
                   ("unprocessed_duplicate", 3)):
        assert apps[key] == dict(zeros, natural_person=n, total=n)
    assert len(apps) == 2 + 18 + 1 + 2
    assert report.figures["review_litigation"] == {g: dict.fromkeys(REVIEW, 0) for g in
                                                   ("review", "litigation_direct", "litigation_after_review")}
    # 表二: 规章 '000' is certain; every other row's run splits several ways (89|89|89 as '898989',
    # 35|0 as '350', 135 | 75394432.52 as '13575394432.52'): absent.
    assert report.figures["active"] == {"regulations": {"made": 0, "published_new": 0, "published_total": 0}}
    rules = {c.rule: c.ok for c in report.checks}
    assert rules["applications.total_processed.total"] and all(rules.values())


def test_flattened_labels_touching_numbers_and_stray_spaces():
    """The shapes of the capture, on their own: a label's numbering touching the previous row's
    zeros, stray spaces inside labels, a flattened header, a review table as one run."""
    body = ("标题: 某某县民政局2022年政府信息公开工作年度报告\n发布时间: 2023-01-30\n"
            "==== 正文 ====\n"
            "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益 组织 法律服务 机构 其他"
            "一、本年新收政府信息公开申请数量801000081二、上年结转政府信息公开申请数量2000002"
            "三、本年度办 理结果 （一）予以公开300000030（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
            "（七）总计801000081四、结转下年度继续办理2000002"
            "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
            "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计101021000110001五、存在的主要问题及改进情况2023年，无。")
    report = extract_report(body.encode(), url="")
    apps = report.figures["applications"]
    assert apps["new_received"] == dict(zip(APP, (80, 1, 0, 0, 0, 0, 81)))
    assert apps["carried_over"]["total"] == 2 and apps["granted"]["total"] == 30
    assert apps["denied_state_secret"] == dict.fromkeys(APP, 0)
    assert apps["denied_prohibited_by_law"] == dict.fromkeys(APP, 0)
    assert apps["total_processed"] == apps["new_received"]
    rl = report.figures["review_litigation"]
    assert rl["review"] == {"upheld": 1, "corrected": 0, "other": 1, "pending": 0, "total": 2}
    assert rl["litigation_direct"]["total"] == 1 and rl["litigation_after_review"]["total"] == 1
    assert report.title == "某某县民政局2022年政府信息公开工作年度报告" and report.agency == "某某县民政局"


def test_prose_numbers_are_never_table_cells():
    body = ("某某县2022年政府信息公开工作年度报告\n2022年，全区共收到政府信息公开申请154件，共办结148件。"
            "全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。行政许可事项办理12345件。")
    report = extract_report(body.encode())
    assert report.figures == {}


MARKDOWN = """# 某某市交通运输局2023年政府信息公开工作年度报告

**一、总体情况**

2023年，我局……

## 二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 3 | 1 | 12 |

| 第二十条第（五）项 | |
|:--|--:|
| 信息内容 | 本年处理决定数量 |
| 行政许可 | 1,234 |

## 三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |
|---|---|---|---|---|---|---|---|---|---|
| | | | 自然人 | 法人或其他组织 | | | | | 总计 |
| | | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |
| 一、本年新收政府信息公开申请数量 | | | 12 | 1 | 0 | 0 | 0 | 0 | 13 |
| 二、上年结转政府信息公开申请数量 | | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 三、本年度办理结果 | （一）予以公开 | | 6 | 1 | | | | | 7 |
| | （七）总计 | | 12 | 1 | 0 | 0 | 0 | 0 | 13 |
| 四、结转下年度继续办理 | | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |

## 四、政府信息公开行政复议、行政诉讼情况

| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |
| | | | | | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

某某市交通运输局
2024年1月25日
"""


def test_markdown_pipe_tables_and_markup():
    report = extract_report(MARKDOWN.encode(), url="http://jtj.example.gov.cn/2023.md.txt")
    assert report.title == "某某市交通运输局2023年政府信息公开工作年度报告"  # no '# '
    assert report.agency == "某某市交通运输局"
    assert report.figures["active"] == {
        "regulations": {"made": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"made": 3, "repealed": 1, "in_force": 12},
        "licensing": {"decisions": 1234}}
    apps = report.figures["applications"]
    assert apps["new_received"] == dict(zip(APP, (12, 1, 0, 0, 0, 0, 13)))
    assert apps["granted"] == dict(zip(APP, (6, 1, 0, 0, 0, 0, 7)))  # empty cells are 0
    assert apps["carried_forward"]["total"] == 1
    assert report.figures["review_litigation"]["review"] == {"upheld": 1, "corrected": 0, "other": 0,
                                                             "pending": 0, "total": 1}
    assert report.published == "2024-01-25"


def test_pipe_flattened_lines_in_text_and_html():
    text = ("某某区财政局2022年政府信息公开工作年度报告\n"
            "申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计\n"
            "一、本年新收政府信息公开申请数量 | 5 | 0 | 0 | 1 | 0 | 0 | 6\n"
            "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0\n")
    apps = extract_report(text.encode()).figures["applications"]
    assert apps["new_received"] == dict(zip(APP, (5, 0, 0, 1, 0, 0, 6)))
    html = ("<html><head><title>某某区财政局2022年政府信息公开工作年度报告</title></head><body>"
            "<p>申请人情况｜自然人｜商业企业｜科研机构｜社会公益组织｜法律服务机构｜其他｜总计</p>"
            "<p>一、本年新收政府信息公开申请数量｜5｜0｜0｜1｜0｜0｜6</p>"
            "<p>二、上年结转政府信息公开申请数量｜0｜0｜0｜0｜0｜0｜0</p></body></html>")
    apps = extract_report(html.encode(), content_type="text/html").figures["applications"]
    assert apps["new_received"] == dict(zip(APP, (5, 0, 0, 1, 0, 0, 6)))
    assert apps["carried_over"]["total"] == 0


@pytest.mark.parametrize("title_line", ["# 某某县2022年政府信息公开工作年度报告", "**某某县2022年政府信息公开工作年度报告**",
                                        "标题：某某县2022年政府信息公开工作年度报告"])
def test_markup_and_labels_are_never_part_of_the_title(title_line):
    report = extract_report(f"{title_line}\n一、总体情况\n".encode() + "某某县\n2023年1月20日\n".encode())
    assert report.title == "某某县2022年政府信息公开工作年度报告"
    assert report.agency == "某某县"


def test_the_pages_own_date_beats_a_save_tools():
    text = ("保存时间: 2024-06-01 10:00\n抓取时间: 2024-06-01\n标题: 某某区教育局2022年政府信息公开工作年度报告\n"
            "发布日期: 2023-01-28\n正文……\n某某区教育局\n2023年1月20日\n本页保存于 2024-06-01\n")
    assert extract_report(text.encode()).published == "2023-01-28"
    # without a 发布日期 line, the signature's date, not the save tool's at the end
    text = "某某区教育局2022年政府信息公开工作年度报告\n正文……\n某某区教育局\n2023年1月20日\n本页保存于 2024-06-01\n"
    assert extract_report(text.encode()).published == "2023-01-20"


def test_capture_header_is_read_only_when_it_is_one():
    doc = read_text("标题: 甲\n发布时间: 2023-01-02\n原文链接: http://a.gov.cn/x.htm\n正文".encode())
    assert doc.title == "甲" and doc.published == "2023-01-02"
    # one labelled line in the body is not a capture header
    doc = read_text("某某县2022年政府信息公开工作年度报告\n来源：某某县人民政府\n".encode())
    assert doc.title == "某某县2022年政府信息公开工作年度报告" and doc.published is None


def test_a_navigation_source_line_is_not_the_agency_when_the_title_names_one():
    text = ("某某县教育局2022年政府信息公开工作年度报告\n来源：某某县人民政府\n发布时间：2023-01-20\n一、总体情况\n")
    assert extract_report(text.encode()).agency == "某某县教育局"
    # the title names none: the capture's 发布机构 is the best there is
    text = "标题: 2022年政府信息公开工作年度报告\n发布机构: 某某县审计局\n发布时间: 2023-01-20\n一、总体情况\n"
    assert extract_report(text.encode()).agency == "某某县审计局"


def test_2019_table_two_flattened_signs_units_and_yuan():
    """Shapes of real 2019 captures (平潭 2020 reports): a sign starts 本年增/减, units follow figures,
    amounts printed in 元 are kept in 万元; a run that splits several ways keeps what they share."""
    body = ("标题: 某某区交通局2020年政府信息公开工作年度报告\n发布时间: 2021-01-20\n"
            "二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章007"
            "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可88-720行政处罚8801"
            "第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费35-15"
            "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购 2笔 984361元"
            "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量0 00000二、上年结转政府信息公开申请数量0000000")
    report = extract_report(body.encode())
    assert report.template == "2019"
    active = report.figures["active"]
    assert active["regulations"] == {"made": 0, "published_new": 0, "published_total": 7}
    # '88-720': 88 | -7 | 20 or 88 | -72 | 0: only 88 is certain
    assert active["licensing"] == {"items_previous": 88}
    # '8801': 8 | 80 | 1 or 88 | 0 | 1: the decisions are 1 either way
    assert active["punishment"] == {"decisions": 1}
    assert active["fees"] == {"items_previous": 35, "items_change": -15}
    assert active["procurement"] == {"items": 2, "amount": 98.4361}
    # '0 00000': six digits for seven cells, one blank cell lost in the capture; all 0 wherever it was
    assert report.figures["applications"]["new_received"] == dict.fromkeys(APP, 0)
