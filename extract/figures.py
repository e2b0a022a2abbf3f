"""Map rows of cells (from any reader) onto the template's figures.

Rows are found by their labels, never by position alone (the template's regexes first, then
similarity to its label variants for labels a PDF or OCR damaged); columns by their headers when
the source has a real grid, otherwise by the template's fixed column order when the count of
values is exactly what the row needs. Runs of digits whose cell boundaries were lost ("一、本年新收
…801000081", a text capture with the whole table on one line) are cut by `extract.solver` under
the template's arithmetic. A cell that cannot be located or split unambiguously is left out,
never invented.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from extract import solver
from extract.document import Block, Cell, Row
from extract.numbers import cached_for_cells, clean, is_blank, is_value, parse_value
from extract.report import Figures
from extract.template import (
    ACTIVE_COLUMNS,
    ACTIVE_PRINTED,
    APPLICANT_COLUMNS,
    GROUP_HEADINGS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    ROW_GROUPS,
    ROWS,
    TEMPLATE_2019_MARKERS,
    TEMPLATE_2021_MARKERS,
    RowSpec,
)

# Leading numbering: （一） (一) 一、 1、 1. 1． (1) ①; repeated when a label carries a group and
# a sub-item ("（三）不予公开1.属于国家秘密" keeps its tail after the first strip).
_NUMBERING = re.compile(r"^(?:[(\[][一二三四五六七八九十\d]+[)\]]|[一二三四五六七八九十]+[、.]|\d+[、.](?!\d)|[①-⑳])")
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
# Numbering inside a label that joins a group and an item: "(三)不予公开1.属于国家秘密".
_INNER_NUMBERING = re.compile(r"[(\[][一二三四五六七八九十]+[)\]]|[一二三四五六七八九十]+、|(?<!\d)\d{1,2}[、.](?!\d)")

_APPLICANT = [(key, re.compile(p)) for key, _label, p in APPLICANT_COLUMNS]
_REVIEW_COL = [(key, re.compile(p)) for key, _label, p in REVIEW_COLUMNS]
_REVIEW_GROUP = [(key, re.compile(p)) for key, _label, p in REVIEW_GROUPS]
_ACTIVE_COL = [(key, re.compile(p)) for key, _label, p in ACTIVE_COLUMNS]
# Every table-2 column name in one pattern, to read a flattened header left to right.
_ACTIVE_COL_ANY = re.compile("|".join(f"(?P<{key}>{p})" for key, _label, p in ACTIVE_COLUMNS))
_REVIEW_HEADER = re.compile(r"行政复议")
_REVIEW_HEADER_2 = re.compile(r"行政诉讼|结果维持|复议后起诉|直接起诉")
_NUMBER_RUN = re.compile(r"^\s*(?:[\d.,，０-９]+|[—\-/／无]+)(?:\s+(?:[\d.,，０-９]+|[—\-/／无]+))+\s*$")

N_APPLICANT = len(APPLICANT_COLUMNS)
N_REVIEW = len(REVIEW_COLUMNS)


class Run(Cell):
    """Digits whose cell boundaries were lost ("801000081", "230 000023"): one or more whole cells,
    split by the solver. Readers that see merged cells (PDF text, OCR) may hand these in too."""


# A table flattened into running text: its header words, and a label followed straight by digits.
_TABLE_WORDS = re.compile(r"信息内容|申请人情况|本年新收|上年结转|结果维持|结转下年")
_SENTENCE_END = re.compile(r"(?<=[。！？])")
# A run of figures inside running text: digits with separators, signs and spaces between cells.
_DIGITS = re.compile(r"[+\-]?\d(?:[\d.,]*\d)?(?:[ \u3000\xa0]*[+\-]?\d(?:[\d.,]*\d)?)*")
# Text right after digits that makes them part of the words: 2025年, 1月1日, 7700余条, 20%.
_WORD_AFTER = re.compile(r"\s*(?:[年月日号余多%％倍亿]|万(?!元)|元/)")
# A unit printed after a table figure ("2笔", "984361元") belongs to it.
_UNIT_AFTER = re.compile(r"\s*(?:万元|元|件次|人次|件|个|条|项|笔|次|家|起|宗|份)")
_NUMBERING_AFTER = re.compile(r"[.．、](?=\D)")
_OPEN = "（(〔[【"
_CLOSE = "）)〕]】"
# Where a flattened label starts a new numbered part: "（三）不予公开" | "1.属于国家秘密".
_LABEL_BREAK = re.compile(r"(?<!第)(?=[（(][一二三四五六七八九十]{1,3}[)）])|(?=[一二三四五六七八九十]{1,3}、)|(?<![\d.])(?=\d{1,2}[.．、](?!\d))")
_PIPE = re.compile(r"\s*[|｜]\s*")

@cached_for_cells  # asked again for every row a label is tried against
def norm_label(text: str) -> str:
    """Normalise a label for matching: width, spaces, quotes and leading numbering removed."""
    t = _QUOTES.sub("", clean(text)).replace("【", "[").replace("】", "]")
    for _ in range(2):
        t = _NUMBERING.sub("", t)
    return t


@dataclass
class Record:
    """A table row split into its labels and the value cells that follow the last label."""

    labels: list[Cell]
    values: list[Cell]
    block: int


@dataclass
class _State:
    figures: Figures = field(default_factory=dict)
    section: str | None = None
    group_heading: str = ""
    # Per block: grid column -> key, built from that block's header rows.
    applicant_cols: dict[int, str] = field(default_factory=dict)
    review_cols: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    # Review/litigation groups in the order this block's header names them (for tables split
    # into a 行政复议 part and a 行政诉讼 part).
    review_groups: list[str] = field(default_factory=list)
    active_header: list[Cell] = field(default_factory=list)
    active_header_block: int = -1
    # In wrapped text: the row a label-only line named, for figures on a following line.
    pending: RowSpec | None = None
    # None until an applicant header is seen; then whether any of its rows had a 总计 column.
    total_header_seen: bool | None = None
    # "2021" / "2019" when the tables' wording says which template, else None.
    template: str | None = None
    # Runs of merged digits per table: {row or (rows...): (tokens, columns)}, split at the end
    # under the whole table's arithmetic.
    runs: dict[str, dict] = field(default_factory=dict)
    # Index in ROWS of the last row matched, for tolerant matching in template order.
    last_row: int = -1
    # Text rows whose cells came one per line (see `_note_printed`): how many printed fewer
    # figures than the row has cells, and how many printed two equal figures side by side.
    short_rows: int = 0
    repeated_rows: int = 0
    # Values the report's sentences state, {table: {(row, col): value}}: they choose between the
    # readings of a run (never override one; see `solver.Unit.hints`).
    hints: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)

    def put(self, table: str, row: str, col: str, value) -> None:
        self.figures.setdefault(table, {}).setdefault(row, {}).setdefault(col, value)


def find_figures(blocks: list[Block], stated: dict[str, float] | None = None) -> Figures:
    """All template figures found in the blocks, first occurrence of each cell winning.

    ``stated``: {"active.normative_documents.made": 88, …}, figures the report's sentences state;
    a run of digits that can be split several ways keeps only the splits that have them (a stated
    value the run does not admit is ignored, and a cell the run pins down is never changed).
    """
    blocks = [_join_line_fragments(b) for b in blocks]
    state = _State(template=_template_of(blocks))
    for key, value in (stated or {}).items():
        table, row, col = key.split(".")
        state.hints.setdefault(table, {})[(row, col)] = value
    for index, block in enumerate(blocks):
        state.applicant_cols, state.review_cols, state.review_groups = {}, {}, []
        rows = _explode_flattened(block)
        if rows is None:
            rows = block.rows if block.rows_known else _segment_stream(block.rows)
        for row in rows:
            record = _split(row, index)
            if record is not None:
                _consume(record, state)
    _solve_runs(state)
    return state.figures


# ---------------------------------------------------------------------------------------------
# Text captures that print one cell per line: pieces of one cell broken over several lines

# Pieces a header's line may hold between the words of a column name ("本年增" / "/" / "减").
_JOINER = re.compile(r"[/／、]")
# A unit printed on the line after its figure ("142512" / "元"): part of that figure's cell.
_LONE_UNIT = re.compile(r"万?元")
_MAX_FRAGMENTS = 4
# A header cell's words: short. Longer lines are prose broken over lines ("…比上年增" / "减…"), whose
# pieces are never joined into a column name.
_MAX_HEADER_CHARS = 16


def _join_line_fragments(block: Block) -> Block:
    """The block with a table-2 column name broken over consecutive text cells rejoined
    ("本年增" / "/" / "减" → "本年增/减"), and a lone currency unit on the line after a bare
    figure joined to it ("142512" / "元" → "142512元", which says the amount is in 元). Only
    text cells (no grid) are joined, and only when the pieces name a column together that none
    of them names alone: a capture breaking a header cell must not split the table's rows at its
    "/" (a zero mark on its own)."""
    rows = [_join_row_fragments(row) for row in block.rows]
    if all(a is b for a, b in zip(rows, block.rows)):
        return block
    return Block(rows=rows, rows_known=block.rows_known)


def _join_row_fragments(row: Row) -> Row:
    out: Row = []
    i = 0
    changed = False
    while i < len(row):
        cell = row[i]
        if not _line_piece(cell):
            out.append(cell)
            i += 1
            continue
        joined = _column_fragments(row, i)
        if joined:
            out.append(Cell("".join(c.text.strip() for c in row[i:joined])))
            i, changed = joined, True
            continue
        nxt = row[i + 1] if i + 1 < len(row) else None
        if nxt is not None and _line_piece(nxt) and _LONE_UNIT.fullmatch(clean(nxt.text)) \
                and _BARE_FIGURE.fullmatch(clean(cell.text)):
            out.append(Cell(cell.text.strip() + clean(nxt.text)))
            i, changed = i + 2, True
            continue
        out.append(cell)
        i += 1
    return out if changed else row


_BARE_FIGURE = re.compile(r"[+\-]?\d+(?:\.\d+)?")


def _line_piece(cell: Cell) -> bool:
    return cell.col is None and not isinstance(cell, Run) and bool(cell.text.strip())


def _names_column(text: str) -> bool:
    return _ACTIVE_COL_ANY.search(norm_label(text)) is not None


def _column_fragments(row: Row, i: int) -> int | None:
    """End (exclusive) of the shortest run of text cells from i on that together name a table-2
    column none of them names alone (each piece words or a joining mark, never a figure)."""
    first = row[i].text.strip()
    if _names_column(first) or is_value(first):
        return None
    pieces = [first]
    for j in range(i + 1, min(len(row), i + _MAX_FRAGMENTS)):
        if not _line_piece(row[j]):
            return None
        piece = row[j].text.strip()
        if _names_column(piece) or (is_value(piece) and not _JOINER.fullmatch(clean(piece))):
            return None
        pieces.append(piece)
        if len(clean("".join(pieces))) > _MAX_HEADER_CHARS:
            return None
        if _names_column("".join(pieces)):
            return j + 1
    return None


def _template_of(blocks: list[Block]) -> str | None:
    text = clean(" ".join(c.text for b in blocks for row in b.rows for c in row if c.text))
    if TEMPLATE_2021_MARKERS.search(text):
        return "2021"
    if TEMPLATE_2019_MARKERS.search(text):
        return "2019"
    return None


# ---------------------------------------------------------------------------------------------
# Tables flattened into running text


def _explode_flattened(block: Block) -> list[Row] | None:
    """The block's rows with text whose table cells run together (a capture with the whole body
    on one line, a pipe-separated line, a PDF or OCR line "1.属于国家秘密0000000") cut into label
    cells and `Run` cells; None when the block has none of that. A row that held such text is
    re-cut into rows by its labels; the other rows keep their boundaries."""
    out: list[Row] = []
    changed = False
    for row in block.rows:
        exploded: Row = []
        row_changed = False
        for cell in row:
            parts = _explode_cell(cell) if cell.col is None and not isinstance(cell, Run) else None
            if parts is None:
                exploded.append(cell)
            else:
                exploded.extend(parts)
                row_changed = True
        if row_changed and block.rows_known:
            out.extend(_segment_stream([exploded]))
        else:
            out.append(exploded)
        changed = changed or row_changed
    if not changed:
        return None
    return out if block.rows_known else _segment_stream(out)


def _explode_cell(cell: Cell) -> Row | None:
    text = cell.text
    if not text or not any(ch.isdigit() for ch in text) and "|" not in text and "｜" not in text:
        return None
    if len(_PIPE.findall(text)) >= 2:
        cells = _PIPE.split(text.strip().strip("|｜"))
        exploded: Row = []
        for c in cells:
            exploded.extend(_explode_cell(Cell(c)) or [Cell(c)])
        return exploded
    # Sentences around the table are prose: left out, so that their words (行政复议…行政诉讼,
    # 现行有效) are never read as the table's headers.
    out: Row = []
    for chunk in _SENTENCE_END.split(text):
        if _is_table_text(chunk):
            out.extend(_split_chunk(chunk))
    return out or None


_ENDS_IN_FIGURES = re.compile(r"[\d０-９][\d０-９\s.,，]*$")


def _is_table_text(chunk: str) -> bool:
    """Table words with a label running straight into figures, or one row's label followed by its
    figures and nothing else ("1.属于国家秘密0000000")."""
    if not _DIGITS.search(chunk):
        return False
    if _TABLE_WORDS.search(chunk):
        return any(isinstance(p, Run) for p in _split_chunk(chunk))
    if len(chunk) > 200 or not _ENDS_IN_FIGURES.search(chunk):
        return False
    parts = _split_chunk(chunk)
    return len(parts) >= 2 and isinstance(parts[-1], Run) and not isinstance(parts[-2], Run) \
        and _row_label(parts[-2].text)


def _row_label(text: str) -> bool:
    for _head, name in _label_parts(norm_label(text)):
        if any(spec.pattern.search(name) for spec in ROWS if not spec.group and not spec.section_only):
            return True
    return False


def _split_chunk(chunk: str) -> Row:
    """Running text → label cells and `Run` cells. Digits stay in the words when they are a
    label's own numbering ("2.其他法律…" right after the previous row's zeros), a year or a count
    in prose ("2025年", "36起"), an article number ("第20条") or a note in brackets."""
    text = "".join(solver.unicode_digits(w) if any(ch.isdigit() for ch in w) else w
                   for w in re.split(r"(\s+)", chunk))
    spans: list[tuple[int, int]] = []
    depth_at = _bracket_depths(text)
    for m in _DIGITS.finditer(text):
        start, end = m.start(), m.end()
        if depth_at[start] > 0 or text[max(0, start - 1):start] == "第" or _WORD_AFTER.match(text, end):
            continue
        if _NUMBERING_AFTER.match(text, end):
            # The last digit is the next label's numbering ("0000000" + "2.其他法律…").
            end = _numbering_start(text, start, end)
        else:
            unit = _UNIT_AFTER.match(text, end)
            if unit:
                end = unit.end()
        run = text[start:end].strip()
        if run and any(ch.isdigit() for ch in run):
            spans.append((start, start + len(text[start:end].rstrip())))
    out: Row = []
    pos = 0
    for start, end in spans:
        out.extend(_label_cells(text[pos:start]))
        out.append(Run(text[start:end]))
        pos = end
    out.extend(_label_cells(text[pos:]))
    return out


def _numbering_start(text: str, start: int, end: int) -> int:
    m = re.search(r"[1-9]$", text[start:end])
    return start + m.start() if m else end


def _bracket_depths(text: str) -> list[int]:
    depths, depth = [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        depths.append(depth)
        if ch in _CLOSE and depth:
            depth -= 1
    depths.append(depth)
    return depths


def _label_cells(text: str) -> Row:
    """A run of label text → one cell per numbered part, and a flattened table-2 header split
    from the row label after it ("…本年废止件数现行有效件数" | "规章")."""
    out: Row = []
    for part in _LABEL_BREAK.split(text):
        part = part.strip()
        if not part:
            continue
        last = None
        for m in _ACTIVE_COL_ANY.finditer(part):
            last = m
        cut = _row_label_start(part, last.end()) if last is not None else None
        if cut is not None:
            out.append(Cell(part[:cut]))
            out.append(Cell(part[cut:].strip()))
        else:
            out.append(Cell(part))
    return out


_ACTIVE_ROWS = tuple(spec for spec in ROWS if spec.table == "active")


def _row_label_start(part: str, after: int) -> int | None:
    """Where a table-2 row label starts after a flattened header's last column name
    ("…处理决定数量行政许可" → at 行政许可; "（单位：万元）行政事业性收费" → at the note)."""
    for p in range(after, len(part) - 1):
        name = norm_label(re.sub(r"^[（(][^）)]*[）)]", "", part[p:]))
        if len(name) >= 2 and any(spec.pattern.search(name) for spec in _ACTIVE_ROWS):
            return p
    return None


def _split(row: Row, block: int) -> Record | None:
    cells = _explode_number_runs(row)
    last_label = -1
    for i, cell in enumerate(cells):
        if not isinstance(cell, Run) and not is_value(cell.text):
            last_label = i
    if last_label < 0:
        labels, values = [], cells
    else:
        labels = [c for c in cells[: last_label + 1] if not is_blank(c.text)]
        values = cells[last_label + 1:]
    # A figure in a cell spanning several columns was repeated into each: read it once.
    values = [v for i, v in enumerate(values) if v.origin is None or i == 0 or values[i - 1].origin != v.origin]
    # A label spread over merged grid cells repeats; keep it once.
    deduped: list[Cell] = []
    for cell in labels:
        if not deduped or norm_label(deduped[-1].text) != norm_label(cell.text):
            deduped.append(cell)
    if not deduped and not values:
        return None
    return Record(deduped, values, block)


def _explode_number_runs(row: Row) -> Row:
    """A cell such as "4 0 0 0 0 0 4" (text-only PDFs, pasted text) is several value cells."""
    if not any(c.col is None and not isinstance(c, Run) and _NUMBER_RUN.match(c.text) for c in row):
        return row
    out: Row = []
    for cell in row:
        if cell.col is None and not isinstance(cell, Run) and _NUMBER_RUN.match(cell.text):
            out.extend(Cell(part) for part in cell.text.split())
        else:
            out.append(cell)
    return out


def _segment_stream(rows: list[Row]) -> list[Row]:
    """Cut a stream of cells with no row boundaries into rows: a label after values starts a row.

    Blank cells are dropped: without row boundaries they cannot be told apart from empty
    header cells, and a missing cell is better than an invented zero.
    """
    out: list[Row] = []
    current: Row = []
    seen_value = False
    for cell in (c for row in rows for c in row):
        if is_blank(cell.text):
            continue
        value = isinstance(cell, Run) or is_value(cell.text)
        if not value and seen_value:
            out.append(current)
            current, seen_value = [], False
        current.append(cell)
        seen_value = seen_value or value
    if current:
        out.append(current)
    return out


def _consume(record: Record, state: _State) -> None:
    names = [norm_label(c.text) for c in record.labels]
    _update_section(names, state)
    for i, name in enumerate(names):
        # A capture that prints one cell per line may break a group label over two lines
        # ("（六）其他" / "处理"): the two parts together are the heading.
        for heading in (name, name + names[i + 1] if i + 1 < len(names) else ""):
            if heading in GROUP_HEADINGS:
                state.group_heading = heading
    if not any(not is_blank(v.text) for v in record.values):
        _learn_headers(record, names, state)
        if _wrapped_text(record):
            state.pending = _match_row(record, names, state)[0] or state.pending
        if not _all_cells_blank_row(record):
            return
    elif len(names) > 1 and record.labels[0].col is None:
        # Flattened text runs a header straight into the first row ("信息内容 本年新制作数量 …
        # 规章 1 1 9"): the labels before the row's own are that header.
        _learn_headers(Record(record.labels[:-1], [], record.block), names[:-1], state)
    if state.section == "review_litigation" or _is_review_header(names):
        if _map_review(record, names, state):
            return
    spec, context = _match_row(record, names, state)
    pending, state.pending = state.pending, None
    if spec is None and _wrapped_text(record):
        spec = pending
    if spec is None:
        return
    state.last_row = ROWS.index(spec)
    if spec.table == "active":
        _map_active(spec, record, state)
    elif spec.table == "applications":
        _map_applicants(spec, record, state)
        state.section = "applications"
    else:
        _map_review_group(spec, record, state)


def _wrapped_text(record: Record) -> bool:
    """Rows from text lines (PDF without ruling, pasted text), where a long label wraps and its
    figures may sit beside a later line: "1.申请人无正当理由逾期不补正、" / "行政机关不再处理… 0 0 …"."""
    return bool(record.labels) and record.labels[0].col is None


def _all_cells_blank_row(record: Record) -> bool:
    """A grid data row whose figures were all left blank (= zero) still has value cells."""
    return bool(record.labels) and len(record.values) >= 1 and all(v.col is not None for v in record.values)


def _update_section(names: list[str], state: _State) -> None:
    joined = "".join(names)
    if _is_review_header(names):
        state.section = "review_litigation"
    elif "本年新收" in joined or "申请人情况" in joined or "收到和处理" in joined:
        state.section = "applications"
    elif "信息内容" in joined or "主动公开" in joined or "第二十条" in joined:
        state.section = "active"


def _is_review_header(names: list[str]) -> bool:
    joined = "".join(names)
    if _REVIEW_HEADER.search(joined) and _REVIEW_HEADER_2.search(joined):
        return True
    # A per-group layout's header names only the outcome columns.
    return sum(1 for n in names if _first_key(_REVIEW_COL, n) in ("upheld", "corrected", "pending")) >= 3


def _learn_headers(record: Record, names: list[str], state: _State) -> None:
    """Remember column headers: by grid column where known, else by order (active table)."""
    # Table 2 headers of either template (2019's columns have their own keys).
    if any(_first_key(_ACTIVE_COL, n) for n in names) or any(n == "信息内容" or TEMPLATE_2019_MARKERS.search(n) for n in names):
        state.active_header = record.labels
        state.active_header_block = record.block
    applicant_hits = [k for n in names for k in _applicant_keys(n)]
    if record.labels and all(c.col is None for c in record.labels):
        # Text headers broken one character or word per line ("自" / "然" / "人", "总" / "计").
        applicant_hits += _applicant_keys("".join(names))
    if len(applicant_hits) >= 2:
        state.total_header_seen = bool(state.total_header_seen) or "total" in applicant_hits
        for cell, name in zip(record.labels, names):
            key = _first_key(_APPLICANT, name)
            if key and cell.col is not None:
                state.applicant_cols[cell.col] = key
    for cell, name in zip(record.labels, names):
        group = _first_key(_REVIEW_GROUP, name)
        if group and group not in state.review_groups:
            state.review_groups.append(group)
        if cell.col is None:
            continue
        col = _first_key(_REVIEW_COL, name)
        if group or col:
            old_group, old_col = state.review_cols.get(cell.col, (None, None))
            state.review_cols[cell.col] = (group or old_group, col or old_col)


def _applicant_keys(name: str) -> list[str]:
    """Applicant columns a header cell names; a flattened header ("申请人情况自然人法人或其他组织
    总计商业企业…") names several, its 其他/总计 not on their own."""
    keys = [k for k, p in _APPLICANT if p.search(name)]
    if len(keys) >= 2 and "total" not in keys and re.search(r"总计|合计", name):
        keys.append("total")
    return keys


def _first_key(specs, name: str) -> str | None:
    for key, pattern in specs:
        if pattern.search(name):
            return key
    return None


def _allowed(spec: RowSpec, state: _State) -> bool:
    return state.template is None or state.template in spec.templates


def _match_row(record: Record, names: list[str], state: _State) -> tuple[RowSpec | None, str]:
    # Scan labels right to left: the most specific label sits next to the figures; cells to its
    # left are group labels (三、本年度办理结果 / （三）不予公开) or notes. Within one label, try its
    # last numbered part first ("三、本年度办理结果（一）予以公开" in one cell).
    for i in range(len(names) - 1, -1, -1):
        if _after_clause(record.labels, i):
            continue
        found = _match_name(names[i], "".join(names[:i]), state, record.labels[i].col is None)
        if found[0] is not None:
            return found
    # A label a one-cell-per-line capture broke in the middle of its words ("5.要求行政机关确认或
    # 重新" / "出具已获取信息"): the text cells next to the figures, joined.
    last = len(names) - 1
    for i in range(last - 1, max(-1, last - 3), -1):
        if all(c.col is None for c in record.labels[i:]) and not _after_clause(record.labels, i):
            found = _match_name("".join(names[i:]), "".join(names[:i]), state, True)
            if found[0] is not None:
                return found
    if record.values and record.labels:
        return _similar_row(record, names, state), ""
    return None, ""


def _match_name(label: str, before: str, state: _State, text: bool = False) -> tuple[RowSpec | None, str]:
    """The row a label names (with the labels before it as its group context). ``text``: a text
    cell, where clause punctuation before the row's words means the words end a sentence
    ("件，政策、规范性文件类信息"), while after them it is the label's own wording
    ("1.申请人无正当理由逾期不补正，行政机关不再处理…")."""
    for head, name in _label_parts(label):
        context = before + head or state.group_heading
        for spec in ROWS:
            m = spec.pattern.search(name)
            if not m:
                continue
            if text and _CLAUSE.search(_BRACKETED.sub("", name[:m.start()])):
                continue
            if spec.group and not spec.group.search(context):
                continue
            if spec.section_only and state.section not in (None, spec.table):
                continue
            if not _allowed(spec, state):
                continue
            return spec, context
    return None, ""


# Clause punctuation: a text cell ending in it just before a label, or inside a label before the
# row's words, makes the label part of a sentence, not a table row ("…件，政策、规范性文件类信息" /
# "1"; "…项；" / "行政事业性收费" / "4" / "1994万元。" — a capture with one line per inline element
# breaks prose into cells too).
_CLAUSE = re.compile(r"[,，。;；!！?？]")
_CLAUSE_END = re.compile(r"[，；,;]\s*$")
# A note in brackets, also one a line break left open ("（二）部分公开（区分处理的，" / "只计这一情形，
# 不计其他情形）"): its commas are the note's.
_BRACKETED = re.compile(r"[(（][^）)]*(?:[)）]|$)|^[^(（]*[)）]")


def _after_clause(labels: list[Cell], i: int) -> bool:
    """Label i is a text cell right after one that ends a clause."""
    return labels[i].col is None and i > 0 and labels[i - 1].col is None \
        and bool(_CLAUSE_END.search(_BRACKETED.sub("", clean(labels[i - 1].text))))


def _prose(cell: Cell) -> bool:
    """A text cell with clause punctuation outside brackets: a sentence, not a header cell."""
    return cell.col is None and bool(_CLAUSE.search(_BRACKETED.sub("", clean(cell.text))))


def _label_parts(name: str) -> list[tuple[str, str]]:
    """(text before, label) pairs: the part after the last inner numbering, then the whole."""
    marks = list(_INNER_NUMBERING.finditer(name))
    if marks and marks[-1].end() < len(name):
        cut = marks[-1]
        return [(name[: cut.start()], name[cut.end():]), ("", name)]
    return [("", name)]


# ---------------------------------------------------------------------------------------------
# Tolerant label matching: PDF text layers and OCR drop, double or misread characters
# ("2.其他法律行政止公开", "中请"), so a label no regex takes is compared with the template's wording.

_SIMILAR = 0.72      # least similarity (difflib ratio) for a damaged label to count as a row's
_CLEAR_LEAD = 0.1    # by how much the best row must beat the next one
_MAX_LABEL = 48
_PROSE = re.compile(r"[，。；：！？,;]")
_LEAD_NUMBER = re.compile(r"^\s*(?:[(（]([一二三四五六七八九十]+)[)）]|([一二三四五六七八九十]+)、|(\d{1,2})\s*[.．、])")
_CN_NUM = {ch: i for i, ch in enumerate("一二三四五六七八九十", start=1)}


def _variants(spec: RowSpec) -> list[str]:
    return [norm_label(v) for v in (spec.label, *spec.variants)]


_VARIANTS = {spec.key: _variants(spec) for spec in ROWS}
_NUMBER_OF = {}
for _spec in ROWS:
    _m = _LEAD_NUMBER.match(_spec.label)
    if _m:
        _NUMBER_OF[(_spec.table, _spec.key)] = _m.group(3) or str(_CN_NUM.get(_m.group(1) or _m.group(2), ""))


def _label_number(text: str) -> str | None:
    m = _LEAD_NUMBER.match(clean(text))
    if not m:
        return None
    return m.group(3) or str(_CN_NUM.get(m.group(1) or m.group(2), ""))


def _group_of(key: str) -> str | None:
    return next((heading for prefix, heading in ROW_GROUPS if key.startswith(prefix)), None)


def _similar_row(record: Record, names: list[str], state: _State) -> RowSpec | None:
    """The template row whose wording the record's own label (the one next to its figures) is
    most like, when it is clearly more like that row than any other. Ties are broken by the
    label's numbering, the group heading it sits under and the template order; rows already
    read are not candidates."""
    raw = record.labels[-1].text
    if _after_clause(record.labels, len(record.labels) - 1):
        return None
    name = _label_parts(names[-1])[0][1]
    bare = re.sub(r"[(（][^）)]*[)）]", "", name)
    if not 3 <= len(bare) <= _MAX_LABEL or _PROSE.search(bare):
        return None
    number = _label_number(raw)
    group = state.group_heading
    context = "".join(names[:-1])
    scored = []
    for index, spec in enumerate(ROWS):
        if spec.table == "review_litigation" or not _allowed(spec, state):
            continue
        if spec.key in state.figures.get(spec.table, {}) or spec.key in state.runs.get(spec.table, {}):
            continue
        best = 0.0
        for variant in _VARIANTS[spec.key]:
            matcher = SequenceMatcher(None, bare, variant, autojunk=False)
            if matcher.real_quick_ratio() < _SIMILAR - 0.1 or matcher.quick_ratio() < _SIMILAR - 0.1:
                continue
            best = max(best, matcher.ratio())
        if best < _SIMILAR - 0.1:
            continue
        bonus = 0.0
        expected_number = _NUMBER_OF.get((spec.table, spec.key))
        if number and expected_number:
            bonus += 0.05 if number == expected_number else -0.05
        row_group = _group_of(spec.key) if spec.table == "applications" else None
        if row_group and (row_group in group or row_group in context):
            bonus += 0.05
        if index == state.last_row + 1:
            bonus += 0.03
        scored.append((best + bonus, best, spec))
    if not scored:
        return None
    scored.sort(key=lambda t: -t[0])
    top, raw_best, spec = scored[0]
    if raw_best < _SIMILAR - 0.1 or top < _SIMILAR:
        return None
    if len(scored) > 1 and top - scored[1][0] < _CLEAR_LEAD:
        return None
    if spec.group and not spec.group.search(context or group):
        return None
    return spec


# ---------------------------------------------------------------------------------------------
# Mapping a row's values


def _values(record: Record, n: int) -> list[Cell] | None:
    """Exactly n value cells in order, dropping surplus leading blanks (empty label columns)."""
    values = list(record.values)
    while len(values) > n and is_blank(values[0].text):
        values.pop(0)
    while len(values) > n and is_blank(values[-1].text):
        values.pop()
    return values if len(values) == n else None


def _run_tokens(values: list[Cell], merged_only: bool = False) -> list | None:
    """A text row's value cells as solver tokens: `Run` cells whose boundaries were lost, or
    separate cells whose count does not fit (one of them may hold two figures, "00")."""
    if not values or any(v.col is not None for v in values):
        return None
    if merged_only and not any(isinstance(v, Run) for v in values):
        return None
    tokens: list = []
    for v in values:
        if is_blank(v.text):
            continue
        found = solver.tokenize(v.text)
        if not found:
            return None
        tokens.extend(found)
    return tokens or None


def _defer(state: _State, table: str, key, tokens: list, columns: dict[str, tuple[str, ...]] | None = None,
           lines: bool = False) -> None:
    """Keep a run for the end, when the whole table's rows are there to decide its split.
    ``lines``: its figures were separate text cells (one per line), not digits run together."""
    runs = state.runs.setdefault(table, {})
    if key not in runs:
        runs[key] = (tokens, columns or {}, lines)


def _line_cells(values: list[Cell]) -> bool:
    """Figures printed as separate text cells (a capture with one cell per line), none of them a
    run of merged digits."""
    return bool(values) and all(v.col is None and not isinstance(v, Run) for v in values)


def _note_printed(state: _State, values: list[Cell], n_columns: int) -> None:
    """Evidence of a capture that printed a run of identical consecutive lines once: its rows
    print fewer figures than they have cells, and never two equal figures side by side (which
    such a capture cannot print). Counted over the text rows whose figures came one per line."""
    if not _line_cells(values):
        return
    shown = [clean(v.text) for v in values if not is_blank(v.text)]
    if not shown:
        return
    if len(shown) < n_columns:
        state.short_rows += 1
    if any(a == b for a, b in zip(shown, shown[1:])):
        state.repeated_rows += 1


def _collapsed(state: _State) -> bool:
    """Whether the capture printed equal consecutive cells once (see `_note_printed`): several
    rows short of figures and not one row with two equal figures side by side."""
    return state.short_rows >= 2 and state.repeated_rows == 0


def _map_applicants(spec: RowSpec, record: Record, state: _State) -> None:
    # The columns a text row prints: all seven, or six where the header has no 总计.
    printed = spec.columns if state.total_header_seen is not False else spec.columns[:-1]
    _note_printed(state, record.values, len(printed))
    merged = _run_tokens(record.values, merged_only=True)
    if merged:
        _defer(state, spec.table, spec.key, merged, {spec.key: printed})
        return
    by_position = _by_position(record.values, state.applicant_cols)
    if by_position and len(by_position) == N_APPLICANT:
        for key, cell in by_position.items():
            state.put(spec.table, spec.key, key, parse_value(cell.text))
        return
    values, columns = _values(record, N_APPLICANT), spec.columns
    if values is None and state.total_header_seen is False:
        values, columns = _values(record, N_APPLICANT - 1), printed
    if values is None:
        if by_position:  # a grid row with some columns missing: keep what is certain
            for key, cell in by_position.items():
                state.put(spec.table, spec.key, key, parse_value(cell.text))
            return
        # Text cells whose count does not fit: one of them may hold two figures ("00"), or a
        # figure may be broken over two of them, or the capture printed equal cells once.
        tokens = _run_tokens(record.values)
        if tokens:
            _defer(state, spec.table, spec.key, tokens, {spec.key: printed}, lines=_line_cells(record.values))
        return
    for key, cell in zip(columns, values):
        state.put(spec.table, spec.key, key, parse_value(cell.text))


def _by_position(values: list[Cell], colmap: dict[int, str]) -> dict[str, Cell] | None:
    """Value cells keyed through the header's grid columns (None if the header contradicts itself)."""
    if not colmap or any(v.col is None for v in values):
        return None
    out: dict[str, Cell] = {}
    for cell in values:
        key = colmap.get(cell.col)
        if key is None:  # a column the template does not have (小计, 备注): not ours to read
            continue
        if key in out and out[key].text != cell.text:
            return None
        out[key] = cell
    return out or None


def _header_keys(header: list[Cell]) -> list[str | None]:
    """Column keys under a table-2 header, one per header cell; a flattened header cell (text, no
    grid) may name several columns, read left to right."""
    keys: list[str | None] = []
    for cell in header:
        name = norm_label(cell.text)
        if cell.col is None and _PROSE.search(re.sub(r"[(（][^）)]*[)）]", "", name)):
            continue  # a sentence before the table, not a header cell
        if cell.col is None:
            found = [m.lastgroup for m in _ACTIVE_COL_ANY.finditer(name)]
            keys.extend(found or [None])
        else:
            keys.append(_first_key(_ACTIVE_COL, name))
    return keys


def _map_active(spec: RowSpec, record: Record, state: _State) -> None:
    header = state.active_header
    values = list(record.values)
    merged = _run_tokens(values, merged_only=True)
    yuan = _in_yuan(values, header)
    # Stated amounts are in 万元; a row printed in 元 is not compared with them.
    hints = {} if yuan else {c: v for (r, c), v in state.hints.get(spec.table, {}).items() if r == spec.key}
    if merged:
        # Digits run together: split into the columns the header names (or the template prints).
        columns = _text_columns(spec, header, state)
        if columns:
            for key, value in solver.split_row(merged, columns, hints=hints).items():
                state.put(spec.table, spec.key, key, _amount(key, value, yuan))
        return
    if _line_cells(values) and all(h.col is None for h in header):
        # Text with no grid: the figures fill the columns the header names (fragments of it
        # with no column name, "(" "单位" "万元", are not columns), in order, when they are as
        # many; otherwise the solver decides (a token may hold two cells, or stand for several
        # equal ones in a capture that printed equal consecutive cells once), or nothing does.
        columns = _text_columns(spec, header, state)
        trimmed = _strip_blanks(values)
        if not columns or not trimmed:
            return
        _note_printed(state, trimmed, len(columns))
        if len(trimmed) == len(columns):
            for key, cell in zip(columns, trimmed):
                state.put(spec.table, spec.key, key, _amount(key, parse_value(cell.text), yuan))
            return
        tokens = _run_tokens(trimmed)
        if tokens and not yuan:
            # Each line is a whole figure: with no sums in 表二 to check a cut, "10" is never 1|0.
            tokens = [solver.Choice((solver.parse_cell(t.text),)) if isinstance(t, solver.Piece)
                      and _WHOLE_FIGURE.fullmatch(t.text) else t for t in tokens]
            _defer(state, spec.table, spec.key, tokens, {spec.key: tuple(columns)}, lines=True)
        return
    keys: list[str | None] | None = None
    if header:
        if values and all(v.col is not None for v in values) and state.active_header_block == record.block \
                and all(h.col is not None for h in header):
            by_col = _header_columns(header)
            keys = [by_col.get(v.col) for v in values]
            named = [k for k in keys if k]
            # Word tables often merge cells differently in the header and in the figures' rows
            # (上一年项目数量 one column, 本年增/减 two; below, the first figure two columns, the
            # second one): two figures under one header column means the grid does not align them,
            # and their order under the header's columns (below) decides.
            if not named or len(set(named)) < len(named):
                keys = None
        if keys is None:
            # Right-align values under the header's cells: the row label's column is leftmost.
            trimmed = _strip_blanks(values)
            header_keys = _header_keys(header)
            if len(trimmed) <= len(header_keys):
                values = trimmed
                keys = header_keys[len(header_keys) - len(values):]
    if keys is None:
        trimmed = _strip_blanks(values)
        printed = ACTIVE_PRINTED[state.template or "2021"].get(spec.key, ())
        if len(trimmed) != len(printed):
            return
        values, keys = trimmed, list(printed)
    for key, cell in zip(keys, values):
        if key in spec.columns:
            state.put(spec.table, spec.key, key, _amount(key, parse_value(cell.text), yuan))


def _header_columns(header: list[Cell]) -> dict[int, str | None]:
    """Grid column → column key under a table-2 header. A merged header cell was kept once (its
    copies deduplicated with the label), so it also owns the columns up to the next header cell;
    an unmerged one owns only its own column."""
    out: dict[int, str | None] = {}
    for i, h in enumerate(header):
        key = _first_key(_ACTIVE_COL, norm_label(h.text))
        end = header[i + 1].col if h.origin is not None and i + 1 < len(header) else h.col + 1
        for col in range(h.col, max(end, h.col + 1)):
            out.setdefault(col, key)
    return out


_WHOLE_FIGURE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def _text_columns(spec: RowSpec, header: list[Cell], state: _State) -> list[str]:
    """The table-2 columns a text row fills: those its header names, or those the template prints
    for the row when there is no header (or it names columns the row does not have)."""
    columns = [k for k in _header_keys(header) if k] if header else []
    if columns and all(c in spec.columns for c in columns):
        return columns
    return list(ACTIVE_PRINTED[state.template or "2021"].get(spec.key, ()))


_YUAN_HEADER = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?元\s*[)）]|单位\s*[:：]\s*元")
_YUAN_CELL = re.compile(r"(?<!万)元")


