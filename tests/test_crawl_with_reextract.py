"""`ogi crawl` and `ogi reextract` together on one archive (issue 18's done-when, item 1), three
rounds over a two-night portal (tests/concurrency_support.py; bench/concurrency.py runs ten):
both exit 0, no document dropped, no duplicate version, every removal detected."""
from __future__ import annotations

import pytest

from concurrency_support import one_round, prepare, problems


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    scenario = prepare(tmp_path_factory.mktemp("together"))
    try:
        yield scenario
    finally:
        scenario.portal.stop()


@pytest.mark.parametrize("round_", range(3))
def test_crawl_and_reextract_together_lose_and_duplicate_nothing(scenario, round_):
    result = one_round(scenario, f"round{round_}")
    assert problems(scenario, result) == []
    # reextract really ran beside the crawl and had work: the first pass re-read night 1.
    assert result["reextracts"] and "re-extracted 0 " not in result["reextracts"][0][1][0]
