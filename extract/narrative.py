"""Headline figures a report states in its sentences, and `text.*` checks against its tables.

Reports repeat their headline figures in prose: "全区共收到政府信息公开申请154件，共办结148件，结转至
2026年6件。全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。" Each statement found here
keeps its sentence as evidence. A statement is read only when its meaning is plain:

- a keyword (收到/受理, 办结/答复, 予以公开, 行政复议, …), then at most a few characters with no
  digit and no clause punctuation, then a number with a counting unit (件/起/条/…);
- the sentence is about disclosure requests (信息公开 + 申请), not about 信访, 咨询, 审批, 主动公开;
- comparisons (同比增长20件), breakdowns of a figure already stated (其中…), figures of another
  year, cumulative totals (…以来) and approximations (7700余条) are not statements.

A key stated twice with different values (a total and one sub-unit's figure, say) is ambiguous
and dropped, unless exactly one of the values comes with a total marker (共, 全年, 全区…); for the
checks every statement of a key must agree.
All patterns are compiled once and run over the whole text (no per-sentence parsing).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extract.report import Check

# Numbers as agencies write them in prose: ASCII or full-width digits, or Chinese numerals.
_NUM = r"(?P<num>\d{1,3}(?:[,，]\d{3})+(?![\d,，])|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
# Text from PDFs and pasted tables often has a space before the unit ("50 件").
_COUNT_UNIT = r"[ \u3000\xa0]?(?P<unit>件次|人次|件|起|宗|例|个|条|份|次|项)"
_MONEY_UNIT = r"[ \u3000\xa0]?(?P<unit>万元|元)"
# Between a keyword and its number: a year may come first ("受理2025年度…"), then anything but
# digits, Chinese numerals, clause punctuation and table rules, so the number that ends the filler
# is the one nearest the keyword. One bounded, possessive character class: no backtracking.
_MAX_FILL = 24
_FILL = (r"(?P<fill>(?:\d{4}年度?)?[^\d０-９，,。；;：:！？!?、|\n（）()\[\]【】零〇一二两三四五六七八九十百千]{0,%d}+)"
         % _MAX_FILL)
# Units a count of requests or of disputes is given in ("收到申请的单位5个" is not 5 requests).
_UNITS = {"applications": {"件", "件次", "宗", "份", "条"},
          "review_litigation": {"件", "件次", "起", "宗", "例", "次"}}

# key -> keyword pattern. Order only matters for ties (same number, same distance): the longer
# keyword wins, so 复议后起诉 beats 行政诉讼 in "复议后提起行政诉讼3件".
KEYWORDS: dict[str, str] = {
    "applications.new_received.total": r"收到|受理|接收|接到|新收",
    "applications.carried_over.total": r"(?:上一?年度?|上年)(?:度)?结转|结转上一?年度?",
    "applications.total_processed.total": r"办结|办理完毕|处理完毕|作出答复|答复",
    "applications.carried_forward.total":
        r"结转(?:至|到|入)?(?:下一?年度?|下年|\d{4}年度?)(?:继续)?(?:办理)?|转入(?:下一?年度?|\d{4}年度?)(?:继续)?(?:办理)?",
    # "同意公开答复数17条": the 答复数 is the outcome's name, not another figure.
    "applications.granted.total": r"(?:予以公开|同意公开|全部公开)(?:答复)?(?:总)?(?:数)?",
    "applications.partially_granted.total": r"(?:同意部分|予以部分|部分予以|部分)公开(?:答复)?(?:总)?(?:数)?",
    "applications.denied.total": r"(?:不予(?:以)?公开|不同意公开|否决公开)(?:答复)?(?:总)?(?:数)?",
    "review_litigation.review.total": r"行政复议",
    # "行政复议7件，诉讼9件": a bare 诉讼 opening a clause after one about 行政复议.
    "review_litigation.litigation.total": r"行政诉讼|行政应诉|诉讼",
    "review_litigation.litigation_direct.total":
        r"未经复议(?:直接)?(?:向法院)?(?:提起)?(?:行政)?(?:诉讼|起诉)|直接(?:向法院)?(?:提起)?(?:行政)?(?:诉讼|起诉)",
    "review_litigation.litigation_after_review.total": r"复议后(?:向法院)?(?:提起)?(?:行政)?(?:诉讼|起诉)",
}
# A keyword right after one of these characters means something else: 未收到, 不予受理, 不同意公开,
# 部分公开 (for 公开), 尚未办结. Checked on the match (a leading lookbehind would cost the regex its
# fast scan for the keyword's first characters).
NOT_AFTER = {
    "applications.new_received.total": "未不没有予",
    "applications.total_processed.total": "未待",
    "applications.granted.total": "不分",
}
# A bare 诉讼 counts only opening a clause ("行政复议7件，诉讼9件").
_CLAUSE_START = "，,、；;"

# 主动公开: only the plain form "主动公开政府信息2122条" (no filler: "主动公开采购信息25条" is one
# category, not the total).
PROACTIVE = re.compile(
    r"主动公开(?:各类)?(?:政府)?(?:信息|文件)(?:公开)?(?:数|总数|总量|数量)?(?:共|共计|合计|总计|累计)?(?:为|达|达到)?[ \u3000\xa0]?"
    + _NUM + r"[ \u3000\xa0]?(?P<unit>条|件)")
# The number first: "另有58件顺延到下年度答复", "6件结转至2026年办理".
# Searched from its words, the number then read backwards (a pattern that starts with a number
# would be tried at every digit of every table).
CARRIED_FORWARD_AFTER = re.compile(r"件(?:申请)?(?:顺延|结转|转入|延续|延期)(?:至|到)?(?:下一?年度?|下年|\d{4}年度?)")
_NUM_BEFORE = re.compile(r"(?:\d+|[零〇一二两三四五六七八九十百千]+)$")
# 依申请公开 fees (pre-2019 only; the 2021 table's 收费 is 行政事业性收费, another thing).
FEES = re.compile(r"(?:收取|收费)" + _FILL + _NUM + _MONEY_UNIT)

# 表二 (主动公开) in prose: "集中公开现行有效行政规范性文件698件", "动态更新本年度制发的规范性文件88件",
# "行政规范性文件制发3件", "废止规章1件"; "作出行政许可决定1200件"; "行政事业性收费2.5万元". The verb and
# its object must touch (at most 的/了 between), so a count of something else ("发布各类政策规范性文件
# 150份", "在…栏目发布行政处罚23件") is not read. Keys: the table's own (table.row.col).
_ACTIVE_OBJECT = {"regulations": r"规章", "normative_documents": r"(?:行政)?规范性文件"}
_ACTIVE_VERB = {"made": r"制发|制定|出台|新制作", "repealed": r"废止", "in_force": r"现行有效"}
_TOTAL_WORD = r"(?:共|共计|合计|总计|计|为|达)?"
_INT = r"(?P<num>\d{1,3}(?:[,，]\d{3})+(?![\d,，])|\d+)"
ACTIVE_DOCS = tuple(
    (f"active.{row}.{col}", re.compile(pattern + _TOTAL_WORD + _INT + r"[ \u3000\xa0]?件"))
    for row, obj in _ACTIVE_OBJECT.items() for col, verb in _ACTIVE_VERB.items()
    for pattern in (rf"(?:{verb})[了的]{{0,2}}(?:{obj})", rf"(?:{obj})(?:{verb})[了的]{{0,2}}"))
ACTIVE_DECISIONS = tuple(
    (f"active.{row}.decisions", re.compile(rf"{word}决定(?:书)?(?:数量?)?" + _TOTAL_WORD + _INT + r"[ \u3000\xa0]?(?:件|个|项|份)"))
    for row, word in (("licensing", "行政许可"), ("punishment", "行政处罚"), ("coercion", "行政强制")))
ACTIVE_FEES = re.compile(r"行政事业性收费(?:金额|总额|总金额)?" + _TOTAL_WORD
                         + r"(?P<num>\d+(?:\.\d+)?)[ \u3000\xa0]?(?P<unit>万元|元)")
# Words that make a 表二 figure something else: planned (拟废止, 计划制定), a past total (累计), a
# part (其中), a comparison (同比增长). Not 将: it is as often 把 ("将现行有效规范性文件698件集中公开").
_ACTIVE_NOT = re.compile(r"拟|计划|待|累计|以来|其中|同比|比上年|较上年|增长|减少")

# "一次性告知" is not one 次: a Chinese numeral and its unit must not be the start of a word.
_AFTER_KEYWORD = _FILL + _NUM + _COUNT_UNIT + r"(?![性般些样致体批级定])"
# Each keyword is searched on its own (they overlap: 行政诉讼 inside 复议后提起行政诉讼), with what
# follows it in a lookahead: the regex engine skips keywords that no number follows, and a match
# consumes only its keyword, so the next keyword inside its filler is still seen.
_KEYWORD_RES = tuple((key, re.compile(f"(?:{p})(?={_AFTER_KEYWORD})")) for key, p in KEYWORDS.items())
_ANY_KEYWORD = re.compile("|".join(f"(?:{p})" for p in KEYWORDS.values()))

# "未收到有关政府信息公开申请", "本年度无政府信息公开申请".
_NO_REQUESTS = re.compile(
    r"(?:未|没有)(?:收到|受理|接到|接收|发生)过?(?P<rest>[^，,。；;！？!?\n\d]{0,20}?申请)"
    r"|无(?:任何)?(?P<rest2>(?:政府信息公开|信息公开|依申请公开)(?:的)?申请)"
    # "没有公民、法人或其他组织来办理依申请公开申请": no one (the applicants named) filed one.
    r"|(?:未|没有)(?:任何)?(?:公民|法人|其他组织|个人|单位|申请人)[^，,。；;！？!?\n\d]{0,14}?"
    r"(?:提出|提交|办理|递交)(?P<rest3>[^，,。；;！？!?\n\d]{0,16}申请)"
    # "未发生因政府信息公开申请行政复议…": the 申请 is the cause of a dispute, not the count.
    r"(?!行政复议|复议|行政诉讼|诉讼|提起|引发|引起|而|被)")
# "未发生因政府信息公开申请行政复议、提起行政诉讼的情况", "无行政复议和行政诉讼".
_NO_DISPUTES = re.compile(r"(?:(?:未|没有)(?:收到|发生|出现|产生|接到|提起|因|被)|无)(?P<rest>[^，,。；;！？!?\n\d]{0,40})")
_BOTH_ZERO = re.compile(r"行政复议(?:和|、|及|与|或)(?:行政)?诉讼[^，,。；;\n]{0,12}?(?:均|都)(?:为)?(?:0|零|无)(?![\d.])")

# What makes a sentence about disclosure requests (not 依申请公开信息 as a category of records).
_REQUEST_ANCHOR = re.compile(
    r"信息公开[^，,。；;]{0,6}申请|公开申请|公开政府信息(?:的)?申请|(?<!依)申请公开|依申请公开(?!信息)|申请人")
_DISCLOSURE = re.compile(r"信息公开|依申请")
# Words that put a count about something else in the clause.
_OTHER_MATTERS = re.compile(r"咨询|投诉|信访|来信|来访|留言|热线|12345|信箱|审批|许可|建议|提案|行政事项|政务服务|办件")
_COMPARISON = re.compile(r"同比|比上年|较上年|较去年|比去年|增长|增加|减少|下降|上升|持平|多于|少于|增幅|降幅")
_AGGREGATE = re.compile(r"等|其他|其它|及其")
# "予以公开及部分公开258件": two outcomes joined, one number for both.
_JOINED = re.compile(r"(?:及|和|与|、|或|以及|并|加)$")
# Proactive disclosure through one channel is a part of the total.
_CHANNEL = re.compile(r"通过|互联网|网站|网上|微博|微信|公报|公开栏|客户端|新媒体|报刊|电视|广播")
_CUMULATIVE = re.compile(r"以来|历年|累计至|截至目前|截止目前")
_TOTAL_MARKER = re.compile(r"共|总|合计|全年|全区|全市|全县|全省|全镇|全局|全委|全厅|全部|本年度|年度内")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# Breakdown rows do not give a group total ("行政复议…维持3件").
_REVIEW_PARTS = re.compile(r"维持|纠正|纠错|撤销|驳回|确认违法|其他|尚未|审结|结果|决定|胜诉|败诉")
_PROCESS_PARTS = re.compile(r"按时|按期|延期|逾期|超期|当场|当日|率")

_WINDOW = 300
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_HAS_FULLWIDTH = re.compile("[０-９]")


def _halfwidth_digits(text: str) -> str:
    # str.translate walks every character in Python-level lookups: only when there is one to change.
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


@dataclass(frozen=True)
class Statement:
    key: str  # "applications.new_received.total"
    value: int | float
    sentence: str  # the evidence, trimmed to the sentence (at most ~160 characters)
    total_marker: bool  # stated with 共/全年/全区…: preferred over an unmarked figure
    start: int  # position in the text


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105; None if not a plain numeral.

    Counts in prose stay below ten thousand; a dependency (cn2an) for this is not worth it.
    """
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit, seen_unit = 0, None, False
    for ch in text:
        if ch in "零〇" and seen_unit:
            continue  # 一百零五: a placeholder between units
        if ch in _CN_DIGITS:
            if digit is not None and not seen_unit and len(text) > 1:
                return None  # "一二" is not a number
            digit = _CN_DIGITS[ch]
            seen_unit = False
        else:
            unit = _CN_UNITS[ch]
            total += (1 if digit is None else digit) * unit
            digit, seen_unit = None, True
    if digit is not None:
        total += digit
    return total


