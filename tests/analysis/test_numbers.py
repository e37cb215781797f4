"""The one number grammar (numbers.to_decimal), against a table of nasty inputs: pure, no database."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from indicators.analysis.numbers import NumberError, listed, quoted, to_decimal

READ = [
    ("76.9", False, D("76.9")),
    ("-0.35", False, D("-0.35")),
    ("+12", False, D(12)),
    (" 55.0 ", False, D("55.0")),
    ("007", False, D(7)),
    (".5", False, D("0.5")),
    ("1,234.5", False, D("1234.5")),
    ("1,671", False, D(1671)),
    ("-12,345,678.25", False, D("-12345678.25")),
    ("5.1000000", False, D("5.1")),  # zeros past the sixth place lose nothing
    ("0.000001", False, D("0.000001")),
    ("99999999999999.999999", False, D("99999999999999.999999")),
    ("76.9%", True, D("76.9")),  # a percentage may carry its sign
    ("76.9 %", True, D("76.9")),
    (78.6, False, D("78.6")),  # a spreadsheet number through its shortest text form
    (0.1 + 0.2, False, D("0.3")),  # float noise past Excel's 15 significant digits
    (-0.12, False, D("-0.12")),
    (1e-06, False, D("0.000001")),
    (1671, False, D(1671)),
    (D("12.5"), False, D("12.5")),
]


@pytest.mark.parametrize(("cell", "percent", "expected"), READ)
def test_numbers_the_grammar_reads(cell: object, percent: bool, expected: D) -> None:
    assert to_decimal(cell, percent=percent) == expected


REFUSED = [
    # (cell, percent, what the message must say)
    ("76,9", False, "'76,9' has a comma that is not a thousands separator"),  # not 769
    ("1,5", False, "'1,5' has a comma that is not a thousands separator"),  # not 15
    ("0,123", False, "has a comma that is not a thousands separator"),  # a decimal comma, not 123
    ("1,23,456", False, "has a comma that is not a thousands separator"),
    ("12,34.5", False, "has a comma that is not a thousands separator"),
    ("1,234,5", False, "has a comma that is not a thousands separator"),
    ("1.234,5", False, "use a point for decimals and commas only between thousands"),
    ("1_5", False, "'1_5' is not a number: it has an underscore"),  # Python's Decimal would read 15
    ("٣", False, "it has the digit ٣ (ARABIC-INDIC DIGIT THREE)"),
    ("７６", False, "it has the digit ７ (FULLWIDTH DIGIT SEVEN)"),
    ("৩", False, "BENGALI DIGIT THREE"),
    ("−5", False, "it has the character − (MINUS SIGN)"),
    ("5\u00a0000", False, "NO-BREAK SPACE"),
    ("NaN", False, "'NaN' is not a number"),
    ("nan", False, "is not a number"),
    ("inf", False, "is not a number"),
    ("-Infinity", False, "is not a number"),
    ("#DIV/0!", False, "'#DIV/0!' is not a number"),
    ("1e-7", True, "'1e-7' is in exponent notation: write the number out in full"),  # not 0.000000
    ("1E5", False, "is in exponent notation"),
    ("0.0000001", False, "has more than 6 decimal places"),
    ("76.91234567", True, "has more than 6 decimal places"),
    ("100000000000000", False, "is too large to store"),
    ("76.9%", False, "ends in %, but this is not a percentage"),
    ("%76.9", True, "is not a number"),
    ("76.9%%", True, "is not a number"),
    ("1.2.3", False, "more than one decimal point"),
    ("£5", False, "POUND SIGN"),
    ("(5)", False, "is not a number"),
    ("5 000", False, "is not a number"),
    ("--5", False, "is not a number"),
    ("-", False, "is not a number"),
    ("", False, "is not a number"),
    ("about 70", False, "'about 70' is not a number"),
    ("0x1A", False, "is not a number"),
    (True, False, "is not a number"),
    (float("nan"), False, "is not a number"),
    (float("inf"), False, "is not a number"),
    (1e-07, True, "'1e-07' has more than 6 decimal places"),  # a number cell too: not stored as 0
    (2 / 3 * 100, True, "has more than 6 decimal places"),
    (1e15, False, "is too large to store"),
    (D("NaN"), False, "is not a number"),
    (date(2024, 5, 1), False, "'2024-05-01' is a date or time, not a number (Excel may have turned"),  # typed 1/5
    (datetime(2024, 5, 1, 0, 0), False, "is a date or time, not a number"),
]


@pytest.mark.parametrize(("cell", "percent", "message"), REFUSED)
def test_nasty_inputs_are_refused_saying_what_was_seen(cell: object, percent: bool, message: str) -> None:
    with pytest.raises(NumberError) as error:
        to_decimal(cell, percent=percent)
    assert message in str(error.value)


def test_a_long_cell_is_shortened_in_its_message() -> None:
    with pytest.raises(NumberError) as error:
        to_decimal("9" * 50 + "x" * 100_000)
    assert str(error.value).startswith("'" + "9" * 40 + "…' (100,050 characters)")
    assert len(str(error.value)) < 200


def test_quoted() -> None:
    assert quoted("EH44") == "'EH44'"
    assert quoted("  two   words ") == "'two words'"
    assert quoted("a" * 41) == "'" + "a" * 40 + "…' (41 characters)"


def test_listed() -> None:
    assert listed(["a", "b"]) == "a, b"
    assert listed([str(i) for i in range(12)], most=3) == "0, 1, 2 and 9 more"
    assert listed(["x" * 50]) == "x" * 40 + "… (50 characters)"
