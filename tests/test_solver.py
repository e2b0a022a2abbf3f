"""The digit-run solver: splits by the template's arithmetic, leaves ambiguous cells out, stays
bounded on pathological input. Runs are taken from real captures where possible
(tests/fixtures/captures, 平潭综合实验区 2025 and 2019)."""
import time

from extract.solver import (
    Choice, Identity, Piece, Unit, candidates, cell_options, solve, solve_table, split_row, tokenize,
)

APP = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
       "legal_service_org", "other_org", "total")
REVIEW_ALL = ("review", "litigation_direct", "litigation_after_review")


def row(values: str) -> dict:
    return dict(zip(APP, map(int, values.split())))


def cells_of(solution, name):
    return {col: v for (r, col), v in solution.values.items() if r == name}


def test_tokenize_spaces_signs_and_zero_marks():
    assert tokenize("230 000023") == [Piece("230"), Piece("000023")]
    assert tokenize("0 0 0 0 0 00") == [Choice((0,))] * 5 + [Piece("00")]
    assert tokenize("36+2 2345") == [Piece("36"), Piece("+2"), Piece("2345")]
    assert tokenize("— 5 无") == [Choice((0,)), Piece("5"), Choice((0,))]
    assert tokenize("１２　３") == [Piece("12"), Piece("3")]
    assert tokenize("2笔 984361元") == [Piece("2"), Piece("984361")]  # units follow figures
    assert tokenize("2025年") == []  # not a run of figures


def test_a_row_split_by_its_own_total():
    # 平潭 2025, 一、本年新收: 151|3|0|0|0|0|154 is the only split whose parts add up to the total
    s = solve_table("applications", {"new_received": "15130000154"})
    assert cells_of(s, "new_received") == row("151 3 0 0 0 0 154")
    assert s.status == "unique"


def test_spaces_are_cell_boundaries():
    # 平潭 2019 prints some rows with stray spaces: '230 000023', '23 0 00 0 023', '0 0 0 0 0 00'
    s = solve_table("applications", {"new_received": "230 000023", "total_processed": "23 0 00 0 023",
                                     "other_processing": "0 0 0 0 0 00"}, template="2019")
    assert cells_of(s, "new_received") == row("23 0 0 0 0 0 23")
    assert cells_of(s, "total_processed") == row("23 0 0 0 0 0 23")
    assert cells_of(s, "other_processing") == row("0 0 0 0 0 0 0")


def test_the_whole_review_table_as_one_run():
    # 平潭 2025: the 15 figures of table 4 in one run, three groups of four parts and a total
    s = solve_table("review_litigation", {REVIEW_ALL: "25380363300630003"})
    assert s.status == "unique"
    assert cells_of(s, "review") == {"upheld": 25, "corrected": 3, "other": 8, "pending": 0, "total": 36}
    assert cells_of(s, "litigation_direct") == {"upheld": 3, "corrected": 3, "other": 0, "pending": 0, "total": 6}
    assert cells_of(s, "litigation_after_review") == {"upheld": 3, "corrected": 0, "other": 0, "pending": 0, "total": 3}


def test_every_valid_reading_is_enumerated():
    found = candidates(Unit(tuple(APP), [tokenize("110000011")]), [Identity("t", tuple(APP[:6]), (APP[6],))])
    assert found == [(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)]


def test_ambiguous_run_keeps_only_the_cells_every_reading_agrees_on():
    # '110000011' reads 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11: the first two cells differ, the rest
    # (and the total) are the same in both readings
    s = solve_table("applications", {"granted": "110000011"})
    assert s.status == "ambiguous"
    assert cells_of(s, "granted") == {"research_institution": 0, "social_welfare_org": 0,
                                      "legal_service_org": 0, "other_org": 0, "total": 11}
    assert s.ambiguous == {("granted", "natural_person"), ("granted", "commercial_enterprise")}


