"""Text captures that print one table cell per line, and what such captures do to a table.

Each rule has a small case of its own, built here, next to the real reports it comes from
(tests/fixtures/real/: 莆田 captures print a run of identical consecutive lines once; 三明 captures
break a long figure over two lines and a group label over two; both break prose into lines too).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import extract_report
from extract.template import printed_rows

REAL = Path(__file__).parent / "fixtures" / "real"
APP = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
       "legal_service_org", "other_org", "total")
REVIEW = ("upheld", "corrected", "other", "pending", "total")
GROUPS = ("review", "litigation_direct", "litigation_after_review")
GROUP_LINES = {"granted": ["三、本年度办理结果"], "denied_state_secret": ["（三）不予公开"],
               "unable_not_held": ["（四）无法提供"], "unprocessed_petition": ["（五）不予处理"],
               "other_no_correction": ["（六）其他处理"]}

# A sparse table whose identities hold: 3 new + 1 carried over = 3 answered + 1 carried forward.
APPS = {spec.key: dict.fromkeys(APP, 0) for spec, _ in printed_rows("2021") if spec.table == "applications"}
for key, n in (("new_received", 3), ("carried_over", 1), ("granted", 2), ("unable_not_held", 1),
               ("total_processed", 3), ("carried_forward", 1)):
    APPS[key] = dict(APPS[key], natural_person=n, total=n)
ACTIVE = {"regulations": {"made": 0, "repealed": 0, "in_force": 3},
          "normative_documents": {"made": 2, "repealed": 1, "in_force": 15},
          "licensing": {"decisions": 27}, "punishment": {"decisions": 0}, "coercion": {"decisions": 0},
          "fees": {"amount": 0}}


def report_lines(apps=APPS, active=ACTIVE, review_values=(0,) * 15) -> list[str]:
    """A 2021-template report as a capture that prints one cell per line."""
    lines = ["标题: 某某市某某局2022年政府信息公开工作年度报告", "发布时间: 2023-01-16 10:00",
             "原始链接: https://www.example.gov.cn/zfxxgk/zfxxgknb/202301/t20230116_1.htm", "正文:",
             "一、总体情况", "2022年，本局认真贯彻落实政府信息公开条例。",
             "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        lines += [label, *(str(active[key][c]) for c in ("made", "repealed", "in_force"))]
    lines += ["第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", str(active["licensing"]["decisions"]),
              "第二十条第（六）项", "信息内容", "本年处理决定数量", "行政处罚", str(active["punishment"]["decisions"]),
              "行政强制", str(active["coercion"]["decisions"]), "第二十条第（八）项", "信息内容",
              "本年收费金额（单位：万元）", "行政事业性收费", str(active["fees"]["amount"]),
              "三、收到和处理政府信息公开申请情况", "申请人情况", "自然人", "法人或其他组织", "总计",
              "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    for spec, _cols in printed_rows("2021"):
        if spec.table != "applications":
            continue
        lines += GROUP_LINES.get(spec.key, [])
        lines += [spec.label, *(str(apps[spec.key][c]) for c in APP)]
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼",
              "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉",
              *(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2), *map(str, review_values),
              "五、存在的主要问题及改进情况", "无。"]
    return lines


def collapse(lines: list[str]) -> list[str]:
    """What the 莆田 capture tool does: a run of identical consecutive lines printed once."""
    return [line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]]


def extract_lines(lines: list[str], newline: str = "\n"):
    return extract_report(newline.join(lines).encode("utf-8"), url="file:///tmp/capture.txt")


def zeros_review() -> dict:
    return {g: dict.fromkeys(REVIEW, 0) for g in GROUPS}


def test_every_cell_printed_reads_every_cell():
    report = extract_lines(report_lines())
    assert report.figures["applications"] == APPS
    assert report.figures["active"] == ACTIVE
    assert report.figures["review_litigation"] == zeros_review()


def test_equal_consecutive_lines_printed_once_are_expanded_where_the_sums_pin_them_down():
    lines = collapse(report_lines())
    assert "0\n0" not in "\n".join(lines) and lines.count("规章") == 1
    report = extract_lines(lines)
    # '3 / 0 / 3' is 3,0,0,0,0,0,3; an all-zero row printed as one '0' is seven zeros
    assert report.figures["applications"] == APPS
    assert report.figures["review_litigation"] == zeros_review()  # one '0' for 15 cells
    # 表二 规章 '0 / 3' is 0|0|3 or 0|3|3: 本年废止 is left out, never guessed
    assert report.figures["active"]["regulations"] == {"made": 0, "in_force": 3}
    assert report.figures["active"]["normative_documents"] == ACTIVE["normative_documents"]
    assert all(c.ok for c in report.checks)


def test_equal_figures_side_by_side_prove_the_capture_prints_every_cell():
    # one row printed in full (two 0 lines side by side) in an otherwise collapsed capture: the
    # capture cannot be one that collapses equal lines, so short rows are not expanded
    lines = collapse(report_lines())
    at = lines.index("（一）予以公开")
    lines[at + 1:at + 4] = ["2", "0", "0", "0", "0", "0", "2"]
    report = extract_lines(lines)
    apps = report.figures["applications"]
    assert apps["granted"] == APPS["granted"]
    assert "new_received" not in apps and "denied_state_secret" not in apps
    assert "regulations" not in report.figures["active"] or "repealed" not in report.figures["active"]["regulations"]


def test_real_putian_capture_expanded_and_the_undecidable_cell_left_out():
    report = extract_report((REAL / "putian_kjj_2021.txt").read_bytes(), url="file:///tmp/p.txt")
    # 行政规范性文件 '0 / 10': 本年废止 could be 0 or 10
    assert report.figures["active"]["normative_documents"] == {"made": 0, "in_force": 10}
    assert report.figures["applications"]["new_received"] == dict.fromkeys(APP, 0)
    assert report.figures["review_litigation"] == zeros_review()
    assert report.published == "2022-01-13"


def test_a_figure_broken_over_two_lines_is_joined_where_the_sums_decide():
    apps = {k: dict(v) for k, v in APPS.items()}
    apps["new_received"] = dict(apps["new_received"], natural_person=160, social_welfare_org=2, total=162)
    apps["granted"] = dict(apps["granted"], natural_person=159, social_welfare_org=2, total=161)
    apps["total_processed"] = dict(apps["total_processed"], natural_person=160, social_welfare_org=2, total=162)
    lines = report_lines(apps)
    at = lines.index("一、本年新收政府信息公开申请数量")
    lines[at + 7] = "1\n62"  # 总计 162 printed as '1' / '62' (三明 2021)
    at = lines.index("（七）总计")
    lines[at + 1] = "1\n60"  # and a row with two of them broken
    lines[at + 7] = "1\n62"
    report = extract_lines(lines, newline="\r\n")  # the 三明 captures have CRLF line ends
    assert report.figures["applications"] == apps
    assert all(c.ok for c in report.checks)


def test_a_group_label_broken_over_two_lines_still_heads_its_items():
    lines = report_lines(dict(APPS, other_other=dict(APPS["other_other"], natural_person=1, total=1),
                              granted=dict(APPS["granted"], natural_person=1, total=1)))
    at = lines.index("（六）其他处理")
    lines[at:at + 1] = ["（六）其他", "处理"]  # 三明 2024
    assert extract_lines(lines).figures["applications"]["other_other"] == dict.fromkeys(APP, 0) | {
        "natural_person": 1, "total": 1}


def test_a_row_label_inside_a_sentence_is_not_a_table_row():
    # prose broken into lines before the table: "…项；" / "行政事业性收费" / "4" / "1994万元。" (三明 2021)
    # and "…件，政策、规范性文件类信息" / "1" (莆田文旅 2022)
    lines = report_lines()
    at = lines.index("二、主动公开政府信息情况")
    lines[at:at] = ["全市对外公开规章", "1", "件，规范性文件", "507", "件；行政许可、行政处罚、行政强制", "处理决定数量",
                    "分别为", "554782", "项、", "244523", "项和", "12061", "项；", "行政事业性收费", "4", "1994万元。",
                    "全年公开政府信息", "120", "件，政策、规范性文件类信息", "1", "件。"]
    report = extract_lines(lines)
    assert report.figures["active"] == ACTIVE


def test_header_fragments_without_a_column_name_are_not_columns():
    # "本年收费金额" / "(" / "单位" / ":" / "万元" / ")" / "行政事业性收费" / "19167.08326" (三明 2022)
    lines = report_lines(active=dict(ACTIVE, fees={"amount": 19167.08326}))
    at = lines.index("本年收费金额（单位：万元）")
    lines[at:at + 1] = ["本年收费金额", "(", "单位", ":", "万元", ")"]
    assert extract_lines(lines).figures["active"]["fees"] == {"amount": 19167.08326}


def test_a_review_header_broken_over_lines_then_its_figures():
    # the header words one per line ("结果" / "纠正" / "尚未" / "审结" / "总计"), then 15 figures
    lines = report_lines(review_values=(1, 0, 0, 0, 1) + (0,) * 10)
    at = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    header = ["行政复议", "行政诉讼", "结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计",
              "未经复议直接起诉", "复议后起诉"] + ["结果", "维持", "结果", "纠正", "其他", "结果", "尚未", "审结", "总计"] * 2
    assert lines[at + 1 + 19] == "1"  # the first figure after the 19 header lines
    lines[at + 1:at + 1 + 19] = header
    review = extract_lines(lines).figures["review_litigation"]
    assert review == dict(zeros_review(), review={"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1})


def test_a_row_label_broken_in_the_middle_of_its_words():
    apps = dict(APPS, unprocessed_reconfirm=dict(APPS["unprocessed_reconfirm"], natural_person=1, total=1),
                granted=dict(APPS["granted"], natural_person=1, total=1))
    lines = report_lines(apps)
    at = lines.index("5.要求行政机关确认或重新出具已获取信息")
    lines[at:at + 1] = ["5.要求行政机关确认或重新", "出具已获取信息"]
    at = lines.index("1.属于国家秘密")
    lines[at:at + 1] = ["1.", "属于国家秘密"]  # numbering on its own line (莆田)
    assert extract_lines(lines).figures["applications"] == apps


def test_a_comma_in_a_labels_own_wording_is_not_a_sentence():
    apps = dict(APPS, other_no_correction=dict(APPS["other_no_correction"], natural_person=1, total=1),
                granted=dict(APPS["granted"], natural_person=1, total=1))
    lines = report_lines(apps)
    at = next(i for i, line in enumerate(lines) if line.startswith("1.申请人无正当理由逾期不补正"))
    lines[at] = "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"
    assert extract_lines(lines).figures["applications"] == apps


def test_header_words_broken_one_character_per_line():
    # 三明 2024's header: "自" / "然" / "人" … "总" / "计" … "其" / "他"; collapsed, each row's 总计 must
    # still be known to be printed, or the rows cannot be expanded
    lines = report_lines()
    at = lines.index("申请人情况")
    assert lines[at + 9] == "一、本年新收政府信息公开申请数量"
    lines[at + 1:at + 9] = ["自", "然", "人", "法人或其他组织", "总", "计", "商业企业", "科研机构", "社会公益组织",
                             "法律服务机构", "其", "他"]
    assert extract_lines(collapse(lines)).figures["applications"] == APPS


def test_rows_without_their_total_are_not_expanded():
    # a table printed without its 总计 column: no row sum checks an expansion, so none is made
    lines = [line for line in report_lines() if line != "总计"]
    for spec, _cols in printed_rows("2021"):
        if spec.table == "applications":
            at = lines.index(spec.label)
            del lines[at + 7]  # the row's total figure
    apps = extract_lines(collapse(lines)).figures.get("applications", {})
    assert all(row == {k: v for k, v in APPS[key].items() if k != "total"} for key, row in apps.items())
    assert "new_received" not in apps  # '3 0' for six cells: where the 3s end is not known


@pytest.mark.parametrize("name", ["sanming_2022", "sanming_2023", "sanming_2024", "sanming_2025"])
def test_a_real_full_capture_collapsed_never_gives_a_wrong_cell(name):
    # The 三明 captures print every cell; collapsed as the 莆田 tool would, every cell read must still
    # be the label's, and nearly all are read.
    label = json.loads((REAL / f"{name}.expected.json").read_text(encoding="utf-8"))["figures"]
    lines = (REAL / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    got = extract_lines(collapse(lines)).figures
    cells = {(t, r, c): v for t, rows in got.items() for r, cols in rows.items() for c, v in cols.items()}
    want = {(t, r, c): v for t, rows in label.items() for r, cols in rows.items() for c, v in cols.items()}
    assert {k: v for k, v in cells.items() if want.get(k) != v} == {}
    assert len(cells) >= len(want) - 5


def test_a_short_table_two_row_in_a_capture_that_prints_every_cell():
    # '0' / '10' under 本年制发 / 本年废止 / 现行有效 in a capture that prints every cell: one blank
    # may have vanished, but a line is a whole figure ('10' is never 1|0); only 本年制发 is certain
    lines = report_lines()
    at = lines.index("行政规范性文件")
    lines[at + 1:at + 4] = ["0", "10"]
    assert extract_lines(lines).figures["active"]["normative_documents"] == {"made": 0}


def table_two_2019(header_items_change: list[str], amount_lines: list[str]) -> list[str]:
    """A 2019-template 表二 as a capture that prints one cell per line."""
    return ["标题: 某某市某某局2020年政府信息公开工作年度报告", "发布时间: 2021-01-20 10:00", "正文:",
            "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量",
            "对外公开总数量", "规章", "1", "2", "3", "规范性文件", "4", "5", "6",
            "第二十条第（五）项", "信息内容", "上一年项目数量", *header_items_change, "处理决定数量",
            "行政许可", "60", "-3", "57", "其他对外管理服务事项", "7", "-7", "0",
            "第二十条第（八）项", "信息内容", "上一年项目数量", *header_items_change, "行政事业性收费", "3", "1",
            "第二十条第（九）项", "信息内容", "采购项目数量", "采购总金额", "政府集中采购", "5", *amount_lines,
            "三、收到和处理政府信息公开申请情况"]


@pytest.mark.parametrize("broken", [["本年增", "/", "减"], ["本年增", "减"], ["本年", "增/减"]])
def test_a_column_name_broken_over_lines_is_that_column(broken):
    # 三明 2020 and 莆田科技局 2020 print 本年增/减 over three lines; its "/" (a zero mark on its
    # own) must not end the header, or the rows under it lose their figures
    active = extract_lines(table_two_2019(broken, ["142512元"])).figures["active"]
    assert active["licensing"] == {"items_previous": 60, "items_change": -3, "decisions": 57}
    assert active["other_services"] == {"items_previous": 7, "items_change": -7, "decisions": 0}
    assert active["fees"] == {"items_previous": 3, "items_change": 1}
    assert active["regulations"] == {"made": 1, "published_new": 2, "published_total": 3}


def test_a_2021_column_name_broken_over_lines_is_that_column():
    lines = report_lines()
    at = lines.index("现行有效件数")
    lines[at:at + 1] = ["现行有", "效件数"]
    assert extract_lines(lines).figures["active"] == ACTIVE


def test_pieces_that_name_no_column_together_stay_apart():
    # a figure between two header words is never joined into a name, nor a unit after words
    from extract.document import Cell
    from extract.figures import _join_row_fragments
    for row in ([Cell("本年增"), Cell("0"), Cell("减")], [Cell("采购总金额"), Cell("（"), Cell("元"), Cell("）")],
                [Cell("本年增/减"), Cell("处理决定数量")],
                # prose broken over lines: "…比上年增" / "减…" is no header
                [Cell("全年办理行政许可事项数量比上年增"), Cell("减不大。")]):
        assert _join_row_fragments(row) is row


def test_a_unit_on_the_line_after_its_figure_belongs_to_it():
    # 莆田科技局 2020: "142512" / "元" under 采购总金额 (no unit in the header) is 14.2512 万元
    active = extract_lines(table_two_2019(["本年增/减"], ["142512", "元"])).figures["active"]
    assert active["procurement"] == {"items": 5, "amount": 14.2512}
    # in 万元 already: the figure is kept as printed
    active = extract_lines(table_two_2019(["本年增/减"], ["14.25", "万元"])).figures["active"]
    assert active["procurement"] == {"items": 5, "amount": 14.25}
