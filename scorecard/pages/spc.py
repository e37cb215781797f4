"""Statistical process control on the officer pages: which series, which target, and how it reads.

Pure: takes values already fetched (``ScorecardRow.history``) and calls ``indicators.analysis.spc``.
The words follow NHS "Making Data Count"; icons are a letter in a coloured circle (H, L, P, F,
~ and ?) with the words beside them, so nothing relies on colour alone and print keeps the meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from indicators.analysis import spc
from indicators.analysis.rag import Polarity, TargetSpec
from scorecard.assembly import ScorecardRow, Value

# The page parameter that switches SPC off (?spc=off); on by default.
PARAMETER = "spc"
OFF = "off"

IMPROVEMENT_OF_POLARITY = {
    Polarity.HIGHER.value: "increase",
    Polarity.LOWER.value: "decrease",
    Polarity.TARGET.value: "neutral",
}

# Variation icon -> (letter in the icon, CSS modifier, words).
VARIATION = {
    spc.Variation.COMMON_CAUSE: ("~", "common", "Common cause"),
    spc.Variation.IMPROVEMENT_HIGH: ("H", "improvement", "Special cause improvement – high"),
    spc.Variation.IMPROVEMENT_LOW: ("L", "improvement", "Special cause improvement – low"),
    spc.Variation.CONCERN_HIGH: ("H", "concern", "Special cause concern – high"),
    spc.Variation.CONCERN_LOW: ("L", "concern", "Special cause concern – low"),
    spc.Variation.NEUTRAL_HIGH: ("H", "neutral", "Special cause neither improvement nor concern – high"),
    spc.Variation.NEUTRAL_LOW: ("L", "neutral", "Special cause neither improvement nor concern – low"),
}
ASSURANCE = {
    spc.Assurance.PASS: ("P", "pass", "Consistently passes target"),
    spc.Assurance.FAIL: ("F", "fail", "Consistently fails target"),
    spc.Assurance.INCONSISTENT: ("?", "inconsistent", "Hit and miss target"),
}
# Point types -> (name of the chart trace, plotly marker symbol, colour). Symbols differ, not just colours.
POINT_STYLES = {
    spc.PointType.SPECIAL_CAUSE_IMPROVEMENT: ("Special cause improvement", "triangle-up", "#005eb8"),
    spc.PointType.SPECIAL_CAUSE_CONCERN: ("Special cause concern", "triangle-down", "#c25400"),
    spc.PointType.SPECIAL_CAUSE_NEUTRAL_HIGH: (
        "Special cause neither improvement nor concern (high)",
        "diamond",
        "#6b3fa0",
    ),
    spc.PointType.SPECIAL_CAUSE_NEUTRAL_LOW: (
        "Special cause neither improvement nor concern (low)",
        "diamond-tall",
        "#6b3fa0",
    ),
}


class SpcState(StrEnum):
    """Whether a series' SPC is shown, and if not, why."""

    NOT_APPLICABLE = "not_applicable"  # a rolling or year-to-date period: points overlap
    NO_PERIOD = "no_period"  # no values of the indicator's own period
    TOO_FEW = "too_few"  # fewer points than the limits need
    SHOWN = "shown"


def enabled(query: QueryDict) -> bool:
    """SPC is on unless the page asks ?spc=off."""
    return query.get(PARAMETER, "").strip().lower() != OFF


def page_context(on: bool) -> dict[str, object]:
    """What the templates need to show the switch and the key."""
    return {
        "spc_on": on,
        "spc_toggle": True,
        "spc_min_points": spc.MIN_POINTS_FOR_LIMITS,
        "spc_not_applicable": spc.NOT_APPLICABLE_REASON,
    }


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

    state: SpcState
    points: tuple[Value, ...] = ()  # the values charted (periods with a value), oldest first
    result: spc.XmrResult | None = None

    @property
    def shown(self) -> bool:
        """The chart and its icons are shown (templates ask this rather than compare state words)."""
        return self.state is SpcState.SHOWN

    @property
    def too_few(self) -> bool:
        return self.state is SpcState.TOO_FEW

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def synthetic(self) -> bool:
        return any(point.synthetic for point in self.points)

    @property
    def message(self) -> str:
        """What the page says instead of (or as well as) the icons."""
        if self.state == SpcState.NOT_APPLICABLE:
            return spc.NOT_APPLICABLE_REASON
        if self.state == SpcState.NO_PERIOD:
            return "No values for SPC."
        if self.state == SpcState.TOO_FEW:
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
        return SeriesSpc(SpcState.NOT_APPLICABLE)
    points = tuple(value for value in history if value.value is not None)
    if not points:
        return SeriesSpc(SpcState.NO_PERIOD)
    result = spc.xmr(
        [point.value for point in points if point.value is not None],
        improvement=improvement(polarity),
        target=target_of(spec, polarity),
    )
    return SeriesSpc(SpcState.SHOWN if result.enough_points else SpcState.TOO_FEW, points, result)


def row_spc(row: ScorecardRow) -> SeriesSpc:
    """A scorecard row's SPC, assured against the edition period's target."""
    return series_spc(row.history, row.indicator.data_period, row.indicator.polarity, row.target)


def rows_spc(rows: Iterable[ScorecardRow]) -> dict[tuple[int, int], SeriesSpc]:
    """Each row's SPC, by (indicator pk, unit pk): calculated once per row for cells and banner."""
    return {(row.indicator.pk, row.unit.pk): row_spc(row) for row in rows}


def _icon(letter: str, kind: str, modifier: str, words: str) -> SafeString:
    # The letter is decoration (aria-hidden); the words are the content for sight, screen readers and print.
    return format_html(
        '<span class="spc-icon spc-{}-{}" aria-hidden="true" title="{}">{}</span><span class="spc-words">{}</span>',
        kind,
        modifier,
        words,
        letter,
        words,
    )


def cell(summary: SeriesSpc, short: bool = False) -> SafeString:
    """The scorecard's SPC cell: the variation and assurance icons with their words, or why there are none.

    ``short``: too few points reads only "–" on screen (the table says why once, above it:
    ``tables.spc_note``); screen readers still hear it in the cell.
    """
    if summary.state == SpcState.NOT_APPLICABLE:
        # The full reason is long for every rolling row: it is on hover here, and in the keys and on the
        # indicator page.
        return format_html(
            '<span class="spc-none" title="{}">SPC not shown: rolling or year-to-date figure</span>',
            spc.NOT_APPLICABLE_REASON,
        )
    if short and summary.state == SpcState.TOO_FEW:
        return format_html(
            '<span class="spc-none"><span aria-hidden="true">–</span><span class="visually-hidden">{}</span></span>',
            summary.message,
        )
    if summary.state != SpcState.SHOWN or summary.result is None:
        return format_html('<span class="spc-none">{}</span>', summary.message)
    letter, modifier, words = VARIATION[summary.result.variation]
    variation = _icon(letter, "variation", modifier, words)
    if summary.result.assurance is None:
        return format_html('<span class="spc-pair">{}</span>', variation)
    letter, modifier, words = ASSURANCE[summary.result.assurance]
    return format_html(
        '<span class="spc-pair">{}</span><span class="spc-pair">{}</span>',
        variation,
        _icon(letter, "assurance", modifier, words),
    )