def test_table_identities_choose_between_row_readings():
    # Alone, '110000011' has two readings (above); the column sums pick one: no commercial
    # enterprise applied according to the rest of the table.
    zeros = row("0 0 0 0 0 0 0")
    known = {"new_received": row("11 0 0 0 0 0 11"), "carried_over": zeros,
             "total_processed": row("11 0 0 0 0 0 11"), "carried_forward": zeros}
    for key in ("partially_granted", "denied_state_secret", "denied_prohibited_by_law",
                "denied_security_stability", "denied_third_party_rights", "denied_internal_affairs",
                "denied_process_info", "denied_enforcement_files", "denied_admin_inquiry",
                "unable_not_held", "unable_needs_creation", "unable_unclear", "unprocessed_petition",
                "unprocessed_duplicate", "unprocessed_publication", "unprocessed_excessive",
                "unprocessed_reconfirm", "other_no_correction", "other_unpaid_fee", "other_other"):
        known[key] = zeros
    s = solve_table("applications", {"granted": "110000011"}, known=known, template="2021")
    assert s.status == "unique"
    assert cells_of(s, "granted") == row("11 0 0 0 0 0 11")
    # the same run under the 2019 template sums （六）其他处理 instead of the three 2021 rows
    known_2019 = {k: v for k, v in known.items() if not k.startswith("other_")}
    known_2019["other_processing"] = zeros
    s = solve_table("applications", {"granted": "110000011"}, known=known_2019, template="2019")
    assert cells_of(s, "granted") == row("11 0 0 0 0 0 11")


def test_balance_rule_decides_a_merged_total_row():
    # 总计 '14710000148' splits as 147|1|0|0|0|0|148 only; carried_forward 4|2 balances the columns
    s = solve_table("applications", {"new_received": "15130000154", "carried_over": "0000000",
                                     "total_processed": "14710000148", "carried_forward": "4200006"})
    assert cells_of(s, "total_processed") == row("147 1 0 0 0 0 148")
    assert cells_of(s, "carried_forward") == row("4 2 0 0 0 0 6")


def test_inconsistent_table_falls_back_to_each_runs_own_sums():
    # A balance that cannot hold (the agency's error): no reading satisfies every identity, so each
    # run is decided by its own row sum alone, never by the broken identity.
    s = solve_table("applications", {"new_received": "3000003", "carried_over": "0000000",
                                     "total_processed": "2000002", "carried_forward": "0000000"})
    assert s.status == "inconsistent"
    assert cells_of(s, "new_received") == row("3 0 0 0 0 0 3")
    assert cells_of(s, "total_processed") == row("2 0 0 0 0 0 2")


def test_a_run_that_cannot_fill_its_columns_is_absent():
    s = solve_table("applications", {"new_received": "1234"})
    assert s.values == {} and s.unresolved == {("new_received", c) for c in APP}


def test_a_run_breaking_its_own_sum_is_absent_unless_nothing_was_cut():
    # digits had to be cut and no cut adds up: nothing is kept
    s = solve_table("applications", {"new_received": "1200000"})
    assert s.values == {}
    # one printed token per cell (the reader saw every boundary): kept as printed, for the checks
    s = solve_table("applications", {"new_received": "4 1 0 0 0 0 4"})
    assert cells_of(s, "new_received") == row("4 1 0 0 0 0 4")


def test_active_rows_with_no_identity():
    assert split_row("000", ("made", "repealed", "in_force")) == {"made": 0, "repealed": 0, "in_force": 0}
    # 平潭 2025 行政规范性文件 '5845546' (58|45|546 in the page): many readings, nothing kept
    assert split_row("5845546", ("made", "repealed", "in_force")) == {}
    assert split_row("2418", ("decisions",)) == {"decisions": 2418}
    assert split_row("4166.241619", ("amount",)) == {"amount": 4166.241619}
    # 平潭 2019 行政事业性收费 '350' = 35|0 in the page; 3|50 splits too: absent
    assert split_row("350", ("items_previous", "items_change")) == {}
    # a sign is a boundary and only 本年增/减 may carry one
    assert split_row("36 -2 2345", ("items_previous", "items_change", "decisions")) == \
        {"items_previous": 36, "items_change": -2, "decisions": 2345}
    assert split_row("-2 36 2345", ("items_previous", "items_change", "decisions")) == {}