def _in_yuan(values: list[Cell], header: list[Cell]) -> bool:
    """Amounts printed in 元 (a cell "984361元", a header "采购总金额（元）"), not the template's 万元."""
    return any(_YUAN_CELL.search(v.text) for v in values) or any(_YUAN_HEADER.search(h.text) for h in header or ())


def _amount(key: str, value, yuan: bool):
    """Amounts are kept in 万元, as the template asks for fees; 元 are converted."""
    if key == "amount" and yuan and value is not None:
        return round(value / 10000, 8)
    return value


def _strip_blanks(values: list[Cell]) -> list[Cell]:
    start, end = 0, len(values)
    while start < end and is_blank(values[start].text) and values[start].col is None:
        start += 1
    while end > start and is_blank(values[end - 1].text) and values[end - 1].col is None:
        end -= 1
    return values[start:end]


def _map_review(record: Record, names: list[str], state: _State) -> bool:
    """The usual layout: one row of 15 figures under a three-level header."""
    state.section = "review_litigation"
    if any(_first_key(_REVIEW_GROUP, n) for n in names[-1:]) and len(_strip_blanks(record.values)) == N_REVIEW:
        return False  # a per-group row ("行政复议 | 0 0 0 0 0"): handled by the row matcher
    cells = record.values
    header_row = bool(names) and not _prose(record.labels[-1]) and not _after_clause(record.labels, len(names) - 1) \
        and (_is_review_header(names[-1:]) or bool(_first_key(_REVIEW_COL, names[-1])) and _is_review_header(names))
    if header_row:
        _note_printed(state, cells, (len(state.review_groups) if len(state.review_groups) in (1, 3) else 3) * N_REVIEW)
    if cells and all(c.col is not None for c in cells) and state.review_cols:
        mapped = [(state.review_cols.get(c.col, (None, None)), c) for c in cells]
        complete = [(g, k, c) for (g, k), c in mapped if g and k]
        if len(complete) == 3 * N_REVIEW and len({(g, k) for g, k, _ in complete}) == 3 * N_REVIEW:
            for group, key, cell in complete:
                state.put("review_litigation", group, key, parse_value(cell.text))
            return True
    # By count: all three groups in the template's order, or the groups this block's header
    # names, in its order (a table split into its 行政复议 and 行政诉讼 parts).
    groups = [g for g, *_ in REVIEW_GROUPS]
    if len(state.review_groups) == 3:
        groups = state.review_groups
    values = _values(record, 3 * N_REVIEW)
    if values is None and state.review_groups:
        groups = state.review_groups
        values = _values(record, len(groups) * N_REVIEW)
    if values is None:
        # Figures run together: only right under the table's own header (not prose after the
        # table); a header broken over lines ends in its last column name ("尚未审结" / "总计").
        if names and not header_row:
            return False
        tokens = _run_tokens(record.values)
        if not tokens:
            return False
        groups = state.review_groups if len(state.review_groups) in (1, 3) else [g for g, *_ in REVIEW_GROUPS]
        _defer(state, "review_litigation", tuple(groups), tokens, lines=_line_cells(record.values))
        return True
    for i, cell in enumerate(values):
        key = REVIEW_COLUMNS[i % N_REVIEW][0]
        state.put("review_litigation", groups[i // N_REVIEW], key, parse_value(cell.text))
    return True


def _map_review_group(spec: RowSpec, record: Record, state: _State) -> None:
    _note_printed(state, record.values, N_REVIEW)
    values = _values(record, N_REVIEW)
    if values is None:
        tokens = _run_tokens(record.values)
        if tokens:
            _defer(state, spec.table, spec.key, tokens, lines=_line_cells(record.values))
        return
    for key, cell in zip(spec.columns, values):
        state.put(spec.table, spec.key, key, parse_value(cell.text))


def _solve_runs(state: _State) -> None:
    """Split the deferred runs of each table under its arithmetic, with the cells read exactly."""
    order = {(spec.table, spec.key): i for i, spec in enumerate(ROWS)}
    collapsed = _collapsed(state)
    for table, runs in state.runs.items():
        known = state.figures.get(table, {})
        columns: dict[str, tuple[str, ...]] = {}
        todo = {}
        for key, (tokens, cols, lines) in runs.items():
            rows = key if isinstance(key, tuple) else (key,)
            if all(row in known for row in rows):
                continue  # read exactly elsewhere: that reading stands
            if lines and collapsed and (table != "applications" or all("total" in cols.get(r, ("total",)) for r in rows)):
                # Each figure printed once for a run of equal consecutive cells. An applicant row
                # only with its 总计 printed: its own sum is what checks an expansion.
                todo[key] = solver.Printed(tokens, vanished=0, repeats=True)
            elif lines and table != "active":
                # One cell per line: a long figure may have been broken over two lines (at most
                # two figures in a row). Only where the table's sums can tell (表二 has none).
                todo[key] = solver.Printed(tokens, wrapped=2)
            else:
                todo[key] = tokens
            columns.update(cols)
        if not todo:
            continue
        # A capture collapses an empty cell (= 0) to nothing: one per run may have vanished.
        solution = solver.solve_table(table, todo, known={r: dict(v) for r, v in known.items()},
                                      template=state.template, columns=columns, vanished=1,
                                      hints=state.hints.get(table))
        for (row, col), value in sorted(solution.values.items(), key=lambda kv: order.get((table, kv[0][0]), 99)):
            state.put(table, row, col, value)
