import pytest

from extract.numbers import is_value, parse_value


@pytest.mark.parametrize("cell, value", [
    ("0", 0), ("", 0), ("\xa0", 0), ("—", 0), ("-", 0), ("/", 0), ("／", 0), ("无", 0), ("——", 0),
    ("12", 12), ("１２", 12), ("1,234", 1234), ("1，234", 1234), ("0.1250", 0.125), ("３.５", 3.5),
    ("22（其中修订16件）", 22), ("55(含自然失效29件)", 55), ("4件", 4), (" 7 ", 7), ("1 2", 12),
])
def test_values(cell, value):
    assert is_value(cell)
    assert parse_value(cell) == value
    assert type(parse_value(cell)) is type(value)


@pytest.mark.parametrize("cell", [
    "1.属于国家秘密", "1、信访举报投诉类申请", "第二十条第（一）项", "2023年", "自然人", "（七）总计", "规章",
])
def test_labels_are_not_values(cell):
    assert not is_value(cell)
    assert parse_value(cell) is None


def test_normalisation_is_remembered_for_cell_texts_only():
    # a long-lived extraction worker must not keep whole documents' texts in memory
    from extract.numbers import cached_for_cells

    calls = []

    @cached_for_cells
    def upper(text):
        calls.append(text)
        return text.upper()

    cell, document = "abc", "x" * 10_000
    assert [upper(cell), upper(cell)] == ["ABC", "ABC"] and calls == [cell]
    assert [upper(document), upper(document)] == [document.upper()] * 2 and calls == [cell, document, document]
