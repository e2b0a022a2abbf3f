"""Map rows of cells (from any reader) onto the template's figures.

Rows are found by their labels, never by position alone; columns by their headers when the
source has a real grid, otherwise by the template's fixed column order when the count of values
is exactly what the row needs. A cell that cannot be located is left out, never invented.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.document import Block, Cell, Row
from extract.numbers import clean, is_blank, is_value, parse_value
from extract.report import Figures
from extract.template import (
    ACTIVE_COLUMNS,
    APPLICANT_COLUMNS,
    GROUP_HEADINGS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    ROWS,
    TEMPLATE_2019_MARKERS,
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
_ACTIVE_COL = [(key, re.compile(p)) for key, p in ACTIVE_COLUMNS]
_REVIEW_HEADER = re.compile(r"行政复议")
_REVIEW_HEADER_2 = re.compile(r"行政诉讼|结果维持|复议后起诉|直接起诉")
_NUMBER_RUN = re.compile(r"^\s*(?:[\d.,，０-９]+|[—\-/／无]+)(?:\s+(?:[\d.,，０-９]+|[—\-/／无]+))+\s*$")

N_APPLICANT = len(APPLICANT_COLUMNS)
N_REVIEW = len(REVIEW_COLUMNS)


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

    def put(self, table: str, row: str, col: str, value) -> None:
        self.figures.setdefault(table, {}).setdefault(row, {}).setdefault(col, value)


def find_figures(blocks: list[Block]) -> Figures:
    """All template figures found in the blocks, first occurrence of each cell winning."""
    state = _State()
    for index, block in enumerate(blocks):
        state.applicant_cols, state.review_cols, state.review_groups = {}, {}, []
        rows = block.rows if block.rows_known else _segment_stream(block.rows)
        for row in rows:
            record = _split(row, index)
            if record is not None:
                _consume(record, state)
    return state.figures


def _split(row: Row, block: int) -> Record | None:
    cells = _explode_number_runs(row)
    last_label = -1
    for i, cell in enumerate(cells):
        if not is_value(cell.text):
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
    if not any(c.col is None and _NUMBER_RUN.match(c.text) for c in row):
        return row
    out: Row = []
    for cell in row:
        if cell.col is None and _NUMBER_RUN.match(cell.text):
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
        value = is_value(cell.text)
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
    for name in names:
        if name in GROUP_HEADINGS:
            state.group_heading = name
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
    # Table 1 headers, including 2019-template ones none of whose columns map (so that their
    # figures are not read with the 2021 column order).
    if any(_first_key(_ACTIVE_COL, n) for n in names) or any(n == "信息内容" or TEMPLATE_2019_MARKERS.search(n) for n in names):
        state.active_header = record.labels
        state.active_header_block = record.block
    applicant_hits = [k for n in names for k, p in _APPLICANT if p.search(n)]
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


def _first_key(specs, name: str) -> str | None:
    for key, pattern in specs:
        if pattern.search(name):
            return key
    return None


def _match_row(record: Record, names: list[str], state: _State) -> tuple[RowSpec | None, str]:
    # Scan labels right to left: the most specific label sits next to the figures; cells to its
    # left are group labels (三、本年度办理结果 / （三）不予公开) or notes. Within one label, try its
    # last numbered part first ("三、本年度办理结果（一）予以公开" in one cell).
    for i in range(len(names) - 1, -1, -1):
        before = "".join(names[:i])
        for head, name in _label_parts(names[i]):
            context = before + head or state.group_heading
            for spec in ROWS:
                if not spec.pattern.search(name):
                    continue
                if spec.group and not spec.group.search(context):
                    continue
                if spec.section_only and state.section not in (None, spec.table):
                    continue
                return spec, context
    return None, ""


def _label_parts(name: str) -> list[tuple[str, str]]:
    """(text before, label) pairs: the part after the last inner numbering, then the whole."""
    marks = list(_INNER_NUMBERING.finditer(name))
    if marks and marks[-1].end() < len(name):
        cut = marks[-1]
        return [(name[: cut.start()], name[cut.end():]), ("", name)]
    return [("", name)]


def _values(record: Record, n: int) -> list[Cell] | None:
    """Exactly n value cells in order, dropping surplus leading blanks (empty label columns)."""
    values = list(record.values)
    while len(values) > n and is_blank(values[0].text):
        values.pop(0)
    while len(values) > n and is_blank(values[-1].text):
        values.pop()
    return values if len(values) == n else None


def _map_applicants(spec: RowSpec, record: Record, state: _State) -> None:
    by_position = _by_position(record.values, state.applicant_cols)
    if by_position and len(by_position) == N_APPLICANT:
        for key, cell in by_position.items():
            state.put(spec.table, spec.key, key, parse_value(cell.text))
        return
    values = _values(record, N_APPLICANT)
    columns = spec.columns
    if values is None and state.total_header_seen is False:
        values, columns = _values(record, N_APPLICANT - 1), spec.columns[:-1]
    if values is None:
        if by_position:  # a grid row with some columns missing: keep what is certain
            for key, cell in by_position.items():
                state.put(spec.table, spec.key, key, parse_value(cell.text))
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


def _map_active(spec: RowSpec, record: Record, state: _State) -> None:
    header = state.active_header
    values = list(record.values)
    keys: list[str | None] | None = None
    if header:
        if values and all(v.col is not None for v in values) and state.active_header_block == record.block \
                and all(h.col is not None for h in header):
            by_col = {h.col: _first_key(_ACTIVE_COL, norm_label(h.text)) for h in header}
            keys = [by_col.get(v.col) for v in values]
            if not any(keys):
                keys = None
        if keys is None:
            # Right-align values under the header's cells: the row label's column is leftmost.
            trimmed = _strip_blanks(values)
            if len(trimmed) <= len(header):
                values = trimmed
                keys = [_first_key(_ACTIVE_COL, norm_label(h.text)) for h in header[len(header) - len(values):]]
    if keys is None:
        trimmed = _strip_blanks(values)
        if len(trimmed) != len(spec.columns):
            return
        values, keys = trimmed, list(spec.columns)
    for key, cell in zip(keys, values):
        if key in spec.columns:
            state.put(spec.table, spec.key, key, parse_value(cell.text))


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
        return False
    for i, cell in enumerate(values):
        key = REVIEW_COLUMNS[i % N_REVIEW][0]
        state.put("review_litigation", groups[i // N_REVIEW], key, parse_value(cell.text))
    return True


def _map_review_group(spec: RowSpec, record: Record, state: _State) -> None:
    values = _values(record, N_REVIEW)
    if values is None:
        return
    for key, cell in zip(spec.columns, values):
        state.put(spec.table, spec.key, key, parse_value(cell.text))