def _number(text: str) -> int | float | None:
    text = _halfwidth_digits(text).replace(",", "").replace("，", "")
    if text[:1].isdigit():
        if len(text) > 1 and text[0] == "0" and text[1] != ".":
            return None  # "05件": not how anyone writes a count
        return float(text) if "." in text else int(text)
    return chinese_number(text)


class _Text:
    """The text with its sentence boundaries, computed once."""

    def __init__(self, text: str):
        self.text = _halfwidth_digits(text)  # same length: positions stay valid
        self.ends = [m.start() for m in _SENTENCE_END.finditer(self.text)]

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] if i < len(self.ends) else len(self.text)
        # Text with no sentence ends (a flattened page): a window, so each look stays small.
        return max(start, pos - _WINDOW), min(end, pos + _WINDOW)

    def previous_sentence(self, start: int) -> str:
        if start <= 1:
            return ""
        s, e = self.sentence(start - 2)
        return self.text[s:e]

    def clause_start(self, sent_start: int, pos: int) -> int:
        cut = max(self.text.rfind(p, sent_start, pos) for p in "，,、：:；;")
        return cut + 1 if cut >= sent_start else sent_start

    def evidence(self, start: int, end: int, m_start: int, m_end: int) -> str:
        s = self.text[start:end].strip()
        if len(s) <= 160:
            return s
        lo = max(start, m_start - 80)
        return ("…" if lo > start else "") + self.text[lo:min(end, m_end + 60)].strip() + "…"


