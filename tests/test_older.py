"""Pre-2019 reports (extract/older.py): template decision, the old 统计表, evidence."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import extract_report
from extract.document import Block, Cell, Document
from extract.narrative import read_statements
from extract.older import EXTRA_KEYS, PRE2019_KEYS, decide_template, flattened_rows, read_older

REAL = Path(__file__).parent / "fixtures" / "narrative"


def cells(figures: dict) -> dict[str, float]:
    return {f"{t}.{r}.{c}": v for t, rows in figures.items() for r, cols in rows.items() for c, v in cols.items()}


def test_pingtan_2017_gives_exactly_its_labelled_figures_and_the_documented_extra_keys():
    report = extract_report((REAL / "pingtan_2017.txt").read_bytes(), url="pingtan_2017.txt")
    label = json.loads((REAL / "pingtan_2017.figures.json").read_text(encoding="utf-8"))["figures"]
    assert report.template == "pre2019"
    got = cells(report.figures)
    twenty21 = {k: v for k, v in got.items() if k not in EXTRA_KEYS}
    assert twenty21 == cells(label)
    # The extra keys, from the 统计表 (主动公开文件数 2122 confirmed by the sentence, the run
    # "212210037" alone having several splits) and nothing else.
    assert {k: v for k, v in got.items() if k in EXTRA_KEYS} == {
        "active.proactive.total": 2122, "applications.denied.total": 0, "review_litigation.litigation.total": 0,
    }
    # Every figure says where it came from: the 统计表 row (本年度, never 历年累计 10037).
    assert set(report.evidence) == set(got)
    assert report.evidence["applications.new_received.total"] == "受理政府信息依申请公开总数条00"
    assert report.evidence["applications.partially_granted.total"] == "2、同意部分公开答复数条00"
    assert "2017年全区主动公开政府信息2122条" in report.evidence["active.proactive.total"]
    # The sentences agree with the 统计表, and the JSON says so per table.
    text = {c.rule: c.ok for c in report.checks if c.rule.startswith("text.")}
    assert text == {"text.applications.new_received.total": True, "text.review_litigation.review.total": True,
                    "text.review_litigation.litigation.total": True}
    out = report.to_dict()
    assert out["evidence"] == report.evidence
    assert out["consistency"]["applications"]["self_consistent"] is True
    assert out["consistency"]["review_litigation"]["text"] == {"evaluated": 2, "held": 2, "failed": []}


def test_a_2021_report_is_not_pre2019_and_has_no_evidence():
    report = extract_report((REAL / "pingtan_2025.txt").read_bytes(), url="pingtan_2025.txt")
    assert report.template == "2021" and report.evidence == {}


# A flattened 统计表 of the 2011 form (平潭县人民政府2011年报告): item numbers run into the previous
# row's digits ("41815092.政府公报公开"), 否决公开答复数, and a digit run with several splits.
FLAT_2011 = (
    "其中主动公开政府信息425条，作为依申请公开信息数46条。县直各单位主动公开政府信息303条。"
    "附件1：统计表 指标名称计量单位2011年度历年累计主动公开信息数条4251516其中：1.网站公开条41815092."
    "政府公报公开条77受理依申请公开信息总数条00其中：1.当面申请数条002.传真申请数条00对申请的答复数条00"
    "其中：1.同意公开答复数条002.同意部分公开答复数条003.否决公开答复数条00行政复议数条00行政诉讼数条00"
)


def test_flattened_rows_take_this_year_and_restore_item_numbers():
    rows, labels = flattened_rows(FLAT_2011)
    by_key = {r.key: r for r in rows}
    assert by_key["applications.denied.total"].candidates == {0}
    assert by_key["applications.denied.total"].evidence == "3.否决公开答复数条00"
    # 4251516 = 4|251516, 42|51516, 425|1516 (本年度 ≤ 历年累计; 4251|516 is not): ambiguous alone
    assert by_key["active.proactive.total"].candidates == {4, 42, 425}
    assert labels["政府公报公开"] == {7}
    assert labels["网站公开"] == {4, 41, 418}


def test_cells_on_their_own_lines_are_never_split_as_a_run():
    # One cell per line (a table pasted as paragraphs): "425" then "1516" are two cells, and a
    # row with its 历年累计 cell blank cannot be aligned, so it is left out.
    text = ("指标名称\n计量单位\n本年度\n历年累计\n主动公开政府信息数\n条\n425\n1516\n其中：1.网站公开\n条\n418\n"
            "1509\n2.政府公报公开\n条\n7\n7\n受理依申请公开信息总数\n条\n3\n\n行政复议数\n件\n0\n0\n")
    rows, labels = flattened_rows(text)
    assert {r.key: r.candidates for r in rows} == {
        "active.proactive.total": {425}, "applications.new_received.total": set(),
        "review_litigation.review.total": {0}}
    assert labels["政府公报公开"] == {7}
    assert rows[0].evidence == "主动公开政府信息数 条 425 1516"


def test_an_ambiguous_row_is_kept_only_when_a_sentence_states_one_of_its_splits():
    doc = Document(format="txt", text=FLAT_2011)
    reading = read_older(doc, read_statements(FLAT_2011, 2011))
    # The sentences state 425 and 303 (a part); only 425 is a split of "4251516".
    assert reading.figures["active"]["proactive"]["total"] == 425
    assert reading.evidence["active.proactive.total"].startswith("主动公开信息数条4251516")
    without_text = read_older(doc, [])
    assert "active" not in without_text.figures
    assert without_text.figures["applications"]["granted"]["total"] == 0


def _grid(rows: list[list[str]]) -> Block:
    return Block(rows=[[Cell(text, col=i) for i, text in enumerate(row)] for row in rows])


NATIONAL = [
    ["指标名称", "计量单位", "本年度", "历年累计"],
    ["一、主动公开情况", "", "", ""],
    ["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "1,234", "9876"],
    ["其中：主动公开规范性文件数", "条", "12", "40"],
    ["三、依申请公开情况", "", "", ""],
    ["（一）收到申请数", "件", "30", "120"],
    ["", "", "", ""],
    ["1.当面申请数", "件", "10", "50"],
    ["（二）申请办结数", "件", "28", "118"],
    ["（三）申请答复数", "件", "29", "119"],
    ["1.属于已主动公开范围数", "件", "3", "9"],
    ["2.同意公开答复数", "件", "15", "60"],
    ["3.同意部分公开答复数", "件", "4", "20"],
    ["4.不同意公开答复数", "件", "2", "8"],
    ["四、行政复议数量", "件", "1", "3"],
    ["五、行政诉讼数量", "件", "0", "1"],
    ["七、依申请公开信息收取的费用", "元", "150", "300"],
]


def test_grid_statistics_table_reads_this_year_never_the_cumulative_column():
    doc = Document(format="html", text="", blocks=[_grid(NATIONAL)])
    reading = read_older(doc, [])
    assert cells(reading.figures) == {
        "active.proactive.total": 1234,
        "applications.new_received.total": 30,
        "applications.total_processed.total": 28,  # 申请办结数 outranks 申请答复数
        "applications.partially_granted.total": 4,
        "applications.denied.total": 2,
        "review_litigation.review.total": 1,
        "review_litigation.litigation.total": 0,
        "applications.fees.amount": 0.015,  # 150 元, in 万元
    }
    # 属于已主动公开范围数 is 3: the 2021 予以公开 would include them, 同意公开 alone is not it.
    assert "granted" not in reading.figures["applications"]
    assert reading.evidence["applications.new_received.total"] == "（一）收到申请数 | 件 | 30 | 120"


def test_grid_with_a_single_value_column_and_no_already_public_row():
    rows = [["统计指标", "单位", "统计数"], ["同意公开答复数", "件", "5"], ["收到申请数", "件", "7"]]
    reading = read_older(Document(format="html", text="", blocks=[_grid(rows)]), [])
    assert cells(reading.figures) == {"applications.granted.total": 5, "applications.new_received.total": 7}


def test_fees_without_a_money_unit_are_left_out():
    rows = [["指标名称", "计量单位", "本年度"], ["依申请公开信息收取的费用", "项", "3"]]
    reading = read_older(Document(format="html", text="", blocks=[_grid(rows)]), [])
    assert reading.figures == {}


def test_a_code_column_table_is_not_read():
    rows = [["指标名称", "计算单位", "代码", "本年累计"], ["申请总次数", "条", "12", "5"]]
    assert read_older(Document(format="html", text="", blocks=[_grid(rows)]), []).figures == {}


def test_text_figures_fill_what_the_table_lacks_with_the_sentence_as_evidence():
    text = "2013年新增主动公开政府信息45条。2013年我局未收到政府信息公开申请。2013年，我局收到以有关政府信息公开行政复议0件。"
    reading = read_older(Document(format="txt", text=text), read_statements(text, 2013))
    assert cells(reading.figures) == {"active.proactive.total": 45, "applications.new_received.total": 0,
                                      "review_litigation.review.total": 0}
    assert reading.evidence["applications.new_received.total"] == "2013年我局未收到政府信息公开申请"
    assert reading.from_text == set(reading.evidence)


def test_only_documented_keys():
    text = "本年度共收到政府信息公开申请5件，上年结转1件，结转下年度2件，办结4件。"
    reading = read_older(Document(format="txt", text=text), read_statements(text))
    assert set(cells(reading.figures)) <= set(PRE2019_KEYS)
    assert cells(reading.figures) == {"applications.new_received.total": 5, "applications.total_processed.total": 4}


@pytest.mark.parametrize("template, year, figures, text, want", [
    ("unknown", 2017, {}, "", "pre2019"),
    # 政府集中采购 in prose is not the 2019 table: the year decides.
    ("2019", 2017, {}, "政府集中采购项目类信息7条", "pre2019"),
    ("2019", 2018, {}, "本年新制作数量", "2019"),  # an early adopter of the 2019 table
    ("2021", 2017, {"applications": {"new_received": {"natural_person": 1, "other_org": 0, "total": 1}}}, "", "2021"),
    ("2019", 2019, {}, "", "2019"),
    ("unknown", None, {}, "", "unknown"),
])
def test_template_decision(template, year, figures, text, want):
    assert decide_template(template, year, figures, text) == want


def test_pre2019_html_report_end_to_end():
    rows = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>" for row in NATIONAL)
    html = (
        "<html><head><title>某县人民政府2016年政府信息公开工作年度报告</title></head><body>"
        "<h1>某县人民政府2016年政府信息公开工作年度报告</h1>"
        "<p>本报告所列数据的统计期限自2016年1月1日起至2016年12月31日止。</p>"
        "<p>三、政府信息依申请公开情况</p><p>2016年，全县共收到政府信息公开申请31件，办结28件。</p>"
        f"<p>附表：政府信息公开情况统计表</p><table>{rows}</table></body></html>"
    ).encode("utf-8")
    report = extract_report(html, url="http://example.gov.cn/2016.html", content_type="text/html")
    assert report.template == "pre2019" and report.year == 2016
    assert report.figures["applications"]["new_received"]["total"] == 30  # the table wins
    checks = {c.rule: c for c in report.checks}
    assert not checks["text.applications.new_received.total"].ok  # 31 in the text: data, not a repair
    assert checks["text.applications.total_processed.total"].ok
    assert report.consistency["applications"]["self_consistent"] is False
    assert report.consistency["applications"]["text"]["failed"] == ["text.applications.new_received.total"]


def test_a_serial_number_column_is_not_part_of_the_label():
    rows = [["序号", "指标名称", "计量单位", "本年度"], ["1", "收到申请数", "件", "9"], ["2", "申请办结数", "件", "8"]]
    reading = read_older(Document(format="html", text="", blocks=[_grid(rows)]), [])
    assert cells(reading.figures) == {"applications.new_received.total": 9, "applications.total_processed.total": 8}


def test_spaced_header_and_cells_with_a_year_end_column():
    # "指 标 名 称 计量 单位 2013年度 历年累计" with one space between cells (a county 公安局's form)
    spaced = ("指 标 名 称 计量 单位 2013年度 历年累计 主动公开信息数 条 235 440 其中：1.政府网站公开数 条 235 440 "
              "2.政府公报公开数 条 0 0 受理政府信息公开申请总数 条 2 3 对申请的答复总数 条 3 3 其中：1.同意公开答复数 条 2 2 "
              "2.同意部分公开答复数 条 0 0 3.不予公开答复数 条 1 1 行政复议数 件 0 0")
    rows, _ = flattened_rows(spaced)
    assert {r.key: r.candidates for r in rows} == {
        "active.proactive.total": {235}, "applications.new_received.total": {2},
        "applications.total_processed.total": {3}, "applications.granted.total": {2},
        "applications.partially_granted.total": {0}, "applications.denied.total": {1},
        "review_litigation.review.total": {0}}
    # one value column headed 年末统计 (no 历年累计), full-width item stops
    year_end = "指标名称 计量单位 年末统计 主动公开信息数 条 6 受理依申请公开信息总数 条 0 其中：1．当面申请数 条 0 3．否决公开答复总数 条 0"
    rows, _ = flattened_rows(year_end)
    assert {r.key: r.candidates for r in rows} == {
        "active.proactive.total": {6}, "applications.new_received.total": {0}, "applications.denied.total": {0}}


def test_a_split_the_sentences_chose_is_not_checked_against_them():
    # "受理依申请公开信息总数条2121" is 2|121 or 21|21: the sentence's 21 picks the split, so a text
    # check of 21 against it would only compare the sentence with itself.
    text = ("2012年全县共收到有关政府信息公开的申请21条。"
            "指标名称计量单位2012年度历年累计受理依申请公开信息总数条2121行政复议数条00")
    report_like = read_older(Document(format="txt", text=text), read_statements(text, 2012))
    assert report_like.figures["applications"]["new_received"]["total"] == 21
    assert "applications.new_received.total" in report_like.from_text
    assert "review_litigation.review.total" not in report_like.from_text


def test_a_table_printed_one_cell_per_line_with_labels_and_year_broken():
    # 莆田市科技局 2018's 附表 as its capture prints it: header and labels broken over lines, and a
    # row whose 本年度 and 历年累计 are both 0 printed as one '0' (equal lines printed once)
    lines = ("指 标 名 称 单位 201 8 年 历年累计 主动公开 文件 数 条 40 433 其中：1. 政府网站公开数 条 40 433 "
             "2.政府公报公开数 条 0 受理 政府信息 公开 申请 总数 条 0 其中：1. 当面申请数 条 0 2.网 络 申请数 条 0 "
             "3.信函 、传真 申请数 条 0 对申请的答复总数 条 0 其中：1. 同意公开答复数 条 0 2.同意部分公开答复数 条 0 "
             "3.不予公开答复数 条 0 4、其他类型答复数 条 0 行政 复议 数 件 0 行政诉讼数 件 0 莆田市科学技术局 2019年1月14日")
    rows, _ = flattened_rows(lines.replace(" ", "\n"))
    assert {r.key: r.candidates for r in rows} == {
        "active.proactive.total": {40}, "applications.new_received.total": {0},
        "applications.total_processed.total": {0}, "applications.granted.total": {0},
        "applications.partially_granted.total": {0}, "applications.denied.total": {0},
        "review_litigation.review.total": {0}, "review_litigation.litigation.total": {0}}


def test_a_lone_figure_other_than_zero_under_two_columns_is_not_placed():
    # '5' alone could be 本年度 (历年累计 blank) or 历年累计 (本年度 blank, any figure up to 5)
    text = "指标名称\n单位\n2018年\n历年累计\n受理政府信息公开申请总数\n条\n5\n行政复议数\n件\n0"
    rows, _ = flattened_rows(text)
    assert {r.key: r.candidates for r in rows} == {
        "applications.new_received.total": set(), "review_litigation.review.total": {0}}
