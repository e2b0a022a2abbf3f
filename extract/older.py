"""Reports for 2008–2018 (`template: "pre2019"`): the headline figures they state plainly.

Before the 2019 template there were no fixed tables. Reports state their figures in sentences
and, often, in the old 政府信息公开情况统计表 (指标名称 / 计量单位 / 本年度 / 历年累计), either as a real
table or flattened by a copy or a crawler into one run of text
("指标名称计量单位2017年度历年累计主动公开文件数条212210037其中：1、政府网站公开数条2122100372、…").
Only the 本年度 column is read, never 历年累计. A flattened row whose digits run together
("212210037" = 2122 | 10037) is split only where one split fits (no leading zeros, 本年度 ≤
历年累计), or where exactly one of the possible splits is a value the report's sentences state
for the same figure; otherwise it is left out.

Keys: the 2021 key where the meaning is the same, plus the extra keys of `EXTRA_KEYS`. Every
figure carries its evidence (the 统计表 row, or the sentence). The vocabulary is data, here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from extract.document import Block, Document
from extract.narrative import Statement, resolve
from extract.numbers import clean, is_blank, parse_value

# ---------------------------------------------------------------------------------------------
# Vocabulary (data)

# Figure keys a pre-2019 report can have. 2021 keys first (same meaning), then the extra keys.
PRE2019_KEYS = (
    "applications.new_received.total",
    "applications.total_processed.total",
    "applications.granted.total",
    "applications.partially_granted.total",
    "review_litigation.review.total",
    "review_litigation.litigation_direct.total",
    "review_litigation.litigation_after_review.total",
    "active.proactive.total",
    "applications.denied.total",
    "review_litigation.litigation.total",
    "applications.fees.amount",
)

# Keys that exist only for pre-2019 reports: key -> (Chinese label, English meaning). The archive
# and exports label their cells from this.
EXTRA_KEYS = {
    "active.proactive.total": ("主动公开政府信息数", "government information disclosed proactively (items)"),
    "applications.denied.total": ("不予公开答复数", "requests refused, stated as one number (all reasons)"),
    "review_litigation.litigation.total": ("行政诉讼数",
                                           "lawsuits about disclosure, when only the total of both kinds is stated"),
    "applications.fees.amount": ("依申请公开收取费用（万元）", "fees charged for answering requests, in 10,000 yuan"),
}


@dataclass(frozen=True)
class OldRow:
    key: str
    pattern: re.Pattern  # searched in the normalised 指标名称
    rank: int = 0  # when two rows give one key (申请办结数 / 申请答复数), the lower rank wins


def _old(key: str, pattern: str, rank: int = 0) -> OldRow:
    return OldRow(key, re.compile(pattern), rank)


# 指标名称 of the old 统计表 (national form of 2008–2018, the Fujian/Shanghai variants), matched after
# `_norm_label` (numbering, 其中：, notes in brackets and quotes removed). Rows not listed (当面申请数,
# 按时办结数, 涉及国家秘密, 机构建设…) have no key.
OLD_TABLE_ROWS = (
    _old("active.proactive.total",
         r"^主动公开(?:的)?(?:政府)?(?:信息|文件)(?:数|总数|数量|条数)?$|^主动(?:信息)?公开(?:信息)?(?:数|总数)?$"),
    _old("applications.new_received.total",
         r"^(?:收到|受理)(?:政府信息)?(?:公开)?申请(?:总)?(?:数|数量|件数)$"
         r"|^(?:收到|受理)(?:政府信息)?依申请公开(?:信息)?(?:申请)?总?数$|^申请总(?:次)?数$"),
    _old("applications.total_processed.total", r"^(?:申请)?办结(?:总)?数$", rank=0),
    _old("applications.total_processed.total", r"^(?:对)?(?:申请的?)?答复(?:总)?数$|^申请答复(?:总)?数$", rank=1),
    _old("applications.granted.total", r"^(?:同意|予以)公开(?:答复)?数$"),
    _old("applications.partially_granted.total", r"^(?:同意|予以)?部分公开(?:答复)?数$"),
    _old("applications.denied.total", r"^(?:不同意|不予|否决)公开(?:答复)?(?:总)?数$"),
    _old("review_litigation.review.total", r"^(?:被申请)?行政复议(?:案件)?(?:数|数量|件数)$"),
    _old("review_litigation.litigation.total", r"^(?:被提起)?行政诉讼(?:案件)?(?:数|数量|件数)$"),
    _old("applications.fees.amount",
         r"^(?:依申请公开(?:信息)?)?收取(?:的)?(?:费用|费)(?:总数|总额|金额)?$|^收取费用总数$"),
)
# 属于已主动公开范围数: answers pointing to records already public. The 2021 template counts them
# as 予以公开, the old form apart from 同意公开; so 同意公开 is 予以公开 only when this row is 0.
ALREADY_PUBLIC = re.compile(r"已主动公开")

# Header of the old table: the label column, then unit, (code,) this year, cumulative. Headers are
# often spaced out ("指 标 名 称 计量 单位 2013年度 历年累计").
def _spaced(*words: str) -> str:
    return "|".join(r"\s*".join(map(re.escape, w)) for w in words)


HEADER_START = re.compile(_spaced("指标名称", "统计指标"))
HEADER_TOKEN = re.compile(
    r"\s*(?P<tok>" + _spaced("计量单位", "计算单位", "单位", "代码", "本年度", "本年累计", "本年", "年末统计", "年度统计",
                          "统计数", "数量", "数值", "历年累计", "累计数", "累计")
    # A year may be broken over lines too ("201" / "8" / "年"): the header is one cell per line.
    + r"|(?:1\s*9|2\s*0)\s*\d\s*\d\s*年\s*度?)")
THIS_YEAR_COLUMN = re.compile(r"^(?:本年度|本年累计|本年|年末统计|年度统计|(?:19|20)\d{2}年度?|统计数|数量|数值)$")
CUMULATIVE_COLUMN = re.compile(r"^(?:历年累计|累计数|累计)$")
UNITS = ("万元", "人次", "条", "件", "个", "次", "人", "元", "篇", "项", "份")
MONEY_UNITS = {"万元": 1, "元": 10000}  # divisor to 万元

# Markers of the 2019 / 2021 tables: their presence means the report is not pre-2019 whatever its
# year (words the templates' headers use and prose of older reports does not).
TEMPLATE_TABLE_MARKERS = re.compile(
    r"本年制发件数|现行有效件数|本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|本年增/?减|"
    r"本年新收政府信息公开申请|上年结转政府信息公开申请|结转下年度继续办理|逾期不补正|三安全一稳定|尚未审结")

# A label may be broken over lines in a capture that prints one cell per line ("受理" / "政府信息" /
# "公开" / "申请" / "总数" / "条" / "0"): the row is the label's lines up to its unit and figures.
_ROW = re.compile(
    r"\s*(?P<label>[^。；;]{1,80}?)(?P<gap1>\s*)(?P<unit>" + "|".join(UNITS) + r")(?P<gap2>\s*)"
    r"(?P<vals>\d+(?:\.\d+)?(?:\s+\d+(?:\.\d+)?)*)")
_NUMBERING = re.compile(r"^(?:其中[：:]?)?\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|(?P<n>\d+)[、.．])")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_QUOTES = re.compile(r"[\"'“”‘’《》<>]")
_VALID_NUMBER = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")


def _norm_label(label: str) -> tuple[str, int | None]:
    """(normalised label, its item number "1." if any)."""
    # A leading "、" or "." is what is left of an item number the previous row's digits took.
    t = _QUOTES.sub("", clean(label)).lstrip("、.．")
    number = None
    for _ in range(3):
        m = _NUMBERING.match(t)
        if not m:
            break
        if m.group("n"):
            number = int(m.group("n"))
        t = t[m.end():]
    t = t.removeprefix("其中:").removeprefix("其中")
    return _NOTE.sub("", t), number


# ---------------------------------------------------------------------------------------------
# Template decision


def decide_template(template: str, year: int | None, figures: dict, text: str) -> str:
    """`pre2019` for a report on a year before 2019 without 2019/2021 tables; else unchanged.

    A template table (a row with three or more cells) or its header words always win over the
    year: some agencies adopted a template early.
    """
    if year is None or year >= 2019:
        return template
    if has_template_table(figures) or TEMPLATE_TABLE_MARKERS.search(text):
        return template
    return "pre2019"


def has_template_table(figures: dict) -> bool:
    return any(len(cols) >= 3 for rows in figures.values() for cols in rows.values())


# ---------------------------------------------------------------------------------------------
# The old 统计表


@dataclass
class TableRow:
    key: str
    rank: int
    candidates: set  # possible 本年度 values (one when the row is unambiguous)
    evidence: str
    unit: str | None


@dataclass
class _Columns:
    this_year: int  # index among the value columns
    count: int  # number of value columns
    cumulative: int | None


def _columns(tokens: list[str]) -> _Columns | None:
    values = [tok for tok in tokens if THIS_YEAR_COLUMN.match(tok) or CUMULATIVE_COLUMN.match(tok)]
    this = [i for i, tok in enumerate(values) if THIS_YEAR_COLUMN.match(tok)]
    cum = [i for i, tok in enumerate(values) if CUMULATIVE_COLUMN.match(tok)]
    if len(this) != 1 or len(cum) > 1 or "代码" in tokens:
        return None  # a code column or two "this year" columns: not a form we can read safely
    return _Columns(this[0], len(values), cum[0] if cum else None)


def _this_year_candidates(vals: str, cols: _Columns, separated: bool) -> set:
    """`separated`: the table's cells are apart (spaces, lines), so one number is one cell and a
    row with a blank cell cannot be aligned; otherwise a digit run may hold several cells."""
    parts = vals.split()
    if len(parts) == cols.count:
        ok = all(_VALID_NUMBER.match(p) for p in parts)
        return {_num(parts[cols.this_year])} if ok else set()
    if parts == ["0"] and cols.count == 2 and cols.cumulative is not None:
        # One 0 for 本年度 and 历年累计 (a cell left blank, or a capture printing two equal lines
        # once): whichever cell it is, the year's figure is 0, as it never exceeds the running total.
        return {0}
    if len(parts) != 1 or separated:
        return set()
    run = parts[0]
    out = set()
    for cuts in combinations(range(1, len(run)), cols.count - 1):
        pieces = [run[i:j] for i, j in zip((0, *cuts), (*cuts, len(run)))]
        if not all(_VALID_NUMBER.match(p) for p in pieces):
            continue
        nums = [_num(p) for p in pieces]
        # The year's figure is part of the running total, never more.
        if cols.cumulative is not None and nums[cols.this_year] > nums[cols.cumulative]:
            continue
        out.add(nums[cols.this_year])
    return out


def _num(text: str):
    return float(text) if "." in text else int(text)


def _row_key(label: str) -> tuple[OldRow | None, str]:
    norm, _ = _norm_label(label)
    for row in OLD_TABLE_ROWS:
        if row.pattern.search(norm):
            return row, norm
    return None, norm


def flattened_rows(text: str) -> tuple[list[TableRow], dict[str, set]]:
    """Rows of an old 统计表 in plain text: (keyed rows, {normalised label: candidates} of all)."""
    rows: list[TableRow] = []
    labels: dict[str, set] = {}
    for header in HEADER_START.finditer(text):
        pos, tokens = header.end(), []
        while (m := HEADER_TOKEN.match(text, pos)) and len(tokens) < 6:
            tokens.append(re.sub(r"\s", "", m.group("tok")))
            pos = m.end()
        cols = _columns(tokens)
        if cols is None:
            continue
        last_number: int | None = None
        glued: int | None = None  # item number eaten by the previous row's digits
        while (m := _ROW.match(text, pos)):
            label, vals = m.group("label"), m.group("vals")
            norm, number = _norm_label(label)
            carried = glued
            if glued is not None:
                number = glued
            if number is not None:
                last_number = number
            pos, glued = m.end(), None
            nxt = text[pos:pos + 2]
            if len(nxt) == 2 and nxt[0] in "、.．" and not nxt[1].isdigit():
                # "…条2122100372、政府公报公开数": the next item's number ran into these digits.
                expected = str((last_number or 0) + 1)
                if vals.endswith(expected) and len(vals.replace(" ", "")) > len(expected):
                    vals = vals[: -len(expected)].rstrip()
                    glued = int(expected)
                else:
                    vals = ""  # cannot tell the figures from the number: leave the row out
            separated = bool(m.group("gap1") or m.group("gap2") or len(m.group("vals").split()) > 1)
            candidates = _this_year_candidates(vals, cols, separated) if vals else set()
            labels[norm] = candidates
            row, _ = _row_key(label)
            if row is not None:
                shown = " ".join(text[m.start("label"):m.start("vals") + len(vals)].split())
                if carried is not None and shown[:1] in "、.．":
                    shown = f"{carried}{shown}"
                rows.append(TableRow(row.key, row.rank, candidates, shown, m.group("unit")))
        if rows:
            break
    return rows, labels


def grid_rows(blocks: list[Block]) -> tuple[list[TableRow], dict[str, set]]:
    """Rows of an old 统计表 read as a real table (HTML, DOCX, ruled PDF)."""
    rows: list[TableRow] = []
    labels: dict[str, set] = {}
    for block in blocks:
        if not block.rows_known:
            continue
        header_at = None
        for i, row in enumerate(block.rows):
            texts = [clean(c.text) for c in row]
            if any(HEADER_START.search(t) for t in texts) and any(THIS_YEAR_COLUMN.match(t) for t in texts):
                header_at = i
                break
        if header_at is None:
            continue
        header = block.rows[header_at]
        tokens = [clean(c.text) for c in header]
        cols = _columns(tokens)
        this_col = next((c.col for c in header if THIS_YEAR_COLUMN.match(clean(c.text))), None)
        unit_col = next((c.col for c in header if re.fullmatch(r"计量单位|计算单位|单位|计量|计算", clean(c.text))), None)
        if cols is None:
            continue
        for row in block.rows[header_at + 1:]:
            if this_col is not None and all(c.col is not None for c in row):
                label_cells = [c for c in row if c.col < min(x for x in (this_col, unit_col) if x is not None)]
                value_cells = [c for c in row if c.col == this_col]
                unit_cells = [c for c in row if unit_col is not None and c.col == unit_col]
            else:
                # No grid positions: label, unit, then exactly one cell per value column.
                label_cells = [c for c in row[:1]]
                rest = [c for c in row[1:] if not is_blank(c.text)]
                unit_cells = rest[:1] if rest and clean(rest[0].text) in UNITS else []
                rest = rest[len(unit_cells):]
                value_cells = [rest[cols.this_year]] if len(rest) == cols.count else []
            # The rightmost text cell is the row's own label (left of it: 序号, a group heading).
            named = [c for c in label_cells if not is_blank(c.text) and not re.fullmatch(r"[\d.、]+", clean(c.text))]
            if not named:
                continue
            label = named[-1].text
            value_text = value_cells[0].text if value_cells else ""
            value = None if is_blank(value_text) else parse_value(value_text)
            candidates = {value} if value is not None else set()
            norm, _ = _norm_label(label)
            labels[norm] = candidates
            spec, _ = _row_key(label)
            if spec is not None:
                unit = clean(unit_cells[0].text) if unit_cells else None
                shown = " | ".join(" ".join(c.text.split()) for c in row if not is_blank(c.text))
                rows.append(TableRow(spec.key, spec.rank, candidates, shown, unit))
        if rows:
            break
    return rows, labels


# ---------------------------------------------------------------------------------------------
# Putting it together


@dataclass
class OlderReading:
    figures: dict = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    # Keys whose figure came from the sentences, or whose 统计表 split the sentences chose: checking
    # them against the sentences would be circular.
    from_text: set[str] = field(default_factory=set)


def read_older(doc: Document, statements: list[Statement]) -> OlderReading:
    """The headline figures of a pre-2019 report: 统计表 first, then its sentences."""
    rows, labels = grid_rows(doc.blocks)
    if not rows:
        rows, labels = flattened_rows(doc.text)
    stated_all: dict[str, set] = {}
    for st in statements:
        stated_all.setdefault(st.key, set()).add(st.value)
    stated = resolve(statements)
    out = OlderReading()

    by_key: dict[str, list[TableRow]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    for key, group in by_key.items():
        best = min(r.rank for r in group)
        group = [r for r in group if r.rank == best]
        if len(group) != 1:
            continue  # the form names the figure twice: not ours to choose
        row = group[0]
        candidates = set(row.candidates)
        evidence = row.evidence
        if len(candidates) > 1:
            # "212210037": keep the one split the report's sentences confirm, if exactly one.
            confirmed = candidates & stated_all.get(key, set())
            if len(confirmed) != 1:
                continue
            candidates = confirmed
            sentence = next(s.sentence for s in statements if s.key == key and s.value in confirmed)
            evidence = f"{row.evidence} ｜ {sentence}"
            out.from_text.add(key)
        if len(candidates) != 1:
            continue
        value = next(iter(candidates))
        if key == "applications.fees.amount":
            if row.unit not in MONEY_UNITS:
                continue
            value = round(value / MONEY_UNITS[row.unit], 6)
        if key == "applications.granted.total" and not _no_already_public(labels):
            continue
        _put(out, key, value, evidence)

    for key, st in stated.items():
        if key in PRE2019_KEYS and key not in out.evidence:
            _put(out, key, st.value, st.sentence)
            out.from_text.add(key)
    return out


def _no_already_public(labels: dict[str, set]) -> bool:
    """True when the form has no 已主动公开 row, or has it with 0."""
    rows = [cands for label, cands in labels.items() if ALREADY_PUBLIC.search(label)]
    return all(c == {0} for c in rows)


def _put(out: OlderReading, key: str, value, evidence: str) -> None:
    table, row, col = key.split(".")
    out.figures.setdefault(table, {}).setdefault(row, {})[col] = value
    out.evidence[key] = evidence


__all__ = ["EXTRA_KEYS", "OLD_TABLE_ROWS", "PRE2019_KEYS", "OlderReading", "decide_template",
           "flattened_rows", "grid_rows", "has_template_table", "read_older"]