def read_statements(text: str, year: int | None = None) -> list[Statement]:
    """Every plain statement of a headline figure in `text`, in text order."""
    t = _Text(text)
    found: list[tuple[int, int, int, Statement]] = []  # (number position, filler length, -keyword length, statement)
    for key, pattern in _KEYWORD_RES:
        not_after = NOT_AFTER.get(key, "")
        for m in pattern.finditer(t.text):
            before = t.text[m.start() - 1] if m.start() else ""
            if before and before in not_after:
                continue
            if m.group(0) == "诉讼" and before not in _CLAUSE_START:
                continue
            statement = _statement(t, key, m.start(), m, year)
            if statement is not None:
                found.append((m.start("num"), len(m.group("fill")), -(m.end() - m.start()), statement))
    for m in PROACTIVE.finditer(t.text):
        st = _proactive(t, m, year)
        if st is not None:
            found.append((m.start("num"), 0, -(m.start("num") - m.start()), st))
    for m in CARRIED_FORWARD_AFTER.finditer(t.text):
        num = _NUM_BEFORE.search(t.text, max(0, m.start() - 12), m.start())
        if num is None:
            continue
        st = _number_first(t, "applications.carried_forward.total", num.group(0), num.start(), m.end(), year)
        if st is not None:
            found.append((num.start(), 0, -(m.end() - m.start()), st))
    for m in FEES.finditer(t.text):
        st = _fees(t, m, year)
        if st is not None:
            found.append((m.start("num"), len(m.group("fill")), -2, st))
    for key, pattern in (*ACTIVE_DOCS, *ACTIVE_DECISIONS, ("active.fees.amount", ACTIVE_FEES)):
        for m in pattern.finditer(t.text):
            st = _active(t, key, m, year)
            if st is not None:
                found.append((m.start("num"), 0, -(m.start("num") - m.start()), st))
    # One number is one statement: the keyword nearest to it (then the longest) names it.
    best: dict[int, tuple[int, int, int, Statement]] = {}
    for item in found:
        if item[0] not in best or item[1:3] < best[item[0]][1:3]:
            best[item[0]] = item
    statements = [item[3] for item in best.values()]
    statements += _zero_statements(t, year)
    return sorted(statements, key=lambda s: s.start)


