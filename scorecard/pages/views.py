"""The officer pages: scorecards (the authority, areas, districts), the indicator page and the comparison matrix.

Views stay thin: find what was asked for (queries.py), assemble the scorecards (one fixed set of
queries), group and filter the rows (layout.py, filters.py), then build tables and charts. Any
table page downloads its rows as CSV or XLSX with ?format=csv|xlsx (the rows shown: filters apply).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import Period
from indicators.models import DefinitionChange
from indicators.models import Scorecard as ScorecardDefinition
from scorecard import export, page_cache, sparkline
from scorecard.assembly import (
    NEW_INDICATOR,
    NOT_SUPPLIED,
    Scorecard,
    ScorecardRow,
    build_scorecard,
    build_scorecards,
    default_scorecard,
    summaries_side_by_side,
)
from scorecard.editions.queries import is_published, provisional_keys
from scorecard.footnotes import Footnotes
from scorecard.models import EditionVersion
from scorecard.names import show_names
from scorecard.rag_key import RagKey, judged_live, rag_key

from . import charts, queries
from . import spc as spc_pages
from .filters import FilterForm, sections_of
from .layout import Block, MatrixBlock, matrix_blocks, scorecard_blocks, unique_rows
from .queries import PageNotFound
from .tables import matrix_table, scorecard_table

VIEW_PERMISSION = "indicators.view_scorecard"


def officer_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only (405 otherwise), officers and the MI team only (403), and a 404 page that says why."""

    @require_safe
    @permission_required(VIEW_PERMISSION, raise_exception=True)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PageNotFound as error:
            return render(request, "scorecard/not_found.html", {"message": str(error)}, status=404)

    return wrapper


