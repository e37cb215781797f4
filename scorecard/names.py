"""The names pages and packs print: they come from the data, never from code.

The default scorecard (scorecards.csv) gives the title, the organisation as printed, the directorate and
the attribution line; the authority unit (geography.csv) gives the name its own rows go by ("… only",
"… (the indicator as a whole)"). One query fetches both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Subquery
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from districts.models import ReportingUnit, UnitKind
from indicators.models import Scorecard

REQUEST_ATTRIBUTE = "_scorecard_names"


@dataclass(frozen=True)
class Names:
    title: str = ""
    organisation: str = ""
    directorate: str = ""
    attribution: str = ""
    authority: str = ""  # the authority unit's name; blank before geography is set up

    @property
    def authority_or_generic(self) -> str:
        return self.authority or "the authority"


def current_names() -> Names:
    """One query once a default scorecard exists (two before: the authority's name is then asked alone)."""
    authority = ReportingUnit.objects.filter(kind=UnitKind.AUTHORITY).order_by("display_order", "pk").values("name")
    row = (
        Scorecard.objects.filter(is_default=True)
        .annotate(authority=Subquery(authority[:1]))
        .values("title", "organisation", "directorate", "attribution", "authority")
        .first()
    )
    if row is None:
        return Names(authority=authority.values_list("name", flat=True).first() or "")
    return Names(
        title=row["title"] or "",
        organisation=row["organisation"] or "",
        directorate=row["directorate"] or "",
        attribution=row["attribution"] or "",
        authority=row["authority"] or "",
    )


def names_for(request: HttpRequest) -> Names:
    """The names, looked up at most once per request."""
    names = getattr(request, REQUEST_ATTRIBUTE, None)
    if names is None:
        names = current_names()
        setattr(request, REQUEST_ATTRIBUTE, names)
    return names


def names(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``names`` in every template, looked up only if the template uses it."""
    return {"names": SimpleLazyObject(lambda: names_for(request))}