def _other_year(t: _Text, sent_start: int, pos: int, year: int | None) -> bool:
    """The sentence, up to the figure, names years and none is the report's."""
    if year is None:
        return False
    years = {int(y) for y in _YEAR.findall(t.text, sent_start, pos)}
    return bool(years) and year not in years


def _statement(t: _Text, key: str, kw_start: int, after: re.Match, year: int | None) -> Statement | None:
    value = _number(after.group("num"))
    if value is None or isinstance(value, float):
        return None
    fill = after.group("fill")
    sent_start, sent_end = t.sentence(kw_start)
    clause_start = t.clause_start(sent_start, kw_start)
    before = t.text[sent_start:kw_start]
    clause = t.text[clause_start:after.end("unit")]
    # What follows the unit up to the clause's end: "收到15564件咨询投诉件" is about 咨询.
    tail_end = min([sent_end] + [i for i in (t.text.find(p, after.end("unit"), sent_end) for p in "，,") if i >= 0])
    tail = t.text[after.end("unit"):tail_end]
    if _COMPARISON.search(fill) or _COMPARISON.search(t.text[clause_start:kw_start]):
        return None
    if _CUMULATIVE.search(before) or _other_year(t, sent_start, kw_start, year):
        return None
    if _ANY_KEYWORD.search(fill):  # another keyword in between: the number is that one's
        return None
    if _AGGREGATE.search(fill):  # "不予公开等其他类型164件": several outcomes in one number
        return None
    lead = t.text[clause_start:kw_start]
    joined = _JOINED.search(lead)
    if joined and _ANY_KEYWORD.search(lead[:joined.start()]):
        return None
    table = key.split(".")[0]
    if after.group("unit") not in _UNITS[table]:
        return None
    if table == "applications":
        if _OTHER_MATTERS.search(clause) or _OTHER_MATTERS.search(tail):
            return None
        sentence = t.text[sent_start:sent_end]
        anchored = _REQUEST_ANCHOR.search(sentence) or _REQUEST_ANCHOR.search(t.previous_sentence(sent_start))
        if not anchored:
            return None
        if key == "applications.new_received.total":
            if "申请" not in fill and not re.match(r"(?:的)?[^，,。；;]{0,10}申请", tail):
                return None
            if "结转" in fill or re.match(r"[(（]?(?:含|包括|其中)", tail):
                return None  # "共收到申请160件（含上年结转6件）": new + carried over
            if "主动公开" in clause:
                return None
        if key == "applications.total_processed.total" and _PROCESS_PARTS.search(clause):
            return None
        if key in ("applications.new_received.total", "applications.total_processed.total") \
                and _breakdown(t, sent_start, kw_start, KEYWORDS[key]):
            return None
    else:
        if not _DISCLOSURE.search(t.text[sent_start:after.end("unit")]) \
                and not _DISCLOSURE.search(t.previous_sentence(sent_start)[-40:]):
            return None
        if _REVIEW_PARTS.search(fill):
            return None
        if t.text.startswith("诉讼", kw_start) and "行政复议" not in before:
            return None
        if key in ("review_litigation.review.total", "review_litigation.litigation.total") \
                and _breakdown(t, sent_start, kw_start, KEYWORDS[key]):
            return None
    marker = bool(_TOTAL_MARKER.search(t.text[clause_start:after.start("num")]))
    return Statement(key, value, t.evidence(sent_start, sent_end, kw_start, after.end("unit")), marker, kw_start)


