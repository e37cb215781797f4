"""The filters on the scorecard and comparison pages: a GET form, so the URL keeps them.

The rule itself (``Criteria.matches``) is pure; the exports apply the same criteria, so the
rows exported are the rows shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django import forms
from django.http import QueryDict

from indicators.analysis.rag import Rag
from indicators.models import Indicator
from scorecard.assembly import DATA_ONLY, NOT_RATED, ScorecardRow

RAG_CHOICES = [
    ("", "Any rating"),
    *((r.value, r.value) for r in Rag),
    (NOT_RATED, "Not rated"),
    (DATA_ONLY, "Data only"),
]


@dataclass(frozen=True)
class Criteria:
    section: str = ""
    rag: str = ""  # RED, AMBER, GREEN, NOT_RATED or "" for any
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(self.section or self.rag or self.search)

    def matches_indicator(self, indicator: Indicator) -> bool:
        if self.section and indicator.section != self.section:
            return False
        if self.search:
            needle = self.search.casefold()
            haystacks = (indicator.code, indicator.printed_code, indicator.name)
            if not any(needle in text.casefold() for text in haystacks):
                return False
        return True

    def matches_rag(self, row: ScorecardRow) -> bool:
        return not self.rag or row.rag_bucket == self.rag

    def matches(self, row: ScorecardRow) -> bool:
        return self.matches_indicator(row.indicator) and self.matches_rag(row)

    def matches_any(self, rows: Iterable[ScorecardRow]) -> bool:
        """A matrix row (one indicator, many units) is shown when any of its cells matches."""
        rows = list(rows)
        return bool(rows) and self.matches_indicator(rows[0].indicator) and any(self.matches_rag(r) for r in rows)


class FilterForm(forms.Form):
    section = forms.ChoiceField(required=False, label="Section")
    rag = forms.ChoiceField(required=False, label="RAG rating", choices=RAG_CHOICES)
    q = forms.CharField(required=False, max_length=100, label="Code or name contains")

    def __init__(self, data: QueryDict, sections: Iterable[str]) -> None:
        # Only the filter fields: the sort and format parameters share the query string.
        super().__init__({key: data.get(key) for key in ("section", "rag", "q") if key in data})
        section = cast(forms.ChoiceField, self.fields["section"])
        section.choices = [("", "All sections"), *((s, s) for s in sections)]

    def criteria(self) -> Criteria:
        """The valid filters; a field with a bad value filters nothing (its error is shown)."""
        self.is_valid()
        data = self.cleaned_data
        return Criteria(
            section=data.get("section") or "",
            rag=data.get("rag") or "",
            search=(data.get("q") or "").strip(),
        )


def sections_of(indicators: Iterable[Indicator]) -> list[str]:
    """Sections in display order, each once."""
    return list(dict.fromkeys(indicator.section for indicator in indicators))
