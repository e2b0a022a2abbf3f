"""Headline figures stated in sentences (extract/narrative.py) and the text.* checks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.narrative import chinese_number, read_statements, resolve, text_checks

REAL = Path(__file__).parent / "fixtures" / "narrative"


def stated(text: str, year: int | None = None) -> dict[str, int | float]:
    return {k: s.value for k, s in resolve(read_statements(text, year)).items()}


def all_statements(text: str, year: int | None = None) -> list[tuple[str, int | float]]:
    return [(s.key, s.value) for s in read_statements(text, year)]


# --- on real text ------------------------------------------------------------------------------

def test_pingtan_2025_sentences_give_the_five_headline_figures():
    text = (REAL / "pingtan_2025.txt").read_text(encoding="utf-8")
    statements = resolve(read_statements(text, 2025))
    assert {k: s.value for k, s in statements.items()} == {
        "applications.new_received.total": 154,
        "applications.total_processed.total": 148,
        "applications.carried_forward.total": 6,  # 结转至2026年6件: the year is not the figure
        "review_litigation.review.total": 36,
        "review_litigation.litigation.total": 9,
    }
    assert "共收到政府信息公开申请154件" in statements["applications.new_received.total"].sentence
    assert "行政诉讼9起" in statements["review_litigation.litigation.total"].sentence


def test_pingtan_2025_text_checks_hold_against_the_labelled_tables():
    text = (REAL / "pingtan_2025.txt").read_text(encoding="utf-8")
    figures = json.loads((REAL / "pingtan_2025.figures.json").read_text(encoding="utf-8"))["figures"]
    checks = {c.rule: c for c in text_checks(resolve(read_statements(text, 2025)), figures)}
    assert set(checks) == {
        "text.applications.new_received.total", "text.applications.total_processed.total",
        "text.applications.carried_forward.total", "text.review_litigation.review.total",
        "text.review_litigation.litigation.total",
    }
    assert all(c.ok for c in checks.values()), [c.detail for c in checks.values() if not c.ok]
    # 行政诉讼 is the sum of both litigation groups of table 4.
    assert checks["text.review_litigation.litigation.total"].detail.startswith("text 9 = table 6+3 = 9")


def test_a_mismatch_is_a_failed_check_naming_both_numbers_and_the_sentence():
    text = (REAL / "pingtan_2025.txt").read_text(encoding="utf-8")
    figures = json.loads((REAL / "pingtan_2025.figures.json").read_text(encoding="utf-8"))["figures"]
    figures["applications"]["new_received"]["total"] = 150
    check = next(c for c in text_checks(resolve(read_statements(text, 2025)), figures)
                 if c.rule == "text.applications.new_received.total")
    assert not check.ok
    assert "154" in check.detail and "150" in check.detail and "≠" in check.detail
    assert "收到政府信息公开申请154件" in check.detail
    # The figure itself is data: never changed by the check.
    assert figures["applications"]["new_received"]["total"] == 150


def test_pingtan_2017_states_nothing_received_and_no_disputes():
    text = (REAL / "pingtan_2017.txt").read_text(encoding="utf-8")
    got = stated(text, 2017)
    assert got["applications.new_received.total"] == 0
    assert got["review_litigation.review.total"] == 0
    assert got["review_litigation.litigation.total"] == 0
    # 2122 is the 全区 total; 1509 (其中…) and 613 (各乡镇) are parts of it.
    assert got["active.proactive.total"] == 2122


# --- sentence patterns ------------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("本年度共收到政府信息公开申请154件，办结148件，结转下年度6件。",
     {"applications.new_received.total": 154, "applications.total_processed.total": 148,
      "applications.carried_forward.total": 6}),
    ("全年共受理依申请公开154件，上年结转2件，已全部办结。",
     {"applications.new_received.total": 154, "applications.carried_over.total": 2}),
    ("本年度收到154件政府信息公开申请。", {"applications.new_received.total": 154}),
    ("本年共收到政府信息公开申请１５４件。", {"applications.new_received.total": 154}),
    ("全年共收到政府信息公开申请十二件，办结两件。",
     {"applications.new_received.total": 12, "applications.total_processed.total": 2}),
    ("共收到政府信息公开申请20件，其中予以公开8件、部分公开3件，不予公开2件。",
     {"applications.new_received.total": 20, "applications.granted.total": 8,
      "applications.partially_granted.total": 3, "applications.denied.total": 2}),
    ("因政府信息公开引发行政复议2起，行政诉讼1起，其中复议后起诉1起。",
     {"review_litigation.review.total": 2, "review_litigation.litigation.total": 1,
      "review_litigation.litigation_after_review.total": 1}),
    ("全市共受理政府信息公开申请3259件，答复3278件（含上年度结转申请77件，另有58件顺延到下年度答复）。",
     {"applications.new_received.total": 3259, "applications.total_processed.total": 3278,
      "applications.carried_over.total": 77, "applications.carried_forward.total": 58}),
    ("2012年全县共收到有关政府信息公开的申请21条，对依申请公开的答复总数21条，其中同意公开答复数17条。",
     {"applications.new_received.total": 21, "applications.total_processed.total": 21,
      "applications.granted.total": 17}),
    ("2013年，共收到公民提出的公开政府信息申请2条。", {"applications.new_received.total": 2}),
    ("信息公开类行政复议7件，诉讼9件，均获维持。",
     {"review_litigation.review.total": 7, "review_litigation.litigation.total": 9}),
])
def test_sentence_patterns(text, want):
    assert stated(text) == want


@pytest.mark.parametrize("text, want", [
    ("2017年未收到有关政府信息公开申请。", {"applications.new_received.total": 0}),
    ("本年度无政府信息公开申请。", {"applications.new_received.total": 0}),
    ("2014年，我局未收到公民提出的公开政府信息申请。", {"applications.new_received.total": 0}),
    ("2009年度，我局没有收到信息公开申请。", {"applications.new_received.total": 0}),
    ("2014年度没有发生因政府信息公开申请的行政复议、行政诉讼和行政申诉。",
     {"review_litigation.review.total": 0, "review_litigation.litigation.total": 0}),
    ("2011年全县未收到有关政府信息公开的申请，未收到有关政府信息公开行政复议申请。",
     {"applications.new_received.total": 0, "review_litigation.review.total": 0}),
    ("本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。",
     {"review_litigation.review.total": 0, "review_litigation.litigation.total": 0}),
    ("因政府信息公开被申请行政复议和行政诉讼均为0。",
     {"review_litigation.review.total": 0, "review_litigation.litigation.total": 0}),
    # the applicants named between 没有 and the verb (莆田市科技局 2018)
    ("2018年度没有公民、法人或其他组织来办理依申请公开申请。", {"applications.new_received.total": 0}),
    ("本年度没有公民、法人或其他组织向我局提出政府信息公开申请。", {"applications.new_received.total": 0}),
])
def test_nothing_received_means_zero(text, want):
    assert stated(text) == want


@pytest.mark.parametrize("text", [
    # 信访, 咨询, 审批: counts of other things, never application counts.
    "全年共收到群众信访件120件，均已办结。",
    "截至目前共收到15564件咨询投诉件，已办结15042件。",
    "今年我局共受理审批事项117件，办结171件，办结率100%。",
    "建立窗口服务大厅，开设窗口24个，共受理申请136437件。",
    # comparisons, cumulative and approximate figures
    "政府信息公开申请数量同比增长20件。",
    "自2008年《条例》实施以来，累计受理政府信息公开申请500件。",
    "通过门户网站累计主动公开政府信息7700余条。",
    # a refusal to accept is not a receipt; 一次性告知 is not one answer
    "对不符合要求的政府信息公开申请不予受理3件。",
    "对政府信息公开申请人作出答复一次性告知补正内容。",
    # a count of offices, not of requests
    "收到政府信息公开申请的单位有5个。",
    # 未经复议直接起诉 is not a zero statement
    "政府信息公开工作中，未经复议直接起诉的案件由法院审理。",
    # no one filing a dispute about a request, or a request of another kind, is not 0 received
    "没有公民、法人或其他组织提出政府信息公开申请行政复议。",
    "没有申请人对政府信息公开申请答复提出行政复议。",
    "没有公民、法人或其他组织提出信访申请。",
    "2016年没有公民、法人或其他组织提出政府信息公开申请。",
])
def test_not_statements(text):
    assert stated(text, 2017) == {}


def test_proactive_disclosure_is_never_an_application_count():
    got = stated("2017年全区主动公开政府信息2122条，其中主动公开规范性文件12件，办结率100%。", 2017)
    assert got == {"active.proactive.total": 2122}


def test_a_comparison_clause_does_not_replace_the_total():
    assert stated("本年度共收到政府信息公开申请154件，同比增长20件。") == {"applications.new_received.total": 154}


def test_joined_outcomes_and_received_with_carried_over_are_not_single_figures():
    got = stated("共收到政府信息公开申请160件（含上年结转6件）。予以公开及部分公开58件，不予公开5件。")
    assert "applications.new_received.total" not in got
    assert "applications.granted.total" not in got and "applications.partially_granted.total" not in got
    assert got["applications.denied.total"] == 5
    text = ("2025年全市新受理依申请公开400件，上年结转11件，结转下年9件，累计答复依申请公开402件，"
            "其中予以公开172件，部分公开66件，不予公开等其他类型164件。")
    assert stated(text, 2025) == {
        "applications.new_received.total": 400, "applications.carried_over.total": 11,
        "applications.carried_forward.total": 9, "applications.total_processed.total": 402,
        "applications.granted.total": 172, "applications.partially_granted.total": 66}


def test_figures_of_another_year_are_not_this_reports():
    text = "2016年收到政府信息公开申请100件。2017年共收到政府信息公开申请120件。"
    assert stated(text, 2017) == {"applications.new_received.total": 120}


def test_a_breakdown_after_the_total_is_not_the_total():
    text = "全年共收到政府信息公开申请20件，其中网上收到申请12件。"
    assert all_statements(text) == [("applications.new_received.total", 20)]


def test_different_values_for_one_figure_are_dropped_unless_one_is_the_total():
    # two unmarked figures: which is the agency's total cannot be told
    assert stated("市公安局收到政府信息公开申请50件。市财政局收到政府信息公开申请30件。") == {}
    # a 共/全市 figure outranks the others
    text = "全市共收到政府信息公开申请80件。市公安局收到政府信息公开申请50件。"
    assert stated(text) == {"applications.new_received.total": 80}
    # ... but a check needs every statement to agree: the table may be either level's
    assert resolve(read_statements(text), strict=True) == {}


@pytest.mark.parametrize("numeral, value", [
    ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105),
    ("三百", 300), ("一千二百", 1200), ("零", 0),
])
def test_chinese_numerals(numeral, value):
    assert chinese_number(numeral) == value


@pytest.mark.parametrize("numeral", ["一二", "", "十件"])
def test_not_chinese_numerals(numeral):
    assert chinese_number(numeral) is None


def test_unchecked_and_circular_figures_are_not_compared():
    statements = resolve(read_statements("本年度主动公开政府信息300条，共收到政府信息公开申请5件。"))
    figures = {"active": {"proactive": {"total": 300}}, "applications": {"new_received": {"total": 5}}}
    assert text_checks(statements, figures, skip=frozenset({"applications.new_received.total"})) == []
    # absent cells are not failures
    assert text_checks(statements, {}) == []


# --- 表二 figures stated in sentences (平潭 2022–2024, tests/fixtures/real/pingtan_202*.txt)

@pytest.mark.parametrize("text, expected", [
    ("设立规范性文件库，集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。",
     {"active.normative_documents.in_force": 698, "active.normative_documents.made": 88}),
    ("动态更新发布本年度制发行政规范性文件62件，并同步做好全真版上传等工作。", {"active.normative_documents.made": 62}),
    ("本年制发规章1件，行政规范性文件制发3件。", {"active.regulations.made": 1, "active.normative_documents.made": 3}),
    ("经清理，宣布废止规范性文件5件。", {"active.normative_documents.repealed": 5}),
    ("全年作出行政许可决定1200件，行政处罚决定35件。行政事业性收费共计2.5万元。",
     {"active.licensing.decisions": 1200, "active.punishment.decisions": 35, "active.fees.amount": 2.5}),
    ("行政事业性收费984361元。", {"active.fees.amount": 98.4361}),
])
def test_table_two_statements(text, expected):
    assert stated(text, 2022) == expected


@pytest.mark.parametrize("text", [
    "拟废止规范性文件5件。",  # planned
    "全年发布各类政策规范性文件150份。",  # no 表二 verb, another unit
    "在环境保护栏目共计发布行政处罚23件。",  # published records, not decisions
    "累计制发规范性文件100件。",  # a cumulative total
    "2021年制发规范性文件10件。",  # another year
    "制发规范性文件同比增长10件。",  # a comparison
])
def test_table_two_words_that_are_not_its_figures(text):
    assert stated(text, 2022) == {}


def test_a_table_two_statement_is_checked_against_its_cell():
    statements = resolve(read_statements("集中公开现行有效规范性文件2763件。", 2024), strict=True)
    figures = {"active": {"normative_documents": {"made": 427, "repealed": 192, "in_force": 3097}}}
    (check,) = text_checks(statements, figures)
    assert check.rule == "text.active.normative_documents.in_force" and not check.ok  # 三明 2024


def test_table_two_statement_after_a_clean_up_or_with_jiang():
    assert stated("清理并集中发布现行有效行政规范性文件393件。", 2023) == {"active.normative_documents.in_force": 393}
    assert stated("将现行有效规范性文件698件集中公开。", 2022) == {"active.normative_documents.in_force": 698}
    assert stated("计划制定规范性文件3件。", 2022) == {}