def _breakdown(t: _Text, sent_start: int, pos: int, keyword: str) -> bool:
    """A 其中 part of a figure stated just before: "共收到申请20件，其中网上收到申请12件", or a
    sentence opening with 其中 after one that stated the same kind of figure."""
    before = t.text[sent_start:pos]
    cut = before.rfind("其中")
    if cut < 0:
        return False
    if before[:cut].strip(" ，,：:") == "":
        return bool(re.search(keyword, t.previous_sentence(sent_start)))
    # The clause just before 其中 is the whole the part belongs to.
    head = before[:cut].rstrip(" ，,：:")
    whole = head[max(head.rfind(p) for p in "，,；;。") + 1:]
    return bool(re.search(keyword, whole))


def _number_first(t: _Text, key: str, num: str, start: int, end: int, year: int | None) -> Statement | None:
    value = _number(num)
    if value is None or isinstance(value, float):
        return None
    sent_start, sent_end = t.sentence(start)
    if _other_year(t, sent_start, start, year) or _CUMULATIVE.search(t.text[sent_start:start]):
        return None
    sentence = t.text[sent_start:sent_end]
    if not _REQUEST_ANCHOR.search(sentence) and not _REQUEST_ANCHOR.search(t.previous_sentence(sent_start)):
        return None
    clause_start = t.clause_start(sent_start, start)
    marker = bool(_TOTAL_MARKER.search(t.text[clause_start:start]))
    return Statement(key, value, t.evidence(sent_start, sent_end, start, end), marker, start)


