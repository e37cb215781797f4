"""The names pages and packs print: they come from the data, never from code.

The scorecard a page shows gives the title, the organisation as printed, the directorate and the attribution
line: the one its view loaded (``show_names``: a scorecard, or a published version as it was published), else
the default scorecard (scorecards.csv). The authority unit (geography.csv) gives the name its own rows go by
("… only", "… (the indicator as a whole)"). One query fetches the default's names and the authority's; none when
the view has shown its scorecard (its pages then don't ask for the authority's name here).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Subquery
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from districts.models import ReportingUnit, UnitKind
from indicators.models import Scorecard
from scorecard.models import EditionVersion

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


def names_of(shown: Scorecard | EditionVersion) -> Names:
    """A scorecard's names, or a published version's as they were published (its scorecard's where the version
    kept none: published before versions kept them). No query: a version's scorecard comes with it
    (``version_of`` selects it)."""
    if isinstance(shown, Scorecard):
        return Names(shown.title, shown.organisation, shown.directorate, shown.attribution)
    scorecard = shown.edition.scorecard
    return Names(
        title=shown.title or scorecard.title,
        organisation=shown.organisation or scorecard.organisation,
        directorate=shown.directorate or scorecard.directorate,
        attribution=shown.attribution or scorecard.attribution,
    )


def show_names(request: HttpRequest, shown: Scorecard | EditionVersion | None) -> None:
    """The page shows this scorecard (or published version): its title, header and footer are its names, read
    from what the view already loaded. None (no scorecard set up yet) leaves the default's lookup."""
    if shown is not None:
        known = getattr(request, REQUEST_ATTRIBUTE, None)  # the authority's name, if already looked up
        setattr(request, REQUEST_ATTRIBUTE, replace(names_of(shown), authority=known.authority if known else ""))


def names_for(request: HttpRequest) -> Names:
    """The names: the shown scorecard's (``show_names``), else the default's, looked up at most once per request.
    (Views that need the authority's name ask before showing theirs, or ask for the unit itself.)"""
    names = getattr(request, REQUEST_ATTRIBUTE, None)
    if names is None:
        names = current_names()
        setattr(request, REQUEST_ATTRIBUTE, names)
    return names


def names(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``names`` in every template, looked up only if the template uses it."""
    return {"names": SimpleLazyObject(lambda: names_for(request))}
