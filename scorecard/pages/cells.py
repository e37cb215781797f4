"""How one value, status, RAG or arrow reads in a table cell: pure functions returning safe HTML.

Cells are built here once per row in plain Python, so the tables render simple columns (a
django-tables2 ``render_*`` call or a template include per cell would cost ~0.1 ms each, and a
page has over a thousand cells). RAG and direction never rely on colour alone: a word or letter,
an arrow, and visually-hidden text for screen readers.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from indicators.analysis.direction import ARROWS, ComparesWith, Direction, direction_words
from indicators.analysis.numbers import display, without_trailing_zeros
from indicators.analysis.rag import Polarity, Rag, TargetSpec
from indicators.analysis.rating import Expected, expected_range_text
from indicators.models import DataPeriod
from scorecard.assembly import NO_VALUE, NOT_RATED, NOT_SUPPLIED, Value, status_words, unrated_words

EMPTY = mark_safe("")
POLARITY_NAMES = {
    Polarity.HIGHER.value: "Higher is better",
    Polarity.LOWER.value: "Lower is better",
    Polarity.TARGET.value: "Close to target is best",
}
DATA_PERIOD_NAMES = dict(DataPeriod.choices)


def number(value: Decimal | None, decimals: int) -> str:
    """Rounded half up to the printed precision, with thousands separators: 1,234.5 and -0.35."""
    return display(value, decimals) if value is not None else ""


def plain_number(value: Decimal | None) -> str:
    """A numerator or denominator as given (not rounded: FTE denominators carry decimals)."""
    return format(without_trailing_zeros(value), ",f") if value is not None else ""


def status_word(status: str) -> str:
    return status_words(status)


# Generated demo history (load_demo --synthetic-history): a dagger on screen, the word for screen readers.
SYNTHETIC_MARK = mark_safe(
    '<span class="synthetic-mark" title="Synthetic: generated, not a real figure">'
    '<span aria-hidden="true">†</span><span class="visually-hidden"> (synthetic)</span></span>'
)


def value_cell(value: Value | None, decimals: int) -> SafeString:
    """A value, or the status that says why there is none; a synthetic value is marked."""
    if value is None:
        return format_html('<span class="status">{}</span>', status_words(NOT_SUPPLIED))
    if value.value is not None:
        shown = escape(number(value.value, decimals))
        return mark_safe(shown + SYNTHETIC_MARK if value.synthetic else shown)
    return format_html('<span class="status">{}</span>', status_word(value.status or NOT_SUPPLIED))


def value_text(value: Value, decimals: int) -> str:
    """A value or its status as plain text (a sparkline's words); a synthetic value says so."""
    if value.value is None:
        return status_word(value.status or NOT_SUPPLIED)
    return number(value.value, decimals) + (" (synthetic)" if value.synthetic else "")


# Not yet published: members have not seen this figure (a letter on screen, the words for screen readers).
PROVISIONAL_MARK = mark_safe(
    '<span class="provisional-mark" title="Provisional: not yet published">'
    '<span aria-hidden="true">P</span><span class="visually-hidden"> (provisional: '
    "not yet published)</span></span>"
)


def with_footnote(cell: SafeString, number: int | None) -> SafeString:
    """A value cell with its footnote's number, listed under the tables."""
    if number is None:
        return cell
    return format_html('{}<sup class="footnote-mark"><a href="#footnote-{}">{}</a></sup>', cell, number, number)


def with_footnotes(cell: SafeString, numbers: list[int]) -> SafeString:
    """A cell with several footnote numbers (a sparkline of values that carry footnotes)."""
    for note in dict.fromkeys(numbers):
        cell = with_footnote(cell, note)
    return cell


def trend_cell(value: Value, decimals: int, expected_label: str) -> SafeString:
    """A trend value; its period is named when it is not the column's (an indicator a period behind)."""
    cell = value_cell(value, decimals)
    if value.period.label != expected_label:
        return format_html('<span class="period">{}:</span> {}', value.period.label, cell)
    return cell


def rag_cell(rag: Rag | None, short: bool = False, unrated: str = NOT_RATED) -> SafeString:
    """The RAG word (a letter in the matrix); none shows nothing and tells screen readers ``unrated``."""
    if rag is None:
        return format_html('<span class="visually-hidden">{}</span>', unrated)
    word = rag.value
    if short:  # the matrix: a letter, with the word for screen readers and on hover
        return format_html(
            '<span class="rag rag-{}" title="{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            word,
            word,
            word[0],
            word,
        )
    return format_html('<span class="rag rag-{}">{}</span>', word, word)


def rating_cell(rag: Rag | None, data_only: bool, expected: Expected | None, has_value: bool) -> SafeString:
    """The RAG; for a row never rated by design, what it is instead: within/above/below the expected range
    (an activity indicator) or "data only". Without a value it shows nothing (the value cell says why) and
    tells screen readers "no value"."""
    if rag is not None or not (data_only or expected):
        return rag_cell(rag)
    words = unrated_words(data_only, expected, has_value)
    if words == NO_VALUE:
        return rag_cell(None, unrated=NO_VALUE)
    return format_html('<span class="rating-word">{}</span>', words)


def range_cell(expected_range: tuple[Decimal | None, Decimal | None] | None, decimals: int) -> SafeString:
    """An activity indicator's expected range where a target would stand: 120–150, at least 120, at most 150."""
    words = expected_range_text(*(expected_range or (None, None)), decimals)
    return format_html('<span class="expected-range">{}</span>', words) if words else EMPTY


def dot_cell(dot: Direction | None, compares_with: str = "", short: bool = False) -> SafeString:
    """The arrow, its words on hover and for screen readers. A trend's words ("no clear trend", "improving") are
    printed beside it too, as a reader can't tell them from the arrow alone; not in the matrix (``short``), where
    hover and screen readers have them."""
    if dot is None:
        return EMPTY
    words = direction_words(dot, compares_with)
    arrow = format_html(
        '<span class="dot dot-{}" title="{}" aria-hidden="true">{}</span>', dot.value, words, ARROWS[dot]
    )
    if compares_with == ComparesWith.TREND.value and not short:
        return format_html('{} <span class="dot-word">{}</span>', arrow, words)
    return format_html('{}<span class="visually-hidden">{}</span>', arrow, words)


def target_cell(spec: TargetSpec | None, polarity: str, decimals: int) -> SafeString:
    """The target; for close-to-target indicators the green band too (20.0 (17.5–22.5))."""
    if spec is None:
        return EMPTY
    target = number(spec.target, decimals)
    if polarity == Polarity.TARGET.value and (spec.band_low is not None or spec.band_high is not None):
        low, high = spec.green_band()
        return format_html(
            '{} <span class="band">({}–{})</span>', target, number(low, decimals), number(high, decimals)
        )
    return mark_safe(escape(target))


def abbr(text: str, title: str) -> SafeString:
    return format_html('<abbr title="{}">{}</abbr>', title, text)


def polarity_cell(polarity: str) -> SafeString:
    return abbr(polarity, POLARITY_NAMES.get(polarity, polarity))


def data_period_cell(data_period: str) -> SafeString:
    return abbr(data_period, DATA_PERIOD_NAMES.get(data_period, data_period))


def labelled_number(value: Decimal | None, decimals: int, label: str) -> SafeString:
    """A benchmark or England value with its label (which says its as-at date) on hover."""
    if value is None:
        return EMPTY
    if not label:
        return mark_safe(escape(number(value, decimals)))
    return format_html('<span title="{}">{}</span>', label, number(value, decimals))
