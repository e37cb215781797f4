"""Exact numbers: one strict grammar for every number a file gives, rounding half up.

The grammar (DESIGN.md, Numbers) for a number written as text:

- ASCII digits only, an optional ``+`` or ``-`` sign and at most one decimal point: ``-0.35``, ``76.9``, ``.5``;
- thousands commas only in correct groups of three before any decimal point: ``1,234.5``, ``1,671``
  (never ``76,9`` or ``1,5``: a decimal comma is refused, not read as 769 or 15);
- a trailing ``%`` only where the caller says the number is a percentage (``76.9%`` is 76.9);
- spaces around the number are ignored; nothing else is a number: no underscores, no Arabic-Indic or
  full-width digits, no ``NaN`` or ``inf``, no exponent notation (``1e-7``: write the number out), no
  currency signs or bracketed negatives;
- at most :data:`STORED_PLACES` decimal places that matter (``5.1000000`` is 5.1, but ``0.0000001`` is refused:
  it would be stored as 0) and fewer than :data:`LARGEST_VALUE`.

Spreadsheet number cells are floats: they go through their shortest text form (``repr``), never
``Decimal(float)`` (78.6 read from a cell is 78.6, not 78.5999…), and then through Excel's own precision of 15
significant digits (a cell computed as 0.1 + 0.2 holds 0.30000000000000004 but shows, and is, 0.3). The same
precision and size limits apply to them; exponent notation is only refused in text, where it is written by hand.

Every error says what was seen (shortened when long, see :func:`quoted`); the caller adds the cell.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

STORED_PLACES = 6  # values are stored and compared at this scale
STORED_QUANTUM = Decimal(1).scaleb(-STORED_PLACES)
LARGEST_VALUE = Decimal(10) ** 14  # what the stored columns (20 digits, 6 decimal places) can hold
EXCEL_DIGITS = 15  # Excel keeps and shows 15 significant digits
QUOTE_LIMIT = 40  # characters of a cell repeated in a message

# re.ASCII: \d is 0-9 only (without it Python's \d matches ٣ and ７).
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_EXPONENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
_NOT_FINITE = {
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "infinity",
    "+infinity",
    "-infinity",
    "#num!",
    "#div/0!",
    "#value!",
    "#n/a",
    "#ref!",
    "#name?",
    "#null!",
}


class NumberError(ValueError):
    """A cell that should hold a number but does not."""


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A cell's text in quotes for a message, shortened when long: a 100,000-character code is not repeated."""
    text = " ".join(str(value).split())
    if len(text) <= limit:
        return f"'{text}'"
    return f"'{text[:limit]}…' ({len(text):,} characters)"


def shortened(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A cell's text for a message without quotes (a column name), shortened like :func:`quoted`."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def listed(items: list[str], most: int = 10) -> str:
    """Items joined by commas, at most ``most`` of them: "a, b, c and 12 more"."""
    shown = ", ".join(shortened(item) for item in items[:most])
    return f"{shown} and {len(items) - most:,} more" if len(items) > most else shown


def to_decimal(value: object, *, percent: bool = False) -> Decimal:
    """A number from a spreadsheet cell or a text, exactly as written, by the grammar above.

    ``percent``: the number is a percentage, so a trailing ``%`` is allowed (and ignored: ``76.9%`` is 76.9).
    Raises NumberError saying what was seen and why it is not a number.
    """
    if isinstance(value, bool):
        raise NumberError(f"{quoted(value)} is not a number")
    if isinstance(value, Decimal):
        number = value
        if not number.is_finite():
            raise NumberError(f"{quoted(value)} is not a number")
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = _from_float(value)
    elif isinstance(value, str):
        number = _from_text(value, percent)
    elif isinstance(value, date | time | timedelta):
        raise NumberError(
            f"{quoted(value)} is a date or time, not a number (Excel may have turned what was typed "
            "into a date: format the cells as Number and type the value again)"
        )
    else:  # anything else a reader can hand over
        raise NumberError(f"{quoted(value)} is not a number")
    return _checked(number, value)


def _from_float(value: float) -> Decimal:
    if not math.isfinite(value):
        raise NumberError(f"{quoted(value)} is not a number")
    number = Decimal(repr(value))
    digits = len(number.as_tuple().digits)
    if digits > EXCEL_DIGITS:  # float noise past what Excel holds: 0.30000000000000004 is 0.3
        exponent = number.adjusted() - EXCEL_DIGITS + 1
        number = without_trailing_zeros(number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))
    return number


def _from_text(value: str, percent: bool) -> Decimal:
    text = value.strip()
    if percent and text.endswith("%"):
        text = text[:-1].rstrip()
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    raise NumberError(_why_not(value, text, percent))


def _why_not(value: str, text: str, percent: bool) -> str:
    """Why a text is not a number, in plain words (each case the grammar refuses by name)."""
    seen = quoted(value)
    if not text:
        return f"{seen} is not a number"
    foreign = next((c for c in text if not c.isascii()), None)
    if foreign is not None:
        if foreign.isdigit() or unicodedata.category(foreign) == "Nd":
            return (
                f"{seen} is not a number: it has the digit {foreign} ({unicodedata.name(foreign, 'not 0-9')}); "
                "type numbers with the digits 0-9"
            )
        return (
            f"{seen} is not a number: it has the character {foreign} ({unicodedata.name(foreign, 'unknown')}); "
            "type numbers with the digits 0-9, a point and a minus sign only"
        )
    if text.lower() in _NOT_FINITE:
        return f"{seen} is not a number"
    if text.endswith("%"):
        if percent:
            return f"{seen} is not a number"
        return f"{seen} ends in %, but this is not a percentage: give the number alone"
    if "_" in text:
        return f"{seen} is not a number: it has an underscore"
    if _EXPONENT.fullmatch(text):
        return f"{seen} is in exponent notation: write the number out in full (such as 0.0000001 or 1500)"
    if "," in text:
        if text.count(".") <= 1 and "," not in text.partition(".")[2] and re.fullmatch(r"[+-]?[\d,]+(\.\d*)?", text):
            return (
                f"{seen} has a comma that is not a thousands separator (thousands are written 1,234): "
                "write decimals with a point (76.9, not 76,9)"
            )
        return f"{seen} is not a number: use a point for decimals and commas only between thousands (1,234.5)"
    if text.count(".") > 1:
        return f"{seen} is not a number: it has more than one decimal point"
    return f"{seen} is not a number"


def _checked(number: Decimal, value: object) -> Decimal:
    if abs(number) >= LARGEST_VALUE:
        raise NumberError(f"{quoted(value)} is too large to store (the largest is under {LARGEST_VALUE:,})")
    if number != number.quantize(STORED_QUANTUM, rounding=ROUND_HALF_UP):
        raise NumberError(
            f"{quoted(value)} has more than {STORED_PLACES} decimal places, the most that are "
            f"stored: round it to {STORED_PLACES} places or fewer"
        )
    return number


def stored(value: Decimal) -> Decimal:
    """The value at the stored scale, for change detection."""
    return value.quantize(STORED_QUANTUM, rounding=ROUND_HALF_UP)


def without_trailing_zeros(value: Decimal) -> Decimal:
    """A stored number as given, without the storage scale's zeros: 476.500000 -> 476.5, 100.000000 -> 100.

    (``normalize`` alone would turn 100 into 1E+2.)
    """
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def display(value: Decimal, decimals: int) -> str:
    """Rounded half up to the printed precision, with thousands separators: 1,234.5 and -0.35."""
    return format(round_half_up(value, decimals), ",f")


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round for display, RAG and direction: 17.45 at one decimal is 17.5."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
