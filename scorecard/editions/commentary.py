"""Writing commentary, and the list writers work from (the latest figures, RED first)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User

from districts.models import ReportingUnit
from indicators.analysis.periods import Period
from indicators.analysis.rag import rag_rank
from indicators.models import Indicator
from indicators.models import Scorecard as ScorecardDefinition

from ..assembly import ScorecardRow, unrated_words
from ..models import Commentary


def save_commentary(
    scorecard: ScorecardDefinition,
    month: Period,
    indicator: Indicator,
    unit: ReportingUnit | None,
    text: str,
    author: User | None,
) -> str:
    """Create, change or (empty text) remove one commentary in the scorecard's edition; says which it did."""
    text = text.strip()
    where = {"scorecard": scorecard, "month": month.start, "indicator": indicator, "unit": unit}
    current = Commentary.objects.filter(**where).first()
    if not text:
        if current is None:
            return "unchanged"
        current.delete()
        return "removed"
    if current is None:
        Commentary.objects.create(**where, text=text, author=author)
        return "saved"
    if current.text == text:
        return "unchanged"
    current.text, current.author = text, author
    current.save(update_fields=["text", "author", "updated_at"])
    return "saved"


@dataclass
class WritingItem:
    row: ScorecardRow
    commentary: list[Commentary] = field(default_factory=list)

    @property
    def rating_text(self) -> str:
        """Why a row has no RAG: an activity indicator's expected range, "data only", or "not rated" (no target)."""
        return unrated_words(self.row.data_only, self.row.expected, self.row.has_value)


@dataclass
class WritingSection:
    name: str
    items: list[WritingItem] = field(default_factory=list)


def writing_sections(rows: list[ScorecardRow], commentary: list[Commentary]) -> list[WritingSection]:
    """The authority's indicators by service, RED -> AMBER -> GREEN -> not rated, with their commentary."""
    by_indicator: dict[int, list[Commentary]] = {}
    for item in commentary:
        by_indicator.setdefault(item.indicator_id, []).append(item)
    # Services in print order; within each, RED -> AMBER -> GREEN -> not rated, then print order (sorted is stable).
    sections = {name: WritingSection(name) for name in dict.fromkeys(row.indicator.section for row in rows)}
    for row in sorted(rows, key=lambda row: rag_rank(row.rag)):
        sections[row.indicator.section].items.append(WritingItem(row, by_indicator.get(row.indicator.pk, [])))
    return list(sections.values())
