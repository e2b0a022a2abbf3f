"""Every generated labelled fixture extracts exactly as labelled (cells, metadata, exit codes).

Real reports (tests/fixtures/real/) are measured against their own floor in test_real_fixtures.py.
"""
import pytest

from bench.accuracy import load_cases, score_case

CASES = [c for c in load_cases() if not c.real]


def test_there_are_labelled_fixtures():
    assert len(CASES) >= 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_extracts_as_labelled(case):
    score = score_case(case)
    assert score.total > 0
    assert score.errors == [], "\n".join(score.errors[:20])
