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
