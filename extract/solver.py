"""Split runs of digits whose cell boundaries were lost, using the template's own arithmetic.

Text captures, PDF text lines and OCR run a row's cells together: ``801000081`` is 80 | 1 | 0 |
0 | 0 | 0 | 81. This module enumerates every way a printed run can be cut into the row's cells
(no leading zeros, decimals and signs only where the column allows them), keeps the splits that
satisfy the row's own sums, then lets the table's identities (the balance rule, the outcome rows
summing to （七）总计, review groups) choose between rows. A cell is returned only when every
surviving reading gives it the same value; any other cell is left out, never guessed.

API
---
Tokens, what a reader saw of one printed run, left to right:

- ``Piece(text)``: digits holding one or more whole cells, boundaries inside unknown
  (``"801000081"``). A piece never splits a cell across its ends.
- ``Choice(values)``: exactly one cell with its alternative readings; a cell read for sure is
  ``Choice((v,))``. OCR passes e.g. ``Choice((10, 100, 1))`` for a possibly doubled or lost 0.
- ``tokenize(text)``: a run as printed → tokens. Whitespace and a sign (+/-) are cell boundaries,
  a zero mark (— / 无) standing alone is ``Choice((0,))``.

Cells are named ``(row, col)`` (any hashable names). One printed run is a ``Unit``:

- ``Unit(cells, readings, kinds=...)``: the cells the run covers, in printed order, and one or more
  alternative token lists (``readings``; OCR may offer ``801000081`` and ``80100081``). ``kinds``
  maps a cell to ``Kind(decimals, signed)``; the default is a non-negative integer.
- ``Unit.known(values)``: cells already read exactly ({cell: value}); they take part in the
  identities but are never changed.
- ``Unit(..., vanished=1)``: the run may have lost one blank cell (a capture collapses an empty
  cell, OCR drops a lone 0); tried only when no reading fills the cells without one.

``Identity(rule, left, right)``: sum(left cells) == sum(right cells).

``solve(units, identities, budget=...) -> Solution``:

- ``values``: {cell: value} for every cell that has one value in every reading that satisfies
  every identity (cells of ``known`` units included);
- ``ambiguous``: cells with several valid values (left out); ``unresolved``: cells of runs that
  cannot be split at all (wrong number of digits, over budget);
- ``status``: ``"unique"`` (one reading of the whole table), ``"ambiguous"``, ``"inconsistent"``
  (no reading satisfies every identity: an agency's arithmetic error, or a misread; each run is
  then decided by its own row sums only), ``"budget"`` (too many readings to enumerate: the same
  per-run fallback) or ``"unresolved"`` (no run could be split at all). ``consistent`` is True
  for the first two.

Template layer: ``solve_table(table, runs, known, template, columns)`` builds the units and the
identities of one template table (``applications``: 7 applicant columns per row;
``review_litigation``: a run keyed by a tuple of groups covers them in order, e.g. the 15 figures of
the review table printed as one run) and returns the ``Solution``. ``split_row(text, columns)``
decides one run with no table around it (a 表二 row), returning {col: value}.
``cell_options([[10, 100], [0], …])`` turns per-cell OCR alternatives into tokens.

Readers do not need to call this directly: a reader that sees merged figures hands them to
`extract.figures` as a ``figures.Run`` cell (a `Cell` subclass) after the row's label, and the
figure mapper splits them here with the whole table's cells.

Bounds: a run of more than ``MAX_RUN`` characters is not split, a count has at most
``MAX_COUNT_DIGITS`` digits; the enumeration of one run and the search over a table each stop
after ``budget`` steps and fall back to the conservative answer (a run that cannot be enumerated is
left out; a table search cut short keeps only what each run's own readings agree on), so a
pathological input costs a fraction of a second.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

from extract.numbers import ZERO_MARKS, clean
from extract.template import DECIMAL_COLUMNS, SIGNED_COLUMNS

Number = int | float
CellName = Hashable

MAX_RUN = 120          # characters in one run; a longer one is not a table row
MAX_CELL_DIGITS = 12   # integer digits of an amount (采购总金额 in 元 reaches 10)
MAX_COUNT_DIGITS = 9   # integer digits of a count (件, 项): 行政许可 of a province stays below 10^9
MAX_CELL_CHARS = MAX_CELL_DIGITS + 12  # with sign, thousands separators and decimals
MAX_CANDIDATES = 5000  # readings of one run that satisfy its own sums
DEFAULT_BUDGET = 20_000  # search steps for one run, and again for one table
_TOL = 1e-6


@dataclass(frozen=True)
class Piece:
    text: str


@dataclass(frozen=True)
class Choice:
    values: tuple[Number, ...]


Token = Piece | Choice


@dataclass(frozen=True)
class Kind:
    decimals: bool = False
    signed: bool = False


INT = Kind()

_COUNT = r"(?:0|[1-9]\d{0,%d}|[1-9]\d{0,2}(?:,\d{3}){1,2})" % (MAX_COUNT_DIGITS - 1)
_AMOUNT = r"(?:0|[1-9]\d{0,%d}|[1-9]\d{0,2}(?:,\d{3}){1,3})(?:\.\d{1,8})?" % (MAX_CELL_DIGITS - 1)
_CELL_RE = {
    Kind(False, False): re.compile(_COUNT),
    Kind(True, False): re.compile(_AMOUNT),
    Kind(False, True): re.compile(r"[+-]?" + _COUNT),
    Kind(True, True): re.compile(r"[+-]?" + _AMOUNT),
}
_RUN_PART = re.compile(r"[+-]?[\d.,]+|\S+")
# A unit printed after a figure: "2笔", "984361元", "4件".
_UNIT = re.compile(r"(?<=\d)(?:万元|元|件次|人次|件|个|条|项|笔|次|家|起|宗|份)")


def tokenize(text: str) -> list[Token]:
    """A run as printed → tokens: whitespace and signs are boundaries; lone zero marks are 0."""
    tokens: list[Token] = []
    for word in re.split(r"\s+", _UNIT.sub(" ", unicode_digits(text)).strip()):
        if not word:
            continue
        if word in ZERO_MARKS:
            tokens.append(Choice((0,)))
            continue
        for part in _RUN_PART.findall(word):
            if part in ZERO_MARKS:
                tokens.append(Choice((0,)))
            elif re.fullmatch(r"[+-]?[\d.,]+", part):
                tokens.append(Piece(part))
            else:
                return []  # not a run of figures
    return tokens


def unicode_digits(text: str) -> str:
    """Full-width digits and separators as ASCII, spaces kept (they are cell boundaries)."""
    return " ".join(clean(w) for w in (text or "").split())


def parse_cell(text: str) -> Number:
    t = text.replace(",", "")
    return float(t) if "." in t else int(t)


@dataclass(frozen=True)
class Identity:
    rule: str
    left: tuple[CellName, ...]
    right: tuple[CellName, ...]


@dataclass
class Unit:
    cells: tuple[CellName, ...]
    readings: list[list[Token]]
    kinds: Mapping[CellName, Kind] = field(default_factory=dict)
    fixed: bool = False  # values read exactly, not a run to split
    # Blank cells (= 0) that may have vanished from the run: a capture collapses an empty table
    # cell to nothing, OCR loses a lone 0. Tried only when no reading fills the cells without.
    vanished: int = 0

    @classmethod
    def known(cls, values: Mapping[CellName, Number]) -> "Unit":
        cells = tuple(values)
        return cls(cells, [[Choice((values[c],)) for c in cells]], fixed=True)

    def kind(self, cell: CellName) -> Kind:
        return self.kinds.get(cell, INT)


@dataclass
class Solution:
    values: dict[CellName, Number]
    ambiguous: set[CellName]
    unresolved: set[CellName]
    status: str

    @property
    def consistent(self) -> bool:
        return self.status in ("unique", "ambiguous")


class _OverBudget(Exception):
    pass


class _Steps:
    def __init__(self, budget: int):
        self.left = budget

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OverBudget


# ---------------------------------------------------------------------------------------------
# One run → its readings


def candidates(unit: Unit, identities: Sequence[Identity] = (), budget: int = DEFAULT_BUDGET,
               ) -> list[tuple[Number, ...]] | None:
    """Every split of the unit's readings into its cells satisfying the identities local to it.

    None when the run is too long or too ambiguous to enumerate within the budget.
    """
    index = {c: i for i, c in enumerate(unit.cells)}
    local = [idt for idt in identities if all(c in index for c in idt.left + idt.right)]
    out: set[tuple[Number, ...]] = set()
    steps = _Steps(budget)
    try:
        for tokens in unit.readings:
            if sum(len(t.text) for t in tokens if isinstance(t, Piece)) > MAX_RUN:
                return None
            _split(unit, tokens, index, local, steps, out)
            if len(out) > MAX_CANDIDATES:
                return None
        if not out and unit.vanished:
            for tokens in unit.readings:
                for with_blank in _with_blanks(tokens, unit.vanished):
                    _split(unit, with_blank, index, local, steps, out)
                    if len(out) > MAX_CANDIDATES:
                        return None
    except _OverBudget:
        return None
    return sorted(out, key=lambda c: tuple(float(v) for v in c))


def _with_blanks(tokens: list[Token], count: int) -> Iterable[list[Token]]:
    """The token list with `count` zero cells put back at every cell boundary that can be."""
    if count <= 0:
        yield tokens
        return
    seen = set()
    for k in range(len(tokens) + 1):
        heads = [(tokens[:k], tokens[k:])]
        if k < len(tokens) and isinstance(tokens[k], Piece):
            text = tokens[k].text
            heads += [(tokens[:k] + [Piece(text[:c])], [Piece(text[c:])] + tokens[k + 1:])
                      for c in range(1, len(text))]
        for head, tail in heads:
            for rest in _with_blanks(tail, count - 1):
                option = head + [Choice((0,))] + rest
                key = tuple(option)
                if key not in seen:
                    seen.add(key)
                    yield option


def _split(unit, tokens, index, local, steps, out) -> None:
    """Right to left, so a row's 总计 (printed last) is known before its parts are cut, and a
    branch ends as soon as what is left of the total cannot be made of the digits left."""
    n = len(unit.cells)
    kinds = [unit.kind(c) for c in unit.cells]
    regexes = [_CELL_RE[k] for k in kinds]
    plain = [k == INT for k in kinds]
    rules = [([index[c] for c in idt.left], [index[c] for c in idt.right]) for idt in local]
    rules_of = [[r for r in rules if i in r[0] or i in r[1]] for i in range(n)]
    values: list[Number | None] = [None] * n
    lengths = [len(t.text) if isinstance(t, Piece) else 1 for t in tokens]
    # Cells the tokens before token j can hold at least (one each) and at most (one per character).
    before_lo = [0] * (len(tokens) + 1)
    before_hi = [0] * (len(tokens) + 1)
    only_pieces = [True] * (len(tokens) + 1)
    for k, t in enumerate(tokens):
        before_lo[k + 1] = before_lo[k] + 1
        before_hi[k + 1] = before_hi[k] + lengths[k]
        only_pieces[k + 1] = only_pieces[k] and isinstance(t, Piece)

    def feasible(i: int, chars_left: int, pieces_left: bool) -> bool:
        for left, right in rules_of[i]:
            if any(values[p] is None for p in right):
                continue
            rest = sum(values[p] for p in right) - sum(values[p] for p in left if values[p] is not None)
            todo = [p for p in left if values[p] is None]
            if not todo:
                if abs(rest) > _TOL:
                    return False
                continue
            if rest < -_TOL and all(kinds[p].signed is False for p in todo):
                return False
            # The parts still to cut are exactly the cells left of i: their digits are all that is
            # left, which bounds their sum (k integer cells from L digits, no leading zeros).
            if pieces_left and len(todo) == i and all(plain[p] for p in todo):
                k, length = i, chars_left
                longest = -(-length // k)
                least = 10 ** (longest - 1) if longest > 1 else 0
                most = 10 ** (length - k + 1) + 9 * k
                if not least - _TOL <= rest <= most:
                    return False
        return True

    def walk(i: int, j: int, end: int) -> None:
        steps.tick()
        if i < 0:
            if j < 0:  # every token used up
                out.add(tuple(values))
            return
        if j < 0:
            return
        # Cells i..0 must fit in what is left: token j up to `end`, and the tokens before it.
        if not before_lo[j] + 1 <= i + 1 <= before_hi[j] + end:
            return
        t = tokens[j]
        if isinstance(t, Choice):
            for v in t.values:
                if v < 0 and not kinds[i].signed or isinstance(v, float) and not kinds[i].decimals and v != int(v):
                    continue
                values[i] = v
                if feasible(i, before_hi[j], only_pieces[j]):
                    walk(i - 1, j - 1, lengths[j - 1] if j > 0 else 0)
            values[i] = None
            return
        text = t.text
        for start in range(end - 1, max(-1, end - MAX_CELL_CHARS - 1), -1):
            steps.tick()
            piece = text[start:end]
            if not regexes[i].fullmatch(piece):
                continue
            values[i] = parse_cell(piece)
            if start == 0:
                if feasible(i, before_hi[j], only_pieces[j]):
                    walk(i - 1, j - 1, lengths[j - 1] if j > 0 else 0)
            elif feasible(i, before_hi[j] + start, only_pieces[j + 1]):
                walk(i - 1, j, start)
        values[i] = None

    if n == 0 or not tokens:
        return
    walk(n - 1, len(tokens) - 1, lengths[-1])


# ---------------------------------------------------------------------------------------------
# A table of runs → one solution


def solve(units: Sequence[Unit], identities: Sequence[Identity] = (), budget: int = DEFAULT_BUDGET) -> Solution:
    """Decide every cell the runs and the identities pin down; see the module docstring."""
    cands: list[list[tuple[Number, ...]]] = []
    unresolved: set[CellName] = set()
    live: list[Unit] = []
    for unit in units:
        found = candidates(unit, identities, budget)
        if not found:
            found = _as_printed(unit, budget) if found is not None else None
        if not found:
            unresolved.update(unit.cells)
            continue
        live.append(unit)
        cands.append(found)
    where = {c: (u, i) for u, unit in enumerate(live) for i, c in enumerate(unit.cells)}
    # Identities over cells that are not there (a row not printed, a run that could not be split)
    # say nothing; those local to one run were applied while splitting it.
    usable = [idt for idt in identities
              if all(c in where for c in idt.left + idt.right)
              and len({where[c][0] for c in idt.left + idt.right}) > 1]
    if not live:
        return Solution({}, set(), unresolved, "unresolved")
    status, per_cell = _search(live, cands, where, usable, budget)
    if status in ("inconsistent", "budget"):
        per_cell = {c: {cand[i] for cand in cands[u]} for c, (u, i) in where.items()}
    values, ambiguous = {}, set()
    for cell, seen in per_cell.items():
        if len(seen) == 1:
            values[cell] = next(iter(seen))
        else:
            ambiguous.add(cell)
    if status == "unique" and ambiguous:
        status = "ambiguous"
    return Solution(values, ambiguous, unresolved, status)


def _as_printed(unit: Unit, budget: int) -> list[tuple[Number, ...]] | None:
    """A run that breaks its own row sums is kept as printed (the agency's error, for the checks
    to report) only when nothing had to be cut: one token per cell, each a whole cell."""
    if len(unit.readings) != 1 or len(unit.readings[0]) != len(unit.cells):
        return None
    found = candidates(unit, (), budget)
    return found if found and len(found) == 1 else None


def _search(units, cands, where, identities, budget) -> tuple[str, dict[CellName, set[Number]]]:
    per_cell: dict[CellName, set[Number]] = {c: set() for c in where}
    touching: dict[int, list[Identity]] = {}
    for idt in identities:
        for u in {where[c][0] for c in idt.left + idt.right}:
            touching.setdefault(u, []).append(idt)
    lo = {c: min(cands[u][k][i] for k in range(len(cands[u]))) for c, (u, i) in where.items()}
    hi = {c: max(cands[u][k][i] for k in range(len(cands[u]))) for c, (u, i) in where.items()}
    chosen: dict[int, tuple[Number, ...]] = {}
    order = sorted(range(len(units)), key=lambda u: len(cands[u]))
    open_cells = [c for c, (u, _i) in where.items() if len(cands[u]) > 1]
    steps = _Steps(budget)
    found = 0

    def value_range(cell):
        u, i = where[cell]
        if u in chosen:
            v = chosen[u][i]
            return v, v
        return lo[cell], hi[cell]

    def holds(idt: Identity) -> bool:
        llo = lhi = rlo = rhi = 0
        for c in idt.left:
            a, b = value_range(c)
            llo, lhi = llo + a, lhi + b
        for c in idt.right:
            a, b = value_range(c)
            rlo, rhi = rlo + a, rhi + b
        return llo <= rhi + _TOL and rlo <= lhi + _TOL

    class _Done(Exception):
        pass

    def record() -> None:
        nonlocal found
        found += 1
        for c, (u, i) in where.items():
            per_cell[c].add(chosen[u][i])
        # Once every open cell has shown two values, more readings cannot change the answer.
        if all(len(per_cell[c]) > 1 for c in open_cells):
            raise _Done

    def walk(k: int) -> None:
        steps.tick()
        if k == len(order):
            record()
            return
        u = order[k]
        for cand in cands[u]:
            chosen[u] = cand
            if all(holds(idt) for idt in touching.get(u, ())):
                walk(k + 1)
        del chosen[u]

    try:
        walk(0)
    except _Done:
        pass
    except _OverBudget:
        return "budget", per_cell
    if not found:
        return "inconsistent", per_cell
    return "unique", per_cell


# ---------------------------------------------------------------------------------------------
# The template's tables


def kind_of(col: str) -> Kind:
    return Kind(decimals=col in DECIMAL_COLUMNS, signed=col in SIGNED_COLUMNS)


def split_row(text_or_tokens: str | Sequence[Token], columns: Sequence[str],
              budget: int = DEFAULT_BUDGET) -> dict[str, Number]:
    """One run with no table around it (a 表二 row): {col: value} for the cells it pins down."""
    tokens = tokenize(text_or_tokens) if isinstance(text_or_tokens, str) else list(text_or_tokens)
    if not tokens:
        return {}
    unit = Unit(tuple(columns), [tokens], {c: kind_of(c) for c in columns})
    return solve([unit], (), budget).values


def solve_table(table: str, runs: Mapping[str | tuple[str, ...], str | Sequence[Token] | Sequence[Sequence[Token]]],
                known: Mapping[str, Mapping[str, Number]] | None = None, template: str | None = None,
                columns: Mapping[str, Sequence[str]] | None = None, budget: int = DEFAULT_BUDGET,
                vanished: int = 0) -> Solution:
    """Runs of one template table → Solution with cells named (row, col).

    ``runs``: {row: run} where a run is the printed text, a token list, or a list of alternative
    token lists; a key that is a tuple of rows is one run over those rows in order. ``known``:
    {row: {col: value}} read exactly. ``columns``: the printed columns of a row when they differ
    from the template's (a table without its 总计 column). ``vanished``: how many blank cells (0)
    a run may have lost (see `Unit.vanished`).
    """
    from extract.checks import identities as template_identities

    units: list[Unit] = []
    covered: set[str] = set()
    for key, run in runs.items():
        rows = key if isinstance(key, tuple) else (key,)
        cells = tuple((row, col) for row in rows for col in _columns(table, row, columns))
        readings = _readings(run)
        if not readings:
            continue
        units.append(Unit(cells, readings, {c: kind_of(c[1]) for c in cells}, vanished=vanished))
        covered.update(rows)
    for row, values in (known or {}).items():
        if row not in covered and values:
            units.append(Unit.known({(row, col): v for col, v in values.items()}))
    rows_present = {c[0] for unit in units for c in unit.cells}
    idts = [Identity(rule, left, right) for rule, left, right in template_identities(table, template, rows_present)]
    return solve(units, idts, budget)


def _columns(table: str, row: str, columns: Mapping[str, Sequence[str]] | None) -> Sequence[str]:
    from extract.template import ROWS_BY_KEY

    if columns and row in columns:
        return columns[row]
    return ROWS_BY_KEY[(table, row)].columns


def _readings(run) -> list[list[Token]]:
    if isinstance(run, str):
        tokens = tokenize(run)
        return [tokens] if tokens else []
    run = list(run)
    if run and all(isinstance(t, (Piece, Choice)) for t in run):
        return [run]
    return [list(r) for r in run if r]


def cell_options(options: Iterable[Iterable[Number]]) -> list[Token]:
    """Per-cell alternatives (OCR) as tokens: [[12], [0, 8], [12, 120]] → three Choices."""
    return [Choice(tuple(dict.fromkeys(opts))) for opts in options]


__all__ = ["Choice", "Identity", "Kind", "Piece", "Solution", "Unit", "candidates", "cell_options",
           "solve", "solve_table", "split_row", "tokenize"]
