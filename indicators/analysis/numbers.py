"""Exact numbers: spreadsheet cells through their shortest text form, rounding half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

STORED_PLACES = 6  # values are stored and compared at this scale


class NumberError(ValueError):
    """A cell that should hold a number but does not."""


def to_decimal(value: object) -> Decimal:
    """A number from a cell or a text, exactly as written.

    Floats go through ``repr`` (their shortest text form), never ``Decimal(float)``:
    78.6 read from a spreadsheet is 78.6, not 78.599999999999994315658113919198513031005859375.
    """
    if isinstance(value, bool):
        raise NumberError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NumberError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise NumberError(f"'{value}' is not a number")
    return number


def stored(value: Decimal) -> Decimal:
    """The value at the stored scale, for change detection."""
    return value.quantize(Decimal(1).scaleb(-STORED_PLACES), rounding=ROUND_HALF_UP)


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