def export_response(request: HttpRequest, rows: Sequence[ScorecardRow], filename: str) -> HttpResponse:
    """The download asked for with ?format=csv|xlsx (the views call it only when a format is asked for)."""
    export_format = request.GET.get("format", "")
    if export_format not in export.FORMATS:
        return HttpResponseBadRequest(f"Unknown format '{export_format}': use csv or xlsx.")
    response = HttpResponse(
        export.render(rows, export_format, sheet_title=filename[:31]), content_type=export.FORMATS[export_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def month_links(request: HttpRequest, months: list[Period], url: Callable[[Period], str]) -> list[dict[str, Any]]:
    """The month picker: each month's URL, keeping the filters and sort."""
    params = request.GET.copy()
    params.pop("format", None)
    query = f"?{params.urlencode()}" if params else ""
    return [{"period": m, "url": url(m) + query} for m in months]


@dataclass(frozen=True)
class PageScope:
    """Which scorecard a page shows and where its links go.

    Today's URLs (/scorecard/…, /compare/…) show the default scorecard, their links unprefixed; before any
    scorecard is set up, every indicator. /scorecards/<code>/… shows that scorecard, its links prefixed.
    Either way: the scorecard's members, sections, order, trend length, direction method and edition months.
    """

    definition: ScorecardDefinition | None
    prefixed: bool
    months: list[Period]  # its edition months with data, newest first

    @property
    def scorecard_prefix(self) -> str:  # + "<unit>/<yyyy-mm>/"
        if self.prefixed and self.definition is not None:
            return reverse("definition-scorecard-latest", args=[self.definition.code, "unit"]).removesuffix("unit/")
        return reverse("scorecard-latest", args=["unit"]).removesuffix("unit/")

    @property
    def compare_prefix(self) -> str:  # + "<yyyy-mm>/"
        if self.prefixed and self.definition is not None:
            return reverse("definition-compare-latest", args=[self.definition.code])
        return reverse("compare-latest")

    @property
    def titled(self) -> ScorecardDefinition | None:
        """The scorecard the page's title names: a prefixed page's (today's pages keep their titles)."""
        return self.definition if self.prefixed else None

    @property
    def file_prefix(self) -> str:
        """Downloads' file names: the scorecard's code on a prefixed page, as they always were on today's."""
        return f"{self.definition.code}-" if self.prefixed and self.definition else ""

    @property
    def indicator_scorecard(self) -> str:
        """The ?scorecard= the indicator links carry: blank for the default scorecard (the indicator page's own)."""
        return self.definition.code if self.definition and not self.definition.is_default else ""

    def month(self, month: str | None) -> Period:
        return queries.definition_month(self.definition, month, self.months)

    def scorecard(self, unit: ReportingUnit, as_at: Period) -> str:
        return f"{self.scorecard_prefix}{unit.slug}/{as_at.iso}/"

    def compare(self, as_at: Period) -> str:
        return f"{self.compare_prefix}{as_at.iso}/"


def page_scope(code: str | None) -> PageScope:
    """The scorecard coded ``code``, or today's URLs' default scorecard (two queries either way)."""
    definition = queries.scorecard_definition(code) if code else default_scorecard()
    return PageScope(definition, prefixed=code is not None, months=queries.definition_months(definition))


def page_context(request: HttpRequest, as_at: Period, url: Callable[[Period], str], scope: PageScope) -> dict[str, Any]:
    return {
        "as_at": as_at,
        "months": month_links(request, scope.months, url),
        "choices": queries.unit_choices(),
        "links": scope,
        "definition": scope.titled,
    }


@dataclass(frozen=True)
class ScorecardParts:
    """What a scorecard page shows from the data: built once per data version (scorecard.page_cache)."""

    sections: list[str]  # for the filter form's choices
    teams: list[ReportingUnit]  # a district's serving teams (each has a page of its own)
    serves: list[ReportingUnit]  # a team's districts
    row_count: int
    shown_count: int
    summary: dict[str, int]
    tables: list[SafeString]  # rendered
    footnotes: list[tuple[int, str]]
    shows_synthetic: bool
    own_data: bool = True  # False: nothing was received for the unit itself (its teams may have figures)
    teams_data: bool = False  # its teams have figures
    key: RagKey = field(default_factory=RagKey)  # how its rows were judged (the page's key)


def received(rows: Sequence[ScorecardRow]) -> bool:
    """Any figure or stated status (N/A, to be supplied) in the rows' trends: something was received."""
    return any(
        value.value is not None or value.status not in (NOT_SUPPLIED, NEW_INDICATOR)
        for row in rows
        for value in (row.latest, *row.trend)
        if value is not None
    )


def scorecard_rows(
    request: HttpRequest, unit: ReportingUnit, as_at: Period, definition: ScorecardDefinition | None
) -> tuple[Scorecard, list[str], list[Block]]:
    """The unit's scorecard (``definition``'s indicators, or every one), its sections, and its rows grouped into
    blocks by the page's filters."""
    card = build_scorecard(unit, as_at, definition)
    sections = sections_of(row.indicator for row in card.rows)
    return card, sections, scorecard_blocks(card, FilterForm(request.GET, sections).criteria())


def scorecard_parts(
    request: HttpRequest, unit: ReportingUnit, as_at: Period, published: EditionVersion | None, scope: PageScope
) -> ScorecardParts:
    card, sections, blocks = scorecard_rows(request, unit, as_at, scope.definition)
    shown = [row for block in blocks for row in block.rows]
    spc = spc_pages.rows_spc(shown) if spc_pages.enabled(request.GET) else None
    serves = queries.districts_served(unit) if unit.kind == UnitKind.TEAM else []
    # A team's published rows are kept in the published scorecards of the districts it serves.
    provisional = (
        provisional_keys(as_at, shown, published, units=serves or [unit])
        if published
        else {(row.unit.pk, row.indicator.pk) for row in shown}
    )  # nothing of an unpublished month is published
    footnotes = Footnotes()
    full_trend = sparkline.full_trend(request.GET)
    tables = [
        scorecard_table(block, as_at, spc, footnotes, provisional, full_trend, scope.indicator_scorecard).as_html(
            request
        )
        for block in blocks
    ]
    return ScorecardParts(
        sections=sections,
        teams=list(card.teams),
        serves=serves,
        row_count=len(card.rows),
        shown_count=len(shown),
        summary=card.summary(),
        tables=tables,
        footnotes=footnotes.listed(),
        shows_synthetic=card.shows_synthetic or any(s.synthetic for s in (spc or {}).values()),
        own_data=received([row for row in card.rows if row.unit == unit]),
        teams_data=received([row for row in card.rows if row.unit != unit]),
        key=rag_key(judged_live(row) for row in card.rows),
    )


@officer_page
def scorecard_page(request: HttpRequest, unit: str, month: str | None = None, code: str | None = None) -> HttpResponse:
    """The authority's, a district's or a team's scorecard as at a month; an area's slug shows the area page.

    /scorecard/<unit>/…: the default scorecard; /scorecards/<code>/scorecard/<unit>/…: that one.
    """
    scope = page_scope(code)
    show_names(request, scope.definition)
    page_unit = queries.page_unit(unit)
    as_at = scope.month(month)
    context = page_context(request, as_at, lambda m: scope.scorecard(page_unit, m), scope)
    if page_unit.kind == UnitKind.AREA:
        return area_page(request, page_unit, as_at, context, scope)
    if request.GET.get("format"):  # a download: the rows shown, built afresh
        _, _, blocks = scorecard_rows(request, page_unit, as_at, scope.definition)
        return export_response(
            request,
            [row for block in blocks for row in block.rows],
            f"{scope.file_prefix or 'scorecard-'}{page_unit.slug}-{as_at.iso}",
        )
    # This scorecard's edition as members see it now: an embargo ends by time, not by a write.
    published = is_published(as_at, scope.definition)
    parts = page_cache.cached_part(
        "scorecard",
        (
            page_unit.pk,
            as_at.iso,
            published.pk if published else None,
            page_cache.query_key(request),
            scope.definition.pk if scope.definition else None,
        ),
        lambda: scorecard_parts(request, page_unit, as_at, published, scope),
    )
    return render(
        request,
        "scorecard/scorecard.html",
        {
            **context,
            "unit": page_unit,
            "parts": parts,
            "form": FilterForm(request.GET, parts.sections),
            "published": published,
            "full_trend": sparkline.full_trend(request.GET),
            **spc_pages.page_context(spc_pages.enabled(request.GET)),
        },
    )


@dataclass(frozen=True)
class MatrixParts:
    """What a matrix page shows from the data: built once per data version (scorecard.page_cache)."""

    sections: list[str]
    tables: list[SafeString]  # rendered, sorted as asked
    summaries: list[tuple[ReportingUnit, dict[str, int]]]
    shows_synthetic: bool
    key: RagKey = field(default_factory=RagKey)  # how its rows were judged (the page's key)


def matrix_units(cards: dict[ReportingUnit, Scorecard]) -> list[ReportingUnit]:
    """The matrix's columns: the units in order, then their teams (each once)."""
    units = list(cards)
    for card in cards.values():
        units += [team for team in card.teams if team not in units]
    return units


def matrix_rows(
    request: HttpRequest, units: list[ReportingUnit], as_at: Period, definition: ScorecardDefinition | None
) -> tuple[dict[ReportingUnit, Scorecard], list[str], list[MatrixBlock]]:
    """The units' scorecards, their sections, and the matrix's blocks by the page's filters."""
    cards = build_scorecards(units, as_at, definition)
    rows = unique_rows(cards.values())
    sections = sections_of(row.indicator for row in rows)
    return cards, sections, matrix_blocks(rows, matrix_units(cards), FilterForm(request.GET, sections).criteria())


def matrix_parts(
    request: HttpRequest, units: list[ReportingUnit], as_at: Period, summaries: bool, scope: PageScope
) -> MatrixParts:
    cards, sections, blocks = matrix_rows(request, units, as_at, scope.definition)
    tables = [matrix_table(block, as_at, scope.indicator_scorecard) for block in blocks]
    for table in tables:
        RequestConfig(request, paginate=False).configure(table)  # ?sort=<unit slug> or ?sort=indicator
    return MatrixParts(
        sections=sections,
        tables=[table.as_html(request) for table in tables],
        summaries=list(zip(cards, summaries_side_by_side(cards.values()), strict=True)) if summaries else [],
        shows_synthetic=any(card.shows_synthetic for card in cards.values()),
        key=rag_key(judged_live(row) for row in unique_rows(cards.values())),
    )


def matrix_page(
    request: HttpRequest,
    units: list[ReportingUnit],
    as_at: Period,
    filename: str,
    context: dict[str, Any],
    scope: PageScope,
    summaries: bool = False,
) -> HttpResponse:
    """Indicators down, units across, filtered and sortable; or its rows as a download."""
    if request.GET.get("format"):  # a download: the rows shown, built afresh
        _, _, blocks = matrix_rows(request, units, as_at, scope.definition)
        return export_response(request, [row for block in blocks for row in block.rows], filename)
    parts = page_cache.cached_part(
        "matrix",
        (
            [unit.pk for unit in units],
            as_at.iso,
            summaries,
            page_cache.query_key(request),
            scope.definition.pk if scope.definition else None,
        ),
        lambda: matrix_parts(request, units, as_at, summaries, scope),
    )
    return render(
        request,
        "scorecard/matrix.html",
        {
            **context,
            "parts": parts,
            "form": FilterForm(request.GET, parts.sections),
        },
    )


def area_page(
    request: HttpRequest, area: ReportingUnit, as_at: Period, context: dict[str, Any], scope: PageScope
) -> HttpResponse:
    """The area's districts and their teams side by side (the comparison matrix limited to the area)."""
    return matrix_page(
        request,
        queries.area_districts(area),
        as_at,
        f"{scope.file_prefix or 'scorecard-'}{area.slug}-{as_at.iso}",
        {
            **context,
            "unit": area,
            "title": f"{area.name} {scope.titled.title if scope.titled else 'scorecard'}",
        },
        scope,
        summaries=True,
    )


@officer_page
def compare_page(request: HttpRequest, month: str | None = None, code: str | None = None) -> HttpResponse:
    """Every district and team against every indicator of the scorecard for a month, the authority alongside.

    /compare/…: the default scorecard; /scorecards/<code>/compare/…: that one.
    """
    scope = page_scope(code)
    show_names(request, scope.definition)
    as_at = scope.month(month)
    context = page_context(request, as_at, scope.compare, scope)
    return matrix_page(
        request,
        queries.compare_units(),
        as_at,
        f"{scope.file_prefix}compare-{as_at.iso}",
        {
            **context,
            "title": f"{scope.titled.title}: compare districts and teams"
            if scope.titled
            else "Compare districts and teams",
        },
        scope,
    )


def indicator_parts(request: HttpRequest, data: queries.IndicatorPageData) -> dict[str, Any]:
    """What the indicator page shows from the data: charts, tables and histories (cached: page_cache)."""
    spc_on = spc_pages.enabled(request.GET)
    spc = spc_pages.row_spc(data.focus_row)
    return {
        "indicator": data.indicator,
        "unit": data.unit,
        "as_at": data.as_at,
        "authority": data.authority,
        "peers": data.peers,
        "charted": data.charted,
        "serving_teams": data.serving_teams,
        "focus_unit": data.focus_unit,
        "latest_period": data.focus_row.period.label if data.focus_row.period else "",
        "reports_it": data.reports_it,
        "trend_figure": charts.trend_figure(data),
        "spc": spc,
        "spc_cell": spc_pages.cell(spc),
        "spc_figure": charts.spc_figure(data, spc) if spc_on and spc.shown else None,
        "shows_synthetic": data.shows_synthetic,
        "bar_figure": charts.bar_figure(data),
        "value_tables": [
            {"unit": unit, "lines": charts.value_lines(data, unit, spc if spc_on and unit == data.focus_unit else None)}
            for unit in data.charted
        ],
        "latest": charts.latest_lines(data),
        "targets": charts.target_lines(data),
        "revisions": charts.revision_lines(data),
        "definition_changes": list(DefinitionChange.objects.for_indicator(data.indicator)),
        "judged": charts.judged(data),
        **indicator_links(data.definition),
    }


def indicator_links(definition: ScorecardDefinition | None) -> dict[str, Any]:
    """Where the indicator page's links go: the scorecard it is judged in (today's URLs for the default), and the
    ?scorecard= its own links keep (blank for the default)."""
    scope = PageScope(definition, prefixed=bool(definition and not definition.is_default), months=[])
    return {"links": scope, "scorecard_code": scope.indicator_scorecard}


@officer_page
def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    """An indicator's trend for a unit (?area=, the authority by default), its peers, targets and revisions,
    judged as in one scorecard (?scorecard=CODE; by default the default scorecard, or the first that holds it)."""
    area, month, scorecard = request.GET.get("area"), request.GET.get("month"), request.GET.get("scorecard")
    if request.GET.get("format"):  # a download: the rows shown, built afresh
        data = queries.indicator_page_data(code, area, month, scorecard)
        return export_response(
            request, data.rows, f"indicator-{slugify(data.indicator.code)}-{data.unit.slug}-{data.as_at.iso}"
        )
    parts = page_cache.cached_part(
        "indicator",
        (code, page_cache.query_key(request)),
        lambda: indicator_parts(request, queries.indicator_page_data(code, area, month, scorecard)),
    )
    show_names(request, parts["links"].definition)  # the scorecard it is judged in
    return render(
        request, "scorecard/indicator.html", {**parts, **spc_pages.page_context(spc_pages.enabled(request.GET))}
    )
