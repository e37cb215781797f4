"""The key a page prints beside its tables: how the rows on that page were judged, and nothing else.

A council's scorecard may rate by floor and target, within a tolerance of the target, or not at all
("data only"), and judge direction against an earlier period or by the trend; the key says in words the rules
its rows actually use. Built from the rows (live scorecard rows, or rows frozen in a published edition), each
reduced to a ``Judged``. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from indicators.analysis.direction import ARROWS, TREND_DIRECTION_WORDS, ComparesWith, Direction
from indicators.analysis.numbers import without_trailing_zeros
from indicators.analysis.rating import RatingRule, ToleranceKind


@dataclass(frozen=True)
class Judged:
    """How one row was judged: its rating rule and tolerance, whether it is an activity indicator (never rated),
    and the method its arrow compares by (blank: unknown, a row frozen before it was kept: as a comparison)."""

    rating: str = RatingRule.FLOOR.value
    tolerance: Decimal | None = None
    tolerance_kind: str = ToleranceKind.PERCENT.value
    activity: bool = False
    compares_with: str = ""


def judged_live(row: Any) -> Judged:
    """A live scorecard row (``scorecard.assembly.ScorecardRow``)."""
    rule = row.indicator.rule
    return Judged(row.rating, rule.tolerance, rule.tolerance_kind.value, row.indicator.activity, row.compares_with)


def judged_frozen(row: dict[str, Any]) -> Judged:
    """A row as frozen in a published snapshot (``scorecard.editions.snapshot``); older ones lack some keys."""
    tolerance = row.get("tolerance")
    return Judged(
        rating=row.get("rating") or RatingRule.FLOOR.value,
        tolerance=Decimal(tolerance) if tolerance is not None else None,
        tolerance_kind=row.get("tolerance_kind") or ToleranceKind.PERCENT.value,
        activity=row.get("activity", row.get("expected") is not None),
        compares_with=row.get("compares_with") or "",
    )


RAG_MARKS = ("RED", "AMBER", "GREEN")
ARROW_NAMES = {arrow: dot.value for dot, arrow in ARROWS.items()}
PLAIN_MARKS = ("blank", "no arrow")


@dataclass(frozen=True)
class KeyLine:
    """One line of the key: a RAG word (or an arrow, or a word such as "data only") and what it means."""

    mark: str  # "RED", "AMBER", "GREEN"; an arrow; or a word ("blank", "data only")
    words: str

    @property
    def css(self) -> str:
        """How the mark is drawn, as in the tables: a RAG word, an arrow, a rating word, or plain text."""
        if self.mark in RAG_MARKS:
            return f"rag rag-{self.mark}"
        if self.mark in ARROW_NAMES:
            return f"dot dot-{ARROW_NAMES[self.mark]}"
        return "rating-word" if self.mark not in PLAIN_MARKS else ""

    @property
    def is_arrow(self) -> bool:
        return self.mark in ARROW_NAMES


@dataclass(frozen=True)
class KeyGroup:
    """One rule's lines, headed by the rule's name where the page has more than one."""

    heading: str
    lines: list[KeyLine]


@dataclass(frozen=True)
class RagKey:
    ratings: list[KeyGroup] = field(default_factory=list)
    unrated: list[KeyLine] = field(default_factory=list)  # not rated, data only, activity indicators
    directions: list[KeyGroup] = field(default_factory=list)


FLOOR_LINES = [
    KeyLine("RED", "floor standard not achieved"),
    KeyLine("AMBER", "floor achieved but target not met"),
    KeyLine("GREEN", "target achieved"),
]
RULE_HEADINGS = {
    RatingRule.FLOOR.value: "Floor and target",
    RatingRule.TOLERANCE.value: "Tolerance",
    RatingRule.TOLERANCE_IMPROVING.value: "Tolerance, then last year",
}
NOT_RATED_LINE = KeyLine("blank", "not rated (no target for that year and unit, or no value)")
DATA_ONLY_LINE = KeyLine("data only", "not rated: shown for information (counted apart from not rated)")
ACTIVITY_LINE = KeyLine(
    "within / above / below expected range",
    "activity indicators: where the value falls against the range it is expected to fall within, never RAG-rated",
)


def tolerance_words(rows: list[Judged]) -> str:
    """ "10 %" or "0.5" when every row shares its tolerance, else "its tolerance"."""
    tolerances = {(row.tolerance, row.tolerance_kind) for row in rows}
    if len(tolerances) != 1:
        return "its tolerance"
    tolerance, kind = tolerances.pop()
    if tolerance is None:
        return "its tolerance"
    number = format(without_trailing_zeros(tolerance), "f")
    return f"{number} %" if kind == ToleranceKind.PERCENT.value else number


def rule_lines(rule: str, rows: list[Judged]) -> list[KeyLine]:
    if rule == RatingRule.FLOOR.value:
        return FLOOR_LINES
    tolerance = tolerance_words(rows)
    if rule == RatingRule.TOLERANCE.value:
        return [
            KeyLine("RED", f"target missed by more than {tolerance}"),
            KeyLine("AMBER", f"target missed, but within {tolerance} of it"),
            KeyLine("GREEN", "target met"),
        ]
    return [  # tolerance_improving
        KeyLine("RED", f"target missed by more than {tolerance}, and no better than the same period last year"),
        KeyLine("AMBER", f"target missed by more than {tolerance}, but better than the same period last year"),
        KeyLine("GREEN", f"target met, or missed by no more than {tolerance}"),
    ]


COMPARISON_LINES = [
    KeyLine(ARROWS[Direction.IMPROVED], "improved"),
    KeyLine(ARROWS[Direction.WORSENED], "worsened"),
    KeyLine(ARROWS[Direction.SAME], "same (at the printed precision)"),
]
COMPARED_WITH = {
    ComparesWith.PREVIOUS_PERIOD.value: "the previous period",
    ComparesWith.SAME_PERIOD_LAST_YEAR.value: "the same period last year",
    ComparesWith.BOTH.value: "the previous period; a second arrow \u201con a year\u201d, the same period last year",
}


def direction_groups(methods: set[str]) -> list[KeyGroup]:
    """The arrows' words for each direction method present: a comparison's, then a trend's."""
    compared = [words for method, words in COMPARED_WITH.items() if method in methods]
    if "" in methods:  # frozen before the method was kept: worded as before
        compared = ["the previous period (or the same period last year where the indicator says so)"]
    groups = [KeyGroup(f"Against {' or '.join(compared)}", COMPARISON_LINES)] if compared else []
    if ComparesWith.TREND.value in methods:
        groups.append(
            KeyGroup(
                "By the trend: a straight line fitted over the periods the trend shows",
                [KeyLine(ARROWS[dot], words) for dot, words in TREND_DIRECTION_WORDS.items()],
            )
        )
    not_judged = ", or not judged" if ComparesWith.NONE.value in methods else ""
    return [*groups, KeyGroup("", [KeyLine("no arrow", f"nothing to compare with{not_judged}")])]


def rag_key(rows: Iterable[Judged]) -> RagKey:
    """The key for these rows: each rating rule present (in a fixed order, headed when there are several), the
    words for rows without a RAG that are present, and each direction method present. No rows: the floor rule's
    key (a page showing nothing still explains its words)."""
    rows = list(rows)
    by_rule: dict[str, list[Judged]] = {}
    for row in rows:
        if not row.activity and row.rating != RatingRule.NONE.value:
            by_rule.setdefault(row.rating, []).append(row)
    if not rows:
        by_rule[RatingRule.FLOOR.value] = []
    several = len(by_rule) > 1
    ratings = [
        KeyGroup(RULE_HEADINGS[rule] if several else "", rule_lines(rule, by_rule[rule]))
        for rule in RULE_HEADINGS
        if rule in by_rule
    ]
    unrated = [NOT_RATED_LINE] if by_rule else []
    if any(row.rating == RatingRule.NONE.value and not row.activity for row in rows):
        unrated.append(DATA_ONLY_LINE)
    if any(row.activity for row in rows):
        unrated.append(ACTIVITY_LINE)
    methods = {row.compares_with for row in rows} or {ComparesWith.PREVIOUS_PERIOD.value}
    return RagKey(ratings, unrated, direction_groups(methods))
