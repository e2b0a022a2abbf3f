"""extract.layout on hand-built word lists (no PDF): the API the PDF and the OCR readers share.

Words are placed as a text layer or an OCR engine would give them: page coordinates, `top`
growing downwards, one word per run of characters (or one box per line, for OCR)."""
from __future__ import annotations

import math

from extract.document import Block
from extract.figures import find_figures
from extract.figures import Run
from extract.layout import read_tables
from extract.words import Rule, Word

H = 9.0  # text height
APPLICANT = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
             "legal_service_org", "other_org", "total")
VALUE_X = [300 + 40 * j for j in range(7)]  # column centres of the seven applicant columns


def at(x: float, top: float, text: str, page: int = 0, h: float = H, centre: bool = False) -> Word:
    width = sum(h if ord(c) > 0x2E80 else 0.5 * h for c in text)
    x0 = x - width / 2 if centre else x
    return Word(text, x0, x0 + width, top, top + h, page)


def figures_line(top: float, values, page: int = 0) -> list[Word]:
    return [at(x, top, str(v), page, centre=True) for x, v in zip(VALUE_X, values) if v != ""]


def header(top: float = 100.0, page: int = 0, spaced: bool = False) -> list[Word]:
    words = [at(400, top, "申请人情况", page, centre=True), at(60, top + 14, "（本列数据的勾稽关系为：第一项加第二", page),
             at(60, top + 28, "项之和，等于第三项加第四项之和）", page),
             at(VALUE_X[0], top + 30, "自然人", page, centre=True), at(VALUE_X[6], top + 30, "总计", page, centre=True)]
    names = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    for j, name in enumerate(names, start=1):
        if spaced:  # letter-spaced, each character a word, the name wrapped after three characters
            for k, ch in enumerate(name):
                words.append(at(VALUE_X[j] - 13 + 11 * (k % 3), top + 30 + 12 * (k // 3), ch, page))
        elif len(name) > 4:
            words += [at(VALUE_X[j], top + 30, name[:3], page, centre=True),
                      at(VALUE_X[j], top + 42, name[3:], page, centre=True)]
        else:
            words.append(at(VALUE_X[j], top + 30, name, page, centre=True))
    return words


def block_of(words, rules=(), heights=None) -> Block:
    blocks = read_tables(words, rules, heights)
    assert len(blocks) == 1, [[c.text for c in r] for b in blocks for r in b.rows]
    return blocks[0]


def row_with(block: Block, label: str):
    return next(r for r in block.rows if any(c.text == label for c in r))


def values(row) -> list[str]:
    return [c.text for c in row if c.col is not None and c.col >= row[-7].col]


def figures(block: Block) -> dict:
    return find_figures([block])["applications"]


# --------------------------------------------------------------------------------------------

def simple_table(top: float = 180.0):
    words = header()
    rows = [("一、本年新收政府信息公开申请数量", 60, [5, 1, 0, 0, 0, 0, 6]),
            ("二、上年结转政府信息公开申请数量", 60, [1, 0, 0, 0, 0, 0, 1]),
            ("（一）予以公开", 90, [4, 1, 0, 0, 0, 0, 5])]
    for i, (label, x, vals) in enumerate(rows):
        words.append(at(x, top + 20 * i, label))
        words += figures_line(top + 20 * i, vals)
    return words


def test_rows_and_columns_by_geometry():
    block = block_of(simple_table())
    names = next(r for r in block.rows if any(c.text == "自然人" for c in r))
    assert [c.text for c in names if c.col and c.col >= 1][-7:] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                                                                    "法律服务机构", "其他", "总计"]
    row = row_with(block, "一、本年新收政府信息公开申请数量")
    assert values(row) == ["5", "1", "0", "0", "0", "0", "6"]
    # Value cells carry the grid column of the header word over them.
    assert [c.col for c in row[-7:]] == [c.col for c in names[-7:]]
    got = figures(block)
    assert got["new_received"] == dict(zip(APPLICANT, [5, 1, 0, 0, 0, 0, 6]))
    assert got["granted"]["total"] == 5


def test_letter_spaced_and_wrapped_header_names_are_joined():
    words = header(spaced=True) + [at(60, 180, "一、本年新收政府信息公开申请数量")] + figures_line(180, [1, 2, 3, 4, 5, 6, 21])
    block = block_of(words)
    names = next(r for r in block.rows if any(c.text == "自然人" for c in r))
    assert [c.text for c in names[-7:]] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert figures(block)["new_received"]["legal_service_org"] == 5


def test_label_wrapped_over_three_lines_with_figures_on_its_middle_line():
    words = header() + [at(60, 180, "（五）不予处理"), at(140, 180, "5.要求行政机关确认或重"),
                        at(140, 192, "新出具已获取信息"),
                        at(60, 214, "（六）其他处理"), at(140, 214, "1.申请人无正当理由逾期"),
                        at(140, 226, "不补正、行政机关不再处理"), at(140, 238, "其政府信息公开申请")]
    words += figures_line(186, [1, 0, 0, 0, 0, 0, 1]) + figures_line(226, [2, 0, 1, 0, 0, 0, 3])
    block = block_of(words)
    texts = [c.text for r in block.rows for c in r]
    assert "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in texts
    assert "不补正、行政机关不再处理" not in texts
    got = figures(block)
    assert got["other_no_correction"]["total"] == 3
    assert got["unprocessed_reconfirm"]["total"] == 1


def test_figures_printed_a_line_above_their_label_belong_to_it():
    words = header()
    for i, (label, vals) in enumerate([("（一）予以公开", [3, 0, 0, 0, 0, 0, 3]), ("（二）部分公开", [1, 1, 0, 0, 0, 0, 2]),
                                       ("（七）总计", [4, 1, 0, 0, 0, 0, 5])]):
        top = 190 + 26 * i
        words.append(at(90, top, label))
        words += figures_line(top - 10, vals)  # a line above the label, nearer to it than to the row before
    got = figures(block_of(words))
    assert got["granted"]["total"] == 3
    assert got["partially_granted"]["commercial_enterprise"] == 1
    assert got["total_processed"]["total"] == 5


def test_vertical_group_label_is_context_not_rows():
    words = header()
    items = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
             "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
    for i, label in enumerate(items):
        words.append(at(130, 180 + 16 * i, label))
        words += figures_line(180 + 16 * i, [i, 0, 0, 0, 0, 0, i])
    # 三、本年度办理结果 one character per line down the left edge, between the item lines.
    for k, ch in enumerate(["三、", "本", "年", "度", "办", "理", "结", "果"]):
        words.append(at(62, 184 + 15 * k, ch))
    # （三）不予公开 wrapped in its narrow column, centred beside its items.
    words += [at(84, 232, "（三）不"), at(84, 244, "予公开")]
    block = block_of(words)
    labels = {c.text for r in block.rows for c in r}
    assert "三、本年度办理结果" in labels and "（三）不予公开" in labels
    assert not any(t in labels for t in ("本", "年", "（三）不", "予公开"))
    row = row_with(block, "2.其他法律行政法规禁止公开")
    assert [c.text for c in row[:3]] == ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"]
    assert [c.col for c in row[:3]] == [0, 1, 2]
    assert figures(block)["denied_admin_inquiry"]["total"] == 7


def test_group_label_reaches_every_item_of_its_group():
    words = header()
    words += [at(130, 180, "5.要求行政机关确认或重新出具已获取信息")] + figures_line(180, [0] * 7)
    words += [at(130, 200, "1.申请人无正当理由逾期不补正")] + figures_line(200, [1, 0, 0, 0, 0, 0, 1])
    words += [at(130, 220, "2.申请人逾期未按收费通知要求缴纳费用")] + figures_line(220, [0] * 7)
    words += [at(130, 240, "3.其他")] + figures_line(240, [2, 0, 0, 0, 0, 0, 2])
    words += [at(84, 220, "（六）其")] + [at(84, 232, "他处理")]  # beside item 2 only
    words += [at(84, 170, "（五）不"), at(84, 182, "予处理")]
    block = block_of(words)
    row = row_with(block, "3.其他")
    assert "（六）其他处理" in [c.text for c in row]
    assert figures(block)["other_other"]["total"] == 2


def test_label_with_characters_dropped_is_given_as_printed_and_read_as_its_row():
    words = header()
    for i, label in enumerate(["1.属于国家秘密", "2.其他法律行政止公开", "3.危及“三安全一稳定”"]):
        words.append(at(130, 180 + 16 * i, label))
        words += figures_line(180 + 16 * i, [i + 1, 0, 0, 0, 0, 0, i + 1])
    got = figures(block_of(words))
    assert got["denied_prohibited_by_law"]["total"] == 2


def test_page_break_page_number_and_repeated_header_inside_the_table():
    words = header()
    words += [at(90, 180, "（一）予以公开")] + figures_line(180, [3, 0, 0, 0, 0, 0, 3])
    words.append(at(297, 800, "- 3 -", centre=True))  # the page number printed under the last row
    words += header(top=60, page=1)  # the header repeated at the top of the next page
    words += [at(90, 140, "（二）部分公开", page=1)] + figures_line(140, [1, 0, 0, 0, 0, 0, 1], page=1)
    block = block_of(words, heights={0: 842, 1: 842})
    texts = [c.text for r in block.rows for c in r]
    assert "- 3 -" not in texts and "3" not in [t for t in texts if t.startswith("-")]
    got = figures(block)
    assert got["granted"]["total"] == 3 and got["partially_granted"]["total"] == 1


def test_bare_page_number_at_the_foot_of_a_page_is_not_a_figure():
    words = header() + [at(90, 180, "（一）予以公开")] + figures_line(180, [3, 0, 0, 0, 0, 0, 3])
    words.append(at(VALUE_X[3], 810, "12", centre=True))  # in a value column, at the very bottom
    words += [at(90, 60, "（二）部分公开", page=1)] + figures_line(60, [1, 0, 0, 0, 0, 0, 1], page=1)
    got = figures(block_of(words, heights={0: 842, 1: 842}))
    assert got["granted"]["total"] == 3 and got["partially_granted"]["total"] == 1


def test_blank_cells_are_zeros_and_a_blank_column_is_still_a_column():
    words = header()
    words += [at(60, 180, "一、本年新收政府信息公开申请数量")] + figures_line(180, [5, "", "", 1, "", "", 6])
    words += [at(60, 200, "二、上年结转政府信息公开申请数量")] + figures_line(200, [1, "", "", "", "", "", 1])
    words += [at(90, 220, "（一）予以公开")]  # every cell blank: a row of zeros in a table that uses blanks
    block = block_of(words)
    got = figures(block)
    assert got["new_received"] == dict(zip(APPLICANT, [5, 0, 0, 1, 0, 0, 6]))
    assert got["granted"] == dict.fromkeys(APPLICANT, 0)


def test_a_label_without_figures_is_no_row_of_zeros_where_zeros_are_printed():
    words = header()
    words += [at(60, 180, "一、本年新收政府信息公开申请数量")] + figures_line(180, [5, 0, 0, 1, 0, 0, 6])
    words += [at(90, 220, "（一）予以公开")]
    assert "granted" not in figures(block_of(words))


def test_figures_run_together_are_handed_to_the_solver_as_runs():
    words = header() + [at(60, 180, "一、本年新收政府信息公开申请数量")] + figures_line(180, [5, 1, 0, 0, 0, 0, 6])
    words += [at(60, 200, "二、上年结转政府信息公开申请数量"), at(VALUE_X[0] - 4, 200, "8000008")]  # kerned together
    words += [at(60, 220, "四、结转下年度继续办理"), at(VALUE_X[0] - 4, 220, "1001102")]
    block = block_of(words)
    row = row_with(block, "二、上年结转政府信息公开申请数量")
    runs = [c for c in row if isinstance(c, Run)]
    assert [c.text for c in runs] == ["8000008"] and all(c.col is None for c in runs)
    got = figures(block)
    # One split gives seven cells whose six parts sum to the last: 8 0 0 0 0 0 8.
    assert got["carried_over"] == dict(zip(APPLICANT, [8, 0, 0, 0, 0, 0, 8]))
    # 1001102 has no such split (no leading zeros, parts summing to the total): left out.
    assert "carried_forward" not in got


def test_ocr_line_boxes_are_split_into_words():
    words = header()
    line = "一、本年新收政府信息公开申请数量"
    first = at(60, 180, line)
    # One box from the label to the last figure, spaces between the pieces, as OCR engines give.
    text = line + " " * 20 + "   ".join(["30", "5", "0", "0", "2", "1", "38"])
    units = sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in text)
    words.append(Word(text, first.x0, first.x0 + units * H, 180, 180 + H, 0, conf=0.93))
    got = figures(block_of(words))
    assert got["new_received"]["total"] == 38 and got["new_received"]["natural_person"] == 30


def _rotate(words, degrees):
    a = math.radians(degrees)
    out = []
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2 - 300, (w.top + w.bottom) / 2 - 400
        nx, ny = cx * math.cos(a) - cy * math.sin(a) + 300, cx * math.sin(a) + cy * math.cos(a) + 400
        half, hh = (w.x1 - w.x0) / 2, (w.bottom - w.top) / 2
        out.append(Word(w.text, nx - half, nx + half, ny - hh, ny + hh, w.page))
    return out


def test_a_slightly_rotated_page_reads_like_a_straight_one():
    words = header()
    for i in range(8):
        words.append(at(130, 180 + 14 * i, ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                                          "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                                          "7.属于行政执法案卷", "8.属于行政查询事项"][i]))
        words += figures_line(180 + 14 * i, [i, 1, 0, 0, 0, 0, i + 1])
    straight = figures(block_of(words))
    assert figures(block_of(_rotate(words, 1.0))) == straight


def test_ruling_lines_keep_figures_in_their_row():
    words = header()
    # Figures far below their label, nearer the next label, but a ruled line closes the row.
    words += [at(90, 180, "（一）予以公开")] + figures_line(193, [3, 0, 0, 0, 0, 0, 3])
    words += [at(90, 210, "（二）部分公开")]
    rules = [Rule(55, 560, y, y) for y in (175, 204, 225)]
    got = figures(block_of(words, rules))
    assert got["granted"]["total"] == 3
    assert "partially_granted" not in got


def test_review_table_as_one_row_of_fifteen_figures():
    xs = [70 + 32 * j for j in range(15)]
    words = [at(xs[2], 100, "行政复议", centre=True), at(xs[10], 100, "行政诉讼", centre=True),
             at(xs[7], 114, "未经复议直接起诉", centre=True), at(xs[12], 114, "复议后起诉", centre=True)]
    for j, x in enumerate(xs):
        name = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")[j % 5]
        words += [at(x, 128, name[:2], centre=True)] + ([at(x, 140, name[2:], centre=True)] if len(name) > 2 else [])
    numbers = [1, 0, 0, 1, 2, 0, 0, 1, 0, 1, 3, 0, 0, 0, 3]
    words += [at(x, 160, str(v), centre=True) for x, v in zip(xs, numbers)]
    blocks = read_tables(words)
    got = find_figures(blocks)["review_litigation"]
    assert got["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert got["litigation_after_review"]["total"] == 3


def test_no_table_no_blocks():
    assert read_tables([at(60, 100, "一、总体情况"), at(60, 120, "2023年，本机关坚持……。")]) == []
    assert read_tables([]) == []

