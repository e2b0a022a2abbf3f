"""The national templates as data: tables, rows, columns and the label variants agencies use.

The 2021 template (国办公开办函〔2021〕30号) gives the keys. The 2019 template (国办公开办函〔2019〕60号,
reports for 2019 and 2020) uses the 2021 key wherever a cell means the same, and its own keys for
the rest (`TEMPLATE_2019_ONLY`): table 2 columns 本年新公开数量 / 对外公开总数量 / 上一年项目数量 /
本年增/减, the rows 其他对外管理服务事项 and 政府集中采购, and table 3's single （六）其他处理 row.

Patterns are regular expressions searched in a *normalised* label: NFKC, whitespace removed,
leading numbering ("（一）", "1.", "一、", "1、") stripped, quotes dropped (see `figures.norm_label`).
Order matters only within a table: the first matching row wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

APPLICANT_COLUMNS = (
    ("natural_person", "自然人", r"自然人"),
    ("commercial_enterprise", "商业企业", r"商业企业"),
    ("research_institution", "科研机构", r"科研机构"),
    ("social_welfare_org", "社会公益组织", r"社会公益组织|公益组织"),
    ("legal_service_org", "法律服务机构", r"法律服务机构"),
    ("other_org", "其他", r"^其他$|^其他组织$"),
    ("total", "总计", r"^总计$|^合计$"),
)
REVIEW_COLUMNS = (
    ("upheld", "结果维持", r"维持"),
    ("corrected", "结果纠正", r"纠正"),
    ("other", "其他结果", r"其他结果|^其他$"),
    ("pending", "尚未审结", r"尚未审结|未审结"),
    ("total", "总计", r"^总计$|^合计$"),
)
REVIEW_GROUPS = (
    ("review", "行政复议", r"行政复议$|^复议$"),
    ("litigation_direct", "未经复议直接起诉", r"未经复议|直接起诉"),
    ("litigation_after_review", "复议后起诉", r"复议后起诉"),
)


@dataclass(frozen=True)
class RowSpec:
    table: str
    key: str
    label: str  # the template's own wording, for exports and Datasette
    pattern: re.Pattern
    # Every column key the row has in any template (table 2 differs between 2019 and 2021; the
    # columns a report prints come from its header, see ACTIVE_PRINTED).
    columns: tuple[str, ...]
    # Regex the row's group context (labels to its left, or the last group heading seen) must
    # match; for labels such as "3.其他" that only mean something inside their group.
    group: re.Pattern | None = None
    # Only while reading this row's own table (for labels as common as "总计").
    section_only: bool = False
    # Templates that print the row.
    templates: frozenset[str] = frozenset({"2019", "2021"})
    # Other wordings agencies print, for tolerant matching of damaged labels (see figures.py).
    variants: tuple[str, ...] = ()


_BOTH = frozenset({"2019", "2021"})


def _row(table, key, label, pattern, columns, group=None, section_only=False, templates=_BOTH, variants=()):
    return RowSpec(table, key, label, re.compile(pattern), columns,
                   re.compile(group) if group else None, section_only, frozenset(templates), tuple(variants))


_APP = tuple(c[0] for c in APPLICANT_COLUMNS)
_REV = tuple(c[0] for c in REVIEW_COLUMNS)

_DOCS = ("made", "repealed", "in_force", "published_new", "published_total")
_ITEMS = ("items_previous", "items_change", "decisions")

ROWS: tuple[RowSpec, ...] = (
    # 二、主动公开政府信息情况
    _row("active", "regulations", "规章", r"^规章$|^规章[(（]|^规章制[定发]", _DOCS),
    _row("active", "normative_documents", "行政规范性文件", r"规范性文件", _DOCS),
    _row("active", "licensing", "行政许可", r"^行政许可", _ITEMS),
    _row("active", "other_services", "其他对外管理服务事项", r"对外管理服务", _ITEMS, templates={"2019"}),
    _row("active", "punishment", "行政处罚", r"^行政处罚", _ITEMS),
    _row("active", "coercion", "行政强制", r"^行政强制", _ITEMS),
    _row("active", "fees", "行政事业性收费", r"事业性收费", ("amount", "items_previous", "items_change")),
    _row("active", "procurement", "政府集中采购", r"集中采购", ("items", "amount"), templates={"2019"}),
    # 三、收到和处理政府信息公开申请情况
    _row("applications", "new_received", "一、本年新收政府信息公开申请数量", r"本年新收|新收.*申请", _APP),
    _row("applications", "carried_over", "二、上年结转政府信息公开申请数量", r"上年结转", _APP),
    _row("applications", "granted", "（一）予以公开", r"^予以公开", _APP),
    _row("applications", "partially_granted", "（二）部分公开", r"^部分公开", _APP),
    _row("applications", "denied_state_secret", "1.属于国家秘密", r"国家秘密", _APP),
    _row("applications", "denied_prohibited_by_law", "2.其他法律行政法规禁止公开", r"法律、?行政法规禁止|法律法规禁止", _APP),
    _row("applications", "denied_security_stability", "3.危及“三安全一稳定”", r"三安全一稳定|国家安全|公共安全", _APP),
    _row("applications", "denied_third_party_rights", "4.保护第三方合法权益", r"第三方合法权益|第三方", _APP),
    _row("applications", "denied_internal_affairs", "5.属于三类内部事务信息", r"内部事务", _APP),
    _row("applications", "denied_process_info", "6.属于四类过程性信息", r"过程性信息", _APP),
    _row("applications", "denied_enforcement_files", "7.属于行政执法案卷", r"行政执法案卷|执法案卷", _APP),
    _row("applications", "denied_admin_inquiry", "8.属于行政查询事项", r"行政查询事项|查询事项", _APP),
    _row("applications", "unable_not_held", "1.本机关不掌握相关政府信息", r"不掌握", _APP),
    _row("applications", "unable_needs_creation", "2.没有现成信息需要另行制作", r"另行制作|没有现成信息", _APP),
    _row("applications", "unable_unclear", "3.补正后申请内容仍不明确", r"仍不明确", _APP),
    _row("applications", "unprocessed_petition", "1.信访举报投诉类申请", r"信访|举报投诉", _APP),
    _row("applications", "unprocessed_duplicate", "2.重复申请", r"重复申请", _APP),
    _row("applications", "unprocessed_publication", "3.要求提供公开出版物", r"公开出版物", _APP),
    _row("applications", "unprocessed_excessive", "4.无正当理由大量反复申请", r"大量反复", _APP),
    _row("applications", "unprocessed_reconfirm", "5.要求行政机关确认或重新出具已获取信息", r"确认或重新出具|重新出具", _APP),
    _row("applications", "other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", r"逾期不补正", _APP),
    _row("applications", "other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", r"缴纳费用|收费通知", _APP),
    _row("applications", "other_other", "3.其他", r"^其他$", _APP, group=r"其他处理"),
    # The 2019 template's undivided （六）其他处理 row (in 2021 a heading over 1.–3.).
    _row("applications", "other_processing", "（六）其他处理", r"^其他处理$", _APP, templates={"2019"}),
    _row("applications", "total_processed", "（七）总计", r"^总计$|^合计$", _APP, section_only=True),
    _row("applications", "carried_forward", "四、结转下年度继续办理", r"结转下年", _APP),
    # 四、政府信息公开行政复议、行政诉讼情况 (also laid out one row per group in some reports)
    *(_row("review_litigation", key, label, pattern, _REV) for key, label, pattern in REVIEW_GROUPS),
)

# Group labels of table 3 whose items follow on their own rows (the group cell merged or left
# blank), so an item such as "3.其他" is read inside the last one seen.
GROUP_HEADINGS = frozenset({"本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理"})

ROWS_BY_KEY = {(r.table, r.key): r for r in ROWS}

# The group heading of table 3 each numbered item sits under (the key prefix says which).
ROW_GROUPS = (("denied_", "不予公开"), ("unable_", "无法提供"), ("unprocessed_", "不予处理"), ("other_", "其他处理"))

# Column wording of table 2 (主动公开), 2021 and 2019: (key, label, pattern). The same meaning gets
# the same key (2019's 本年新制作数量 is 2021's 本年制发件数 → made); searched in order, so a
# flattened header naming several columns is read left to right.
ACTIVE_COLUMNS = (
    ("made", "本年制发件数", r"制发|新制作|制作数量"),
    ("repealed", "本年废止件数", r"废止"),
    ("in_force", "现行有效件数", r"现行有效"),
    ("published_new", "本年新公开数量", r"新公开数量|本年新公开"),
    ("published_total", "对外公开总数量", r"公开总数量|对外公开总"),
    ("items_previous", "上一年项目数量", r"上一?年项目数|上年项目数"),
    ("items_change", "本年增/减", r"增\s*[/／、]?\s*减"),
    ("decisions", "本年处理决定数量", r"处理决定"),
    ("items", "采购项目数量", r"采购项目数"),
    ("amount", "本年收费金额（万元）", r"收费金额|金额"),
)
ACTIVE_COLUMN_LABELS = {key: label for key, label, _ in ACTIVE_COLUMNS}
# Where a row words a column its own way: (row, col) → label.
CELL_LABELS = {("procurement", "amount"): "采购总金额"}

# Table 2 columns in the order each template prints them, for a report whose header is not there
# to say (a row read without its header takes these only when its count of figures fits).
ACTIVE_PRINTED = {
    "2021": {"regulations": ("made", "repealed", "in_force"),
             "normative_documents": ("made", "repealed", "in_force"),
             "licensing": ("decisions",), "punishment": ("decisions",), "coercion": ("decisions",),
             "fees": ("amount",)},
    "2019": {"regulations": ("made", "published_new", "published_total"),
             "normative_documents": ("made", "published_new", "published_total"),
             "licensing": _ITEMS, "other_services": _ITEMS, "punishment": _ITEMS, "coercion": _ITEMS,
             "fees": ("items_previous", "items_change"), "procurement": ("items", "amount")},
}

# Columns whose cells may carry decimals (万元 / 元) or a sign (本年增/减); every other cell is a
# non-negative count.
DECIMAL_COLUMNS = frozenset({"amount"})
SIGNED_COLUMNS = frozenset({"items_change"})

# The 2019-only keys (table.row.col), for the README and the exports.
TEMPLATE_2019_ONLY = (
    *(f"active.{row}.{col}" for row in ("regulations", "normative_documents") for col in ("published_new", "published_total")),
    *(f"active.{row}.{col}" for row in ("licensing", "punishment", "coercion") for col in ("items_previous", "items_change")),
    *(f"active.other_services.{col}" for col in _ITEMS),
    "active.fees.items_previous", "active.fees.items_change",
    "active.procurement.items", "active.procurement.amount",
    *(f"applications.other_processing.{col}" for col in _APP),
)

# Outcome rows of table 3 that （七）总计 sums, per template.
_NOT_OUTCOMES = ("new_received", "carried_over", "total_processed", "carried_forward")
_OUTCOMES = tuple(r.key for r in ROWS if r.table == "applications" and r.key not in _NOT_OUTCOMES)
OUTCOME_ROWS = {
    "2021": tuple(k for k in _OUTCOMES if k != "other_processing"),
    # The 2019 template has no 1.–3. under （六）其他处理.
    "2019": tuple(k for k in _OUTCOMES if not k.startswith("other_") or k == "other_processing"),
}



def printed_rows(tmpl: str) -> list[tuple[RowSpec, tuple[str, ...]]]:
    """The rows a template prints, in order, each with the columns it prints for it (older and
    unknown templates: the 2021 template's)."""
    tmpl = tmpl if tmpl in ACTIVE_PRINTED else "2021"
    outcomes = OUTCOME_ROWS[tmpl]
    any_outcome = set(OUTCOME_ROWS["2019"]) | set(OUTCOME_ROWS["2021"])
    return [(spec, ACTIVE_PRINTED[tmpl].get(spec.key, spec.columns) if spec.table == "active" else spec.columns)
            for spec in ROWS
            if tmpl in spec.templates and (spec.key in outcomes or spec.key not in any_outcome)]


# Text markers that tell the templates apart.
TEMPLATE_2021_MARKERS = re.compile(r"本年制发件数|现行有效件数|逾期不补正|本年收费金额|废止件数")
TEMPLATE_2019_MARKERS = re.compile(r"本年新制作数量|对外公开总数量|上一年项目数量|本年增/?减|政府集中采购")

TABLE_LABELS = {
    "active": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
}
