"""Statistical process control on the officer pages: which series, which target, and how it reads.

Pure: takes values already fetched (``ScorecardRow.history``) and calls ``indicators.analysis.spc``.
The words follow NHS "Making Data Count"; icons are a letter in a coloured circle (H, L, P, F,
~ and ?) with the words beside them, so nothing relies on colour alone and print keeps the meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from indicators.analysis import spc
from indicators.analysis.rag import Polarity, TargetSpec
from scorecard.assembly import ScorecardRow, Value

# The page parameter that switches SPC off (?spc=off); on by default.
PARAMETER = "spc"
OFF = "off"

IMPROVEMENT_OF_POLARITY = {Polarity.HIGHER.value: "increase", Polarity.LOWER.value: "decrease",
                           Polarity.TARGET.value: "neutral"}

# Variation icon -> (letter in the icon, CSS modifier, words).
VARIATION = {
    spc.COMMON_CAUSE: ("~", "common", "Common cause"),
    "improvement_high": ("H", "improvement", "Special cause improvement – high"),
    "improvement_low": ("L", "improvement", "Special cause improvement – low"),
    "concern_high": ("H", "concern", "Special cause concern – high"),
    "concern_low": ("L", "concern", "Special cause concern – low"),
    "neutral_high": ("H", "neutral", "Special cause neither improvement nor concern – high"),
    "neutral_low": ("L", "neutral", "Special cause neither improvement nor concern – low"),
}
ASSURANCE = {
    spc.PASS: ("P", "pass", "Consistently passes target"),
    spc.FAIL: ("F", "fail", "Consistently fails target"),
    spc.INCONSISTENT: ("?", "inconsistent", "Hit and miss target"),
}
# Point types -> (name of the chart trace, plotly marker symbol, colour). Symbols differ, not just colours.
POINT_STYLES = {
    spc.SPECIAL_CAUSE_IMPROVEMENT: ("Special cause improvement", "triangle-up", "#005eb8"),
    spc.SPECIAL_CAUSE_CONCERN: ("Special cause concern", "triangle-down", "#c25400"),
    spc.SPECIAL_CAUSE_NEUTRAL_HIGH: ("Special cause neither improvement nor concern (high)", "diamond", "#6b3fa0"),
    spc.SPECIAL_CAUSE_NEUTRAL_LOW: ("Special cause neither improvement nor concern (low)", "diamond-tall",
                                    "#6b3fa0"),
}

NOT_APPLICABLE = "not_applicable"
NO_PERIOD = "no_period"
TOO_FEW = "too_few"
SHOWN = "shown"


def enabled(query: QueryDict) -> bool:
    """SPC is on unless the page asks ?spc=off."""
    return query.get(PARAMETER, "").strip().lower() != OFF


def page_context(on: bool) -> dict[str, object]:
    """What the templates need to show the switch and the key."""
    return {"spc_on": on, "spc_toggle": True, "spc_min_points": spc.MIN_POINTS_FOR_LIMITS,
            "spc_not_applicable": spc.NOT_APPLICABLE_REASON}


def improvement(polarity: str) -> str:
    return IMPROVEMENT_OF_POLARITY[polarity]


def target_of(spec: TargetSpec | None, polarity: str) -> spc.Target | None:
    """The number the process is assured against: the target, or for T polarity the green band."""
    if spec is None:
        return None
    if polarity == Polarity.TARGET.value:
        return spec.green_band()
    return spec.target


@dataclass(frozen=True)
class SeriesSpc:
    """SPC of one unit's series: why it is not shown, or the chart and its two icons."""

    state: str  # NOT_APPLICABLE, NO_PERIOD, TOO_FEW or SHOWN
    points: tuple[Value, ...] = ()  # the values charted (periods with a value), oldest first
    result: spc.XmrResult | None = None

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def synthetic(self) -> bool:
        return any(point.synthetic for point in self.points)

    @property
    def message(self) -> str:
        """What the page says instead of (or as well as) the icons."""
        if self.state == NOT_APPLICABLE:
            return spc.NOT_APPLICABLE_REASON
        if self.state == NO_PERIOD:
            return "No values for SPC."
        if self.state == TOO_FEW:
            return f"Too few points for SPC ({self.count} of {spc.MIN_POINTS_FOR_LIMITS})"
        return ""

    @property
    def variation_words(self) -> str:
        return VARIATION[self.result.variation][2] if self.result else ""

    @property
    def assurance_words(self) -> str:
        if self.result is None:
            return ""
        if self.result.assurance is None:
            return "No target to assure against"
        return ASSURANCE[self.result.assurance][2]


def series_spc(history: Sequence[Value], data_period: str, polarity: str, spec: TargetSpec | None) -> SeriesSpc:
    """SPC of a unit's history (periods with only a status are skipped)."""
    if not spc.spc_applies(data_period):
        return SeriesSpc(NOT_APPLICABLE)
    points = tuple(value for value in history if value.value is not None)
    if not points:
        return SeriesSpc(NO_PERIOD)
    result = spc.xmr([point.value for point in points], improvement=improvement(polarity),
                     target=target_of(spec, polarity))
    return SeriesSpc(SHOWN if result.enough_points else TOO_FEW, points, result)


def row_spc(row: ScorecardRow) -> SeriesSpc:
    """A scorecard row's SPC, assured against the edition period's target."""
    return series_spc(row.history, row.indicator.data_period, row.indicator.polarity, row.target)


def rows_spc(rows: Iterable[ScorecardRow]) -> dict[tuple[int, int], SeriesSpc]:
    """Each row's SPC, by (indicator pk, unit pk): calculated once per row for cells and banner."""
    return {(row.indicator.pk, row.unit.pk): row_spc(row) for row in rows}


def _icon(letter: str, kind: str, modifier: str, words: str) -> SafeString:
    # The letter is decoration (aria-hidden); the words are the content for sight, screen readers and print.
    return format_html('<span class="spc-icon spc-{}-{}" aria-hidden="true" title="{}">{}</span>'
                       '<span class="spc-words">{}</span>', kind, modifier, words, letter, words)


def cell(summary: SeriesSpc, short: bool = False) -> SafeString:
    """The scorecard's SPC cell: the variation and assurance icons with their words, or why there are none.

    ``short``: too few points reads only "–" on screen (the table says why once, above it:
    ``tables.spc_note``); screen readers still hear it in the cell.
    """
    if summary.state == NOT_APPLICABLE:
        # The full reason is long for every rolling row: it is on hover here, and in the keys and on the
        # indicator page.
        return format_html('<span class="spc-none" title="{}">SPC not shown: rolling or year-to-date figure</span>',
                           spc.NOT_APPLICABLE_REASON)
    if short and summary.state == TOO_FEW:
        return format_html('<span class="spc-none"><span aria-hidden="true">–</span>'
                           '<span class="visually-hidden">{}</span></span>', summary.message)
    if summary.state != SHOWN or summary.result is None:
        return format_html('<span class="spc-none">{}</span>', summary.message)
    letter, modifier, words = VARIATION[summary.result.variation]
    variation = _icon(letter, "variation", modifier, words)
    if summary.result.assurance is None:
        return format_html('<span class="spc-pair">{}</span>', variation)
    letter, modifier, words = ASSURANCE[summary.result.assurance]
    return format_html('<span class="spc-pair">{}</span><span class="spc-pair">{}</span>', variation,
                       _icon(letter, "assurance", modifier, words))