def _proactive(t: _Text, m: re.Match, year: int | None) -> Statement | None:
    if m.start() and t.text[m.start() - 1] in "应他":
        return None  # 其他应主动公开的信息: a category
    value = _number(m.group("num"))
    if value is None or isinstance(value, float):
        return None
    sent_start, sent_end = t.sentence(m.start())
    before = t.text[sent_start:m.start()]
    if _CUMULATIVE.search(before) or _other_year(t, sent_start, m.start(), year):
        return None
    if _breakdown(t, sent_start, m.start(), "主动公开") or _CHANNEL.search(before):
        return None
    clause_start = t.clause_start(sent_start, m.start())
    marker = bool(_TOTAL_MARKER.search(t.text[clause_start:m.start("num")]))
    if not marker and "各" in t.text[clause_start:m.start()]:
        return None  # "各乡镇主动公开政府信息613条": one kind of office's part
    return Statement("active.proactive.total", value, t.evidence(sent_start, sent_end, m.start(), m.end()),
                     marker, m.start())


def _fees(t: _Text, m: re.Match, year: int | None) -> Statement | None:
    if len(m.group("fill")) > _MAX_FILL or re.search(r"减免|经费|支出|行政事业性|退还", m.group("fill")):
        return None
    value = _number(m.group("num"))
    if value is None:
        return None
    sent_start, sent_end = t.sentence(m.start())
    sentence = t.text[sent_start:sent_end]
    if not re.search(r"依申请|信息公开申请|提供政府信息", sentence) or _CUMULATIVE.search(sentence[: m.start() - sent_start]):
        return None
    if _other_year(t, sent_start, m.start(), year):
        return None
    amount = value / 10000 if m.group("unit") == "元" else value
    return Statement("applications.fees.amount", round(amount, 6), t.evidence(sent_start, sent_end, m.start(), m.end()),
                     True, m.start())


def _active(t: _Text, key: str, m: re.Match, year: int | None) -> Statement | None:
    """A 表二 figure stated in a sentence, unless the clause makes it another figure."""
    value = _number(m.group("num")) if key != "active.fees.amount" else float(m.group("num"))
    if value is None:
        return None
    sent_start, sent_end = t.sentence(m.start())
    clause_start = t.clause_start(sent_start, m.start())
    if _ACTIVE_NOT.search(t.text[clause_start:m.end()]) or _CUMULATIVE.search(t.text[sent_start:m.start()]):
        return None
    if _other_year(t, sent_start, m.start(), year):
        return None
    if key == "active.fees.amount":
        unit = m.group("unit")
        value = round(value / 10000, 8) if unit == "元" else value
    return Statement(key, value, t.evidence(sent_start, sent_end, m.start(), m.end()), True, m.start())


