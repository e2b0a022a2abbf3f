"""Label-driven mapping of rows and columns, on small hand-made documents."""
import pytest

from extract import extract_report
from extract.document import Block, Cell
from extract.figures import find_figures, norm_label
from extract.template import ROWS

APP_ROWS = [r for r in ROWS if r.table == "applications" and "2021" in r.templates]
COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"]
TITLE = "<title>某某市某某局2023年政府信息公开工作年度报告_某某市人民政府</title>"


def values_for(i):
    """Distinct, non-trivial figures per row so a shifted column or row is caught."""
    v = [i + 1, i % 3, 0, 1 if i % 4 == 0 else 0, 0, i % 2, 0]
    v[6] = sum(v[:6])
    return v


def table3_html(label=lambda spec: spec.label, cell=str):
    """The 2021 table 3 as CMSs emit it: spans for header and row groups."""
    head = ('<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            '<td colspan="7">申请人情况</td></tr>'
            '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
            '<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>')
    body = []
    groups = {"denied": "（三）不予公开", "unable": "（四）无法提供", "unprocessed": "（五）不予处理", "other": "（六）其他处理"}
    for i, spec in enumerate(APP_ROWS):
        vals = "".join(f"<td>{cell(v)}</td>" for v in values_for(i))
        prefix = spec.key.split("_")[0]
        if spec.key in ("new_received", "carried_over", "carried_forward"):
            body.append(f'<tr><td colspan="3">{label(spec)}</td>{vals}</tr>')
        elif prefix in groups:
            first = not APP_ROWS[i - 1].key.startswith(prefix)
            n = sum(1 for r in APP_ROWS if r.key.startswith(prefix + "_"))
            g = f'<td rowspan="{n}">{groups[prefix]}</td>' if first else ""
            body.append(f"<tr>{g}<td>{label(spec)}</td>{vals}</tr>")
        else:
            body.append(f'<tr><td colspan="2">{label(spec)}</td>{vals}</tr>')
    # the row-group label 三、本年度办理结果 spans the outcome rows in column 0
    n_outcomes = 22
    first_outcome = 2
    body[first_outcome] = body[first_outcome].replace("<tr>", f'<tr><td rowspan="{n_outcomes}">三、本年度办理结果</td>', 1)
    return f"<table border=1>{head}{''.join(body)}</table>"


def expected_apps():
    return {spec.key: dict(zip(COLS, values_for(i))) for i, spec in enumerate(APP_ROWS)}


def html_doc(*tables):
    return (f"<html><head><meta charset='utf-8'>{TITLE}</head><body><div class='nav'>首页</div>"
            f"<div id='zoom'><p>一、总体情况</p>{''.join(tables)}<p>某某市某某局</p><p>2024年1月31日</p></div></body></html>").encode()


def test_spanned_grid_maps_every_cell_by_header_position():
    report = extract_report(html_doc(table3_html()), url="http://x.gov.cn/a.html")
    assert report.figures["applications"] == expected_apps()
    assert all(c.ok for c in report.checks if "row_total" in c.rule)


