"""Published editions (members, officers, MI), the committee pack, publishing and commentary.

Member-facing pages read only the frozen snapshot of a published version, never the
live figures, so they run in a fixed handful of queries whatever the edition holds.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import Period, PeriodError, parse_month
from indicators.models import Indicator

from ..assembly import build_scorecard
from ..models import Commentary, EditionVersion
from . import presentation
from .commentary import save_commentary, writing_sections
from .forms import CommentaryForm
from .pdf import PdfUnavailable, html_to_pdf
from .publishing import PublishError, check_publishable, missing_commentary_warnings, publish_edition
from .queries import changes_since, version_of

VIEW_PUBLISHED = "scorecard.view_published"
PUBLISH = "scorecard.publish_edition"
WRITE_COMMENTARY = "scorecard.write_commentary"
VIEW_LATEST = "indicators.view_scorecard"
PACK_TITLE = "Children, Young People and Education Directorate Scorecard"


def requested_version(request: HttpRequest, month: Period) -> EditionVersion:
    """``?version=N`` (the latest by default) of a published edition; 404 when there is none."""
    number_text = request.GET.get("version", "").strip()
    if number_text and not number_text.isdigit():
        raise Http404("The version is a whole number.")
    version = version_of(month, int(number_text) if number_text else None)
    if version is None:
        raise Http404(f"The {month.label} edition has not been published.")
    return version


def other_versions(version: EditionVersion) -> list[EditionVersion]:
    return list(EditionVersion.objects.filter(edition_id=version.edition_id).only("number", "published_at"))


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_list(request: HttpRequest) -> HttpResponse:
    versions = EditionVersion.objects.select_related("edition").only(
        "number", "published_at", "edition__month").order_by("-edition__month", "-number")
    by_edition: dict[object, list[EditionVersion]] = defaultdict(list)
    for version in versions:
        by_edition[version.edition].append(version)
    return render(request, "editions/list.html", {"editions": dict(by_edition)})


def _unit_page(request: HttpRequest, month: Period, slug: str | None) -> HttpResponse:
    version = requested_version(request, month)
    snapshot = version.snapshot
    unit = presentation.find_unit(snapshot, slug)
    if unit is None:
        raise Http404("No such unit in this edition.")
    return render(request, "editions/edition.html", {
        "version": version,
        "edition": version.edition,
        "versions": other_versions(version),
        "page": presentation.unit_page(snapshot, unit),
        "units": [(u["name"], u["slug"], u["has_data"], u["kind"]) for u in snapshot["units"]],
        "threshold": version.suppression_threshold,
    })


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_authority(request: HttpRequest, month: Period) -> HttpResponse:
    return _unit_page(request, month, None)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_unit(request: HttpRequest, month: Period, unit: str) -> HttpResponse:
    return _unit_page(request, month, unit)


def pack_html(request: HttpRequest, version: EditionVersion) -> str:
    snapshot = version.snapshot
    pages = [presentation.unit_page(snapshot, unit) for unit in snapshot["units"]]
    return render_to_string("editions/pack.html", {
        "title": PACK_TITLE,
        "version": version,
        "edition": version.edition,
        "authority": next((page for page in pages if page.unit["kind"] == UnitKind.AUTHORITY), None),
        "districts": [page for page in pages if page.unit["kind"] != UnitKind.AUTHORITY],
        "threshold": version.suppression_threshold,
    }, request=request)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack(request: HttpRequest, month: Period) -> HttpResponse:
    return HttpResponse(pack_html(request, requested_version(request, month)))


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack_pdf(request: HttpRequest, month: Period) -> HttpResponse:
    version = requested_version(request, month)
    html = pack_html(request, version)
    # A published version never changes, so neither does its pack: lay it out once (10 s or so)
    # and keep it, keyed by the HTML itself so a changed template makes a new one.
    cache_key = "edition-pack-pdf:" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    try:
        pdf = cache.get(cache_key)
        if pdf is None:
            pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
            cache.set(cache_key, pdf, timeout=None)
    except PdfUnavailable:
        return HttpResponse(
            "The PDF cannot be made on this server (WeasyPrint or Pango is not installed). "
            "Open the committee pack page and print it from your browser instead.",
            status=503, content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"cype-scorecard-{month.iso}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@permission_required(VIEW_LATEST, raise_exception=True)
def changes(request: HttpRequest, month: Period) -> HttpResponse:
    version = requested_version(request, month)
    return render(request, "editions/changes.html", {
        "version": version,
        "edition": version.edition,
        "versions": other_versions(version),
        "changes": changes_since(version),
    })


@require_GET
@permission_required(PUBLISH, raise_exception=True)
def publish_start(request: HttpRequest) -> HttpResponse:
    """The list page's month box: on to that month's publish page."""
    try:
        month = parse_month(request.GET.get("month", ""))
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect("editions")
    return redirect("edition-publish", month=month)


@require_http_methods(["GET", "POST"])
@permission_required(PUBLISH, raise_exception=True)
def publish(request: HttpRequest, month: Period) -> HttpResponse:
    if request.method == "POST":
        try:
            published = publish_edition(month, user=request.user)
        except PublishError as error:
            messages.error(request, f"Not published: {error}.")
            return redirect("edition-publish", month=month)
        version = published.version
        messages.success(request, f"Published {month.label} as version {version.number}.")
        for warning in published.warnings:
            messages.warning(request, warning)
        return redirect(f"{reverse('edition', kwargs={'month': month})}?version={version.number}")
    try:
        check_publishable(month)
        problem = ""
    except PublishError as error:
        problem = str(error)
    return render(request, "editions/publish.html", {
        "month": month,
        "problem": problem,
        "warnings": [] if problem else missing_commentary_warnings(month),
        "versions": list(EditionVersion.objects.filter(edition__month=month.start).only("number", "published_at")),
    })


def _authority() -> ReportingUnit:
    authority = ReportingUnit.objects.filter(kind=UnitKind.AUTHORITY).first()
    if authority is None:
        raise Http404("There is no authority yet.")
    return authority


@require_GET
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_list(request: HttpRequest, month: Period) -> HttpResponse:
    card = build_scorecard(_authority(), month)
    written = list(Commentary.objects.for_month(month.start).select_related("unit", "author"))
    return render(request, "editions/commentary_list.html", {
        "month": month,
        "sections": writing_sections(card.rows, written),
    })


@require_http_methods(["GET", "POST"])
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_edit(request: HttpRequest, month: Period, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    if request.method == "POST":
        form = CommentaryForm(request.POST)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            outcome = save_commentary(month, indicator, unit, form.cleaned_data["text"], request.user)
            where = unit.name if unit else "Kent"
            messages.success(request, f"Commentary on {indicator.code} for {where} {outcome}.")
            return redirect("edition-commentary", month=month)
        status = 400
    else:
        unit = ReportingUnit.objects.districts().filter(slug=request.GET.get("unit", "")).first()
        current = Commentary.objects.filter(month=month.start, indicator=indicator, unit=unit).first()
        form = CommentaryForm(initial={"unit": unit.slug if unit else None, "text": current.text if current else ""})
        status = 200
    return render(request, "editions/commentary_form.html",
                  {"month": month, "indicator": indicator, "form": form}, status=status)