def _zero_statements(t: _Text, year: int | None) -> list[Statement]:
    out: list[Statement] = []
    for m in _NO_REQUESTS.finditer(t.text):
        rest = m.group("rest") or m.group("rest2") or m.group("rest3")
        sent_start, sent_end = t.sentence(m.start())
        if _other_year(t, sent_start, m.start(), year):
            continue
        if rest.startswith("因") \
                or not re.search(r"(?:政府信息公开|信息公开|依申请公开|公开政府信息)(?:的)?申请", rest) \
                or re.search(r"复议|诉讼|不予|无法|逾期|答复|办理|办结|处理|补正|费|信访|咨询", rest):
            continue
        out.append(Statement("applications.new_received.total", 0,
                             t.evidence(sent_start, sent_end, m.start(), m.end()), True, m.start()))
    for m in _NO_DISPUTES.finditer(t.text):
        rest = m.group("rest")
        if "复议" not in rest and "诉讼" not in rest:
            continue
        sent_start, sent_end = t.sentence(m.start())
        if not _DISCLOSURE.search(t.text[sent_start:m.end()]) or _other_year(t, sent_start, m.start(), year):
            continue
        evidence = t.evidence(sent_start, sent_end, m.start(), m.end())
        if "行政复议" in rest:
            out.append(Statement("review_litigation.review.total", 0, evidence, True, m.start()))
        if "行政诉讼" in rest or "起诉" in rest:
            out.append(Statement("review_litigation.litigation.total", 0, evidence, True, m.start()))
    for m in _BOTH_ZERO.finditer(t.text):
        sent_start, sent_end = t.sentence(m.start())
        if not _DISCLOSURE.search(t.text[sent_start:m.end()]) or _other_year(t, sent_start, m.start(), year):
            continue
        evidence = t.evidence(sent_start, sent_end, m.start(), m.end())
        out.append(Statement("review_litigation.review.total", 0, evidence, True, m.start()))
        out.append(Statement("review_litigation.litigation.total", 0, evidence, True, m.start()))
    return out


def resolve(statements: list[Statement], strict: bool = False) -> dict[str, Statement]:
    """One statement per key, or none when the text states different values for it.

    Statements with a total marker outrank those without; among the outranking ones, all must
    agree. `strict`: every statement of the key must agree (for checks: a city report that states
    both its own 本级 figure and the 全市 one must not fail against its table for that).
    """
    by_key: dict[str, list[Statement]] = {}
    for s in statements:
        by_key.setdefault(s.key, []).append(s)
    out: dict[str, Statement] = {}
    for key, group in by_key.items():
        marked = [s for s in group if s.total_marker]
        pool = group if strict else (marked or group)
        if len({s.value for s in pool}) == 1:
            out[key] = pool[0]
    return out


# What a stated figure is compared with: the key itself when the report has it as a cell, else
# the sum of the template cells that make it up (行政诉讼 = 未经复议直接起诉 + 复议后起诉).
_DENIED_ROWS = ("denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
                "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
                "denied_enforcement_files", "denied_admin_inquiry")
SUMS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "review_litigation.litigation.total": (("review_litigation", "litigation_direct", "total"),
                                           ("review_litigation", "litigation_after_review", "total")),
    "applications.denied.total": tuple(("applications", row, "total") for row in _DENIED_ROWS),
}
# Stated figures with no cell in any table (the 2021 收费 is another fee): never checked.
UNCHECKED = frozenset({"active.proactive.total", "applications.fees.amount"})


def _cell(figures: dict, path: tuple[str, str, str]):
    table, row, col = path
    return figures.get(table, {}).get(row, {}).get(col)


def table_value(figures: dict, key: str) -> tuple[int | float, str] | None:
    """(value, how it was computed) of `key` in the figures, or None if not all cells exist."""
    own = _cell(figures, tuple(key.split(".")))
    if own is not None:
        return own, _fmt(own)
    parts = SUMS.get(key)
    if not parts:
        return None
    values = [_cell(figures, p) for p in parts]
    if any(v is None for v in values):
        return None
    return sum(values), "+".join(_fmt(v) for v in values)


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def text_checks(stated: dict[str, Statement], figures: dict, skip: frozenset[str] = frozenset()) -> list[Check]:
    """`text.<table>.<row>.<col>`: the figure the sentences state equals the table's.

    `skip`: keys whose figure came from the text itself (comparing them would be circular).
    """
    checks = []
    for key, st in stated.items():
        if key in UNCHECKED or key in skip:
            continue
        found = table_value(figures, key)
        if found is None:
            continue
        value, how = found
        ok = abs(value - st.value) < 1e-6
        quote = st.sentence if len(st.sentence) <= 60 else st.sentence[:58] + "…"
        sign = "=" if ok else "≠"
        shown = how if how == _fmt(value) else f"{how} = {_fmt(value)}"
        checks.append(Check(f"text.{key}", ok, f"text {_fmt(st.value)} {sign} table {shown} (“{quote}”)"))
    return checks


__all__ = ["Statement", "chinese_number", "read_statements", "resolve", "table_value", "text_checks"]
