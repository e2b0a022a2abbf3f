from extract.checks import evaluate

COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"]


def row(*values):
    return dict(zip(COLS, values))


def test_balance_and_row_totals():
    figures = {"applications": {
        "new_received": row(4, 0, 0, 0, 0, 0, 4),
        "carried_over": row(1, 0, 0, 0, 0, 0, 1),
        "total_processed": row(5, 0, 0, 0, 0, 0, 5),
        "carried_forward": row(0, 0, 0, 0, 0, 0, 0),
    }}
    checks = {c.rule: c for c in evaluate(figures)}
    assert checks["applications.balance.total"].ok
    assert checks["applications.balance.total"].detail == "4+1 = 5+0"
    assert checks["applications.row_total.new_received"].ok
    # outcome rows missing: the total_processed check is not evaluated rather than failed
    assert "applications.total_processed.total" not in checks


def test_failures_are_reported_with_detail():
    figures = {"applications": {
        "new_received": row(4, 1, 0, 0, 0, 0, 4),   # row total wrong: 4+1 != 4
        "carried_over": row(0, 0, 0, 0, 0, 0, 0),
        "total_processed": row(3, 1, 0, 0, 0, 0, 4),
        "carried_forward": row(0, 0, 0, 0, 0, 0, 0),
    }, "review_litigation": {"review": {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 3}}}
    checks = {c.rule: c for c in evaluate(figures)}
    assert not checks["applications.row_total.new_received"].ok
    assert "= 5, 总计 = 4" in checks["applications.row_total.new_received"].detail
    assert not checks["applications.balance.natural_person"].ok
    assert "≠" in checks["applications.balance.natural_person"].detail
    assert not checks["review_litigation.review.total"].ok


def test_total_processed_sums_the_21_outcome_rows():
    from extract.checks import OUTCOME_ROWS
    assert len(OUTCOME_ROWS) == 21
    apps = {key: row(0, 0, 0, 0, 0, 0, 0) for key in OUTCOME_ROWS}
    apps["granted"] = row(2, 0, 0, 0, 0, 0, 2)
    apps["total_processed"] = row(2, 0, 0, 0, 0, 0, 3)
    checks = {c.rule: c for c in evaluate({"applications": apps})}
    assert checks["applications.total_processed.natural_person"].ok
    assert not checks["applications.total_processed.total"].ok


def test_2019_total_processed_sums_the_single_other_processing_row():
    from extract.checks import OUTCOME_ROWS, OUTCOME_ROWS_2019
    assert len(OUTCOME_ROWS_2019) == 19 and "other_processing" in OUTCOME_ROWS_2019
    assert not {"other_no_correction", "other_unpaid_fee", "other_other"} & set(OUTCOME_ROWS_2019)
    apps = {key: row(0, 0, 0, 0, 0, 0, 0) for key in OUTCOME_ROWS_2019}
    apps["granted"] = row(2, 0, 0, 0, 0, 0, 2)
    apps["other_processing"] = row(1, 0, 0, 0, 0, 0, 1)
    apps["total_processed"] = row(3, 0, 0, 0, 0, 0, 3)
    for template in ("2019", None):  # told, or seen from the rows printed
        checks = {c.rule: c for c in evaluate({"applications": apps}, template)}
        assert checks["applications.total_processed.total"].ok
        assert checks["applications.total_processed.total"].detail == "sum of 19 outcome rows = 3, 总计 = 3"
    # the 2021 rule on the same figures: the three 2021 rows are missing, so it is not evaluated
    checks = {c.rule for c in evaluate({"applications": apps}, "2021")}
    assert "applications.total_processed.total" not in checks
    assert len(OUTCOME_ROWS) == 21


def test_2019_blank_totals_are_the_agencys_error_recorded_not_repaired():
    # a 2019 report printing its 总计 column blank (= 0): the row totals fail, nothing is filled in
    figures = {"applications": {"new_received": row(4, 1, 0, 0, 0, 0, 0)}}
    checks = {c.rule: c for c in evaluate(figures, "2019")}
    assert not checks["applications.row_total.new_received"].ok
    assert figures["applications"]["new_received"]["total"] == 0
