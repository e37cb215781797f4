"""/scorecards/: every scorecard the install runs, titled from its own data, and each one's rows as a download.

The default scorecard's pages are today's URLs (/scorecard/<unit>/); the others' tables download at
/scorecards/<code>/<unit>/<yyyy-mm>/?format=csv|xlsx, as at one of their own edition months (a quarterly
scorecard: Jun, Sep, Dec and Mar).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from indicators.analysis.periods import Period
from indicators.models import Scorecard as ScorecardDefinition
from scorecard.assembly import build_scorecard

from . import queries
from .queries import PageNotFound
from .views import export_response, officer_page


def edition_months(scorecard: ScorecardDefinition, months: list[Period]) -> list[Period]:
    """The months with data that are this scorecard's editions (all of them, or the quarters' last months)."""
    return [month for month in months if month.start.month in scorecard.edition_months]


@officer_page
def scorecard_list(request: HttpRequest) -> HttpResponse:
    months = queries.months_with_data()
    latest = months[0] if months else None
    year = latest.year_start_year if latest else None
    in_year = Q(memberships__from_year=None) | Q(memberships__from_year__lte=year)
    in_year &= Q(memberships__to_year=None) | Q(memberships__to_year__gte=year)
    scorecards = ScorecardDefinition.objects.annotate(
        members=Count("memberships", filter=in_year) if year else Count("memberships")
    )
    authority = queries.value_unit(None) if months else None
    listed = [(scorecard, next(iter(edition_months(scorecard, months)), None)) for scorecard in scorecards]
    return render(request, "scorecard/scorecard_list.html", {"scorecards": listed, "authority": authority})


@officer_page
def scorecard_download(request: HttpRequest, code: str, unit: str, month: str) -> HttpResponse:
    scorecard = ScorecardDefinition.objects.filter(code=code).first()
    if scorecard is None:
        raise PageNotFound(f"There is no scorecard '{code}'.")
    as_at = queries.edition_month(month)
    if as_at.start.month not in scorecard.edition_months:
        raise PageNotFound(f"{scorecard.title} is quarterly: choose June, September, December or March.")
    value_unit = queries.value_unit(unit)
    card = build_scorecard(value_unit, as_at, scorecard)
    response = export_response(request, card.rows, f"{scorecard.code}-{value_unit.slug}-{as_at.iso}")
    return response or HttpResponseBadRequest("Ask for ?format=csv or ?format=xlsx.")