def test_label_variants_and_number_forms():
    def variant(spec):
        text = norm_label(spec.label)
        return {"granted": "(一) 予 以 公 开", "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                "denied_security_stability": '3、危及"三安全一稳定"', "total_processed": "(七)总计"}.get(spec.key, "1．" + text)

    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    report = extract_report(html_doc(table3_html(variant, lambda v: "—" if v == 0 else str(v).translate(full_width))))
    assert report.figures["applications"] == expected_apps()


def test_table_split_in_two_without_repeated_header():
    html = table3_html()
    rows = html.split("<tr>")
    cut = 12
    part1 = "<tr>".join(rows[:cut]) + "</table>"
    part2 = "<table>" + "<tr>" + "<tr>".join(rows[cut:])
    report = extract_report(html_doc(part1, "<p>（续表）</p>", part2))
    assert report.figures["applications"] == expected_apps()


def test_flattened_paragraph_stream():
    cells = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    groups = {"granted": "三、本年度办理结果", "denied_state_secret": "（三）不予公开", "unable_not_held": "（四）无法提供",
              "unprocessed_petition": "（五）不予处理", "other_no_correction": "（六）其他处理"}
    for i, spec in enumerate(APP_ROWS):
        cells.extend([groups[spec.key]] if spec.key in groups else [])
        cells.append(spec.label)
        cells.extend(str(v) for v in values_for(i))
    paras = "".join(f"<p>{c}</p>" for c in cells)
    report = extract_report(html_doc(paras))
    assert report.figures["applications"] == expected_apps()


def test_review_table_three_level_header_and_per_group_layout():
    header = ('<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
              '<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td>'
              '<td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td>'
              '<td colspan="5">复议后起诉</td></tr><tr>' + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td>"
              "<td>尚未审结</td><td>总计</td>" * 2 + "</tr>")
    data = "<tr>" + "".join(f"<td>{v}</td>" for v in [1, 2, 0, 1, 4, 0, 1, 0, 0, 1, 2, 0, 0, 0, 2]) + "</tr>"
    report = extract_report(html_doc(table3_html(), f"<table>{header}{data}</table>"))
    rl = report.figures["review_litigation"]
    assert rl["review"] == {"upheld": 1, "corrected": 2, "other": 0, "pending": 1, "total": 4}
    assert rl["litigation_direct"]["corrected"] == 1 and rl["litigation_after_review"]["upheld"] == 2
    per_group = ("<table><tr><td>项目</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>"
                 "<tr><td>行政复议</td><td>3</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>"
                 "<tr><td>未经复议直接起诉</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td></tr>"
                 "<tr><td>复议后起诉</td><td>0</td><td>0</td><td>0</td><td>2</td><td>2</td></tr></table>")
    rl = extract_report(html_doc(table3_html(), per_group)).figures["review_litigation"]
    assert rl["review"]["upheld"] == 3 and rl["litigation_direct"]["corrected"] == 1
    assert rl["litigation_after_review"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 2, "total": 2}


def test_active_table_2019_every_cell_under_its_own_key():
    t2019 = ("<table><tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>"
             "<tr><td>规章</td><td>1</td><td>1</td><td>9</td></tr>"
             "<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>"
             "<tr><td>行政许可</td><td>12</td><td>-1</td><td>3,456</td></tr>"
             "<tr><td>行政事业性收费</td><td>2</td><td>0</td></tr></table>")
    report = extract_report(html_doc(t2019, table3_html()))
    assert report.figures["active"] == {
        "regulations": {"made": 1, "published_new": 1, "published_total": 9},
        "licensing": {"items_previous": 12, "items_change": -1, "decisions": 3456},
        "fees": {"items_previous": 2, "items_change": 0}}



@pytest.mark.parametrize("header_spans, value_spans", [
    ((1, 2, 1), (2, 1, 1)),  # 上一年 one column, 本年增/减 two; the first figure two, the second one
    ((2, 1, 1), (1, 2, 1)),  # the other way round: two figures start under 上一年's two columns
])
def test_active_table_2019_header_and_figures_merged_differently(header_spans, value_spans):
    def row(first, texts, spans):
        return "<tr>" + first + "".join(f'<td colspan="{s}">{t}</td>' for t, s in zip(texts, spans)) + "</tr>"
    t2019 = ("<table>" + row("<td>信息内容</td>", ("上一年项目数量", "本年增/减", "处理决定数量"), header_spans)
             + row("<td>行政许可</td>", ("12", "-1", "7"), value_spans)
             + row("<td>行政处罚</td>", ("5", "0", "3"), value_spans) + "</table>")
    report = extract_report(html_doc(t2019, table3_html()))
    assert report.figures["active"] == {
        "licensing": {"items_previous": 12, "items_change": -1, "decisions": 7},
        "punishment": {"items_previous": 5, "items_change": 0, "decisions": 3}}

def test_template_detection():
    from extract.meta import detect_template
    assert detect_template("信息内容 本年制发件数 本年废止件数 现行有效件数", {}, None) == "2021"
    assert detect_template("信息内容 本年新制作数量 本年新公开数量 对外公开总数量", {}, None) == "2019"
    assert detect_template("", {"applications": {}}, 2020) == "2019"
    assert detect_template("", {"applications": {}}, 2022) == "2021"
    assert detect_template("二〇一五年政府信息公开工作年度报告", {}, 2015) == "pre2019"
    assert detect_template("政府集中采购", {}, 2017) == "pre2019"
    assert detect_template("年度报告", {}, None) == "unknown"


def test_a_row_that_cannot_be_located_is_left_out():
    # five value cells for a seven-column row and no grid to say which are missing
    block = Block(rows=[[Cell("一、本年新收政府信息公开申请数量"), *(Cell(v) for v in "11111")],
                        [Cell("二、上年结转政府信息公开申请数量"), *(Cell(v) for v in "1000001")]])
    figures = find_figures([block])
    assert "new_received" not in figures["applications"]
    assert figures["applications"]["carried_over"]["total"] == 1


def test_other_other_only_inside_its_group():
    rows = [[Cell("3.其他"), *(Cell("1") for _ in range(7))]]
    assert find_figures([Block(rows=rows)]) == {}
    rows = [[Cell("（六）其他处理"), Cell("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"), *(Cell("0") for _ in range(7))],
            [Cell(""), Cell("3.其他"), *(Cell("2") for _ in range(7))]]
    assert find_figures([Block(rows=rows)])["applications"]["other_other"]["total"] == 2


def test_group_and_item_joined_in_one_label_cell():
    rows = [[Cell("三、本年度办理结果（一）予以公开"), *(Cell(v) for v in "3000003")],
            [Cell("（三）不予公开 1.属于国家秘密"), *(Cell(v) for v in "1000001")],
            [Cell("（六）其他处理3.其他"), *(Cell(v) for v in "2000002")],
            [Cell("（七）总计"), *(Cell(v) for v in "6000006")]]
    apps = find_figures([Block(rows=rows)])["applications"]
    assert apps["granted"]["total"] == 3 and apps["denied_state_secret"]["total"] == 1
    assert apps["other_other"]["total"] == 2 and apps["total_processed"]["total"] == 6


def test_flattened_2019_header_running_into_the_first_row_keeps_its_columns():
    stream = ["第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规章", "1", "1", "9",
              "行政规范性文件", "3", "3", "20"]
    active = find_figures([Block(rows=[[Cell(t) for t in stream]], rows_known=False)])["active"]
    assert active["regulations"] == {"made": 1, "published_new": 1, "published_total": 9}
    assert active["normative_documents"] == {"made": 3, "published_new": 3, "published_total": 20}
    stream[2:5] = ["本年制发件数", "本年废止件数", "现行有效件数"]
    active = find_figures([Block(rows=[[Cell(t) for t in stream]], rows_known=False)])["active"]
    assert active["regulations"] == {"made": 1, "repealed": 1, "in_force": 9}
    assert active["normative_documents"] == {"made": 3, "repealed": 3, "in_force": 20}


def test_punctuation_inside_a_label():
    rows = [[Cell("2.其他法律、行政法规禁止公开"), *(Cell(v) for v in "1000001")]]
    assert find_figures([Block(rows=rows)])["applications"]["denied_prohibited_by_law"]["total"] == 1


def test_wrapped_label_with_its_figures_on_a_later_line():
    lines = [["（六）其他处理", "1.申请人无正当理由逾期不补正、"],
             ["行政机关不再处理其政府信息公"],
             ["开申请", "2 0 0 0 0 0 2"],
             ["2.申请人逾期未按收费通知要求缴", "0 0 0 0 0 0 0"],
             ["纳费用、行政机关不再处理其政府信息公开申请"],
             ["3.其他", "1 0 0 0 0 0 1"]]
    apps = find_figures([Block(rows=[[Cell(t) for t in line] for line in lines])])["applications"]
    assert apps["other_no_correction"]["total"] == 2
    assert apps["other_unpaid_fee"]["total"] == 0 and apps["other_other"]["total"] == 1


def test_text_lines_fill_a_table_the_grids_lack_and_never_override_them():
    grid = Block(rows=[[Cell("信息内容", 0), Cell("本年处理决定数量", 1)], [Cell("行政处罚", 0), Cell("5", 1)]])
    lines = Block(rows=[[Cell("信息内容"), Cell("本年处理决定数量")], [Cell("行政处罚"), Cell("9")],
                        [Cell("行政许可"), Cell("1,234")]])
    active = find_figures([grid, lines])["active"]
    assert active == {"punishment": {"decisions": 5}, "licensing": {"decisions": 1234}}


def test_damaged_labels_match_the_template_row_they_are_most_like():
    """PDF text layers and OCR drop or misread characters of a label; a label no regex takes is
    matched by similarity to the template's wording, using its numbering and group."""
    rows = [[Cell("一、本年新收政府信息公开中请数量"), *(Cell(v) for v in "3000003")],
            [Cell("（三）不予公开"), Cell("1.属于国家秘密"), *(Cell(v) for v in "1000001")],
            [Cell("2.其他法律行政止公开"), *(Cell(v) for v in "2000002")],
            [Cell("3.危及三安全一稳定"), *(Cell(v) for v in "0000000")],
            [Cell("5.属于三类内部事物"), *(Cell(v) for v in "1000001")],
            [Cell("（四）无法提供"), Cell("1.本机关不拿握相关政府信息"), *(Cell(v) for v in "5000005")],
            [Cell("2.没有现成信息需要另行制做"), *(Cell(v) for v in "6000006")]]
    apps = find_figures([Block(rows=rows)])["applications"]
    assert {k: v["total"] for k, v in apps.items()} == {
        "new_received": 3, "denied_state_secret": 1, "denied_prohibited_by_law": 2,
        "denied_security_stability": 0, "denied_internal_affairs": 1, "unable_not_held": 5,
        "unable_needs_creation": 6}


def test_tolerant_matching_never_takes_prose_or_a_toss_up():
    rows = [[Cell("全年共办理政务公开事项"), *(Cell(v) for v in "7000007")],
            [Cell("共收到政府信息公开申请，办结"), *(Cell(v) for v in "7000007")],
            # as like 7.属于行政执法案卷 as 8.属于行政查询事项, or 5. as 6.: neither
            [Cell("属于行政案卷事项"), *(Cell(v) for v in "7000007")],
            [Cell("属于四类事务信息"), *(Cell(v) for v in "7000007")],
            # a row already read is not read again from a damaged duplicate
            [Cell("2.重复申请"), *(Cell(v) for v in "1000001")],
            [Cell("2.重复中请"), *(Cell(v) for v in "9000009")]]
    apps = find_figures([Block(rows=rows)])["applications"]
    assert apps == {"unprocessed_duplicate": dict(zip(COLS, (1, 0, 0, 0, 0, 0, 1)))}


def test_run_cells_from_a_reader_are_split_by_the_table():
    """A reader that sees merged cells (PDF text, OCR) hands them in as Run cells."""
    from extract.figures import Run
    rows = [[Cell("申请人情况"), Cell("自然人"), Cell("商业企业"), Cell("科研机构"), Cell("社会公益组织"),
             Cell("法律服务机构"), Cell("其他"), Cell("总计")],
            [Cell("一、本年新收政府信息公开申请数量"), Run("110000011")],
            [Cell("二、上年结转政府信息公开申请数量"), Run("0000000")],
            [Cell("（七）总计"), *(Cell(v) for v in "11 0 0 0 0 0 11".split())],
            [Cell("四、结转下年度继续办理"), Run("0000000")]]
    apps = find_figures([Block(rows=rows)])["applications"]
    # '110000011' is 1|10|… or 11|0|…; the balance with （七）总计 and 结转 says 11|0
    assert apps["new_received"] == dict(zip(COLS, (11, 0, 0, 0, 0, 0, 11)))
    assert apps["carried_forward"] == dict.fromkeys(COLS, 0)


@pytest.mark.parametrize("label", ["2.其他法律行政法规禁止公开", "2.其他法律、行政法规禁止公开", "2.其他法律、法规禁止公开",
                                   "2.其他法律法规禁止公开", "2.  其他法律行政法规禁止公开"])
def test_prohibited_by_law_wordings(label):
    spec = next(s for s in ROWS if s.pattern.search(norm_label(label)))
    assert spec.key == "denied_prohibited_by_law"