def test_decimals_only_where_the_column_allows():
    assert split_row("12.5", ("decisions",)) == {}
    assert split_row("0.0325", ("amount",)) == {"amount": 0.0325}
    # items | amount: '135' '75394432.52' has one split with the decimal point in the amount only
    assert split_row("6 135.2", ("items", "amount")) == {"items": 6, "amount": 135.2}


def test_ocr_alternatives_repair_a_lost_or_doubled_zero():
    # OCR offers 10 or 100 for one cell and 0 or 00-as-two-cells elsewhere; the row sum decides
    tokens = cell_options([[10, 100], [0], [0], [0], [0], [0], [100]])
    s = solve([Unit(tuple(APP), [tokens])], [Identity("t", tuple(APP[:6]), (APP[6],))])
    assert s.values[APP[0]] == 100
    # alternative readings of a whole run: '80100081' (a 0 lost) or '801000081'
    s = solve_table("applications", {"new_received": [tokenize("80100081"), tokenize("801000081")]})
    assert cells_of(s, "new_received") == row("80 1 0 0 0 0 81")


def test_known_cells_are_never_changed_and_take_part():
    s = solve_table("applications", {"carried_forward": "110000011"},
                    known={"new_received": row("12 0 0 0 0 0 12"), "carried_over": row("0 0 0 0 0 0 0"),
                           "total_processed": row("1 0 0 0 0 0 1")})
    assert cells_of(s, "new_received") == row("12 0 0 0 0 0 12")
    assert cells_of(s, "carried_forward") == row("11 0 0 0 0 0 11")


def test_pathological_inputs_stay_bounded():
    start = time.perf_counter()
    # a long zero-free run: astronomically many splits, none enumerated past the budget
    s = solve_table("applications", {"new_received": "123456789" * 4})
    assert s.values == {}
    # too long to be a table row at all
    assert split_row("9" * 500, ("made", "repealed", "in_force")) == {}
    # every row of table 3 ambiguous at once (six readings each, 6^6 tables): the search stops
    # within its budget, and what every reading of each run shares is all that is kept
    runs = {key: "1111111111116" for key in ("granted", "partially_granted", "denied_state_secret",
                                             "unable_not_held", "unprocessed_petition", "other_other")}
    s = solve_table("applications", runs, budget=2_000)
    assert s.values == {(key, "total"): 1116 for key in runs}
    # many alternatives per cell
    s = solve([Unit(tuple(f"c{i}" for i in range(15)), [cell_options([range(50)] * 15)])], (), budget=5_000)
    assert s.values == {}
    assert time.perf_counter() - start < 60  # generous: the machine is shared; bounded, not fast


def test_a_vanished_blank_cell_is_tried_only_when_nothing_fills_the_row():
    # a capture collapses an empty cell (= 0): '0 00000' is six digits for seven cells
    assert cells_of(solve_table("applications", {"new_received": "0 00000"}, vanished=1), "new_received") == \
        row("0 0 0 0 0 0 0")
    # where the blank was changes the first cells, not the total
    s = solve_table("applications", {"new_received": "12 0 0 0 0 12"}, vanished=1)
    assert s.values[("new_received", "total")] == 12 and ("new_received", "natural_person") in s.ambiguous
    # a row that fills its cells as printed is never given an extra blank
    s = solve_table("applications", {"new_received": "4100005"}, vanished=1)
    assert cells_of(s, "new_received") == row("4 1 0 0 0 0 5")
    assert solve_table("applications", {"new_received": "0 00000"}).values == {}


def test_label_numbering_and_zeros_touch_in_captures():
    # '1.属于国家秘密00000002.其他法律…': the reader hands the solver '0000000' (the 2 is the next
    # label's numbering); the solver sees seven zeros.
    s = solve_table("applications", {"denied_state_secret": "0000000"})
    assert cells_of(s, "denied_state_secret") == row("0 0 0 0 0 0 0")
