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
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import Period, PeriodError, parse_month
from indicators.models import Indicator
from indicators.signed_in import signed_in_user

from ..assembly import build_scorecard
from ..models import Commentary, Edition, EditionVersion
from . import presentation
from .approval import COVERS, ApprovalState, approval_state, approve, cards_and_figures, summarise
from .commentary import save_commentary, writing_sections
from .forms import CommentaryForm, PublishForm
from .pdf import PdfUnavailable, html_to_pdf
from .publishing import (
    PublishError,
    approval_problem,
    check_publishable,
    missing_commentary_warnings,
    publish_edition,
    units_in_edition,
)
from .queries import changes_since

VIEW_PUBLISHED = "scorecard.view_published"
PUBLISH = "scorecard.publish_edition"
APPROVE = "scorecard.approve_edition"
WRITE_COMMENTARY = "scorecard.write_commentary"
VIEW_LATEST = "indicators.view_scorecard"
PACK_TITLE = "Children, Young People and Education Directorate Scorecard"


def sees_embargoed(request: HttpRequest) -> bool:
    """Officers and the MI team see an embargoed version (marked); members only once it is out."""
    return request.user.has_perm(VIEW_LATEST)


def requested_version(request: HttpRequest, month: Period) -> EditionVersion:
    """``?version=N`` (the latest by default) of a published edition; 404 when there is none (or, for
    members, when it is still under embargo)."""
    number_text = request.GET.get("version", "").strip()
    if number_text and not number_text.isdigit():
        raise Http404("The version is a whole number.")
    version = EditionVersion.objects.version_of(month, int(number_text) if number_text else None, include_embargoed=sees_embargoed(request))
    if version is None:
        raise Http404(f"The {month.label} edition has not been published.")
    return version


def other_versions(version: EditionVersion, request: HttpRequest) -> list[EditionVersion]:
    versions = EditionVersion.objects.filter(edition_id=version.edition_id).only("number", "published_at",
                                                                                 "visible_from")
    return list(versions if sees_embargoed(request) else versions.visible_to_members())


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_list(request: HttpRequest) -> HttpResponse:
    versions = EditionVersion.objects.select_related("edition").only(
        "number", "published_at", "visible_from", "edition__month").order_by("-edition__month", "-number")
    if not sees_embargoed(request):
        versions = versions.visible_to_members()
    by_edition: dict[object, list[EditionVersion]] = defaultdict(list)
    for version in versions:
        by_edition[version.edition].append(version)
    return render(request, "editions/list.html", {"editions": dict(by_edition), "now": timezone.now()})


def _unit_page(request: HttpRequest, month: Period, slug: str | None) -> HttpResponse:
    version = requested_version(request, month)
    unit = version.unit(slug)  # this unit's rows only
    if unit is None:
        raise Http404("No such unit in this edition.")
    return render(request, "editions/edition.html", {
        "version": version,
        "edition": version.edition,
        "versions": other_versions(version, request),
        "embargoed": version.is_embargoed(),
        "page": presentation.unit_page(version.snapshot, unit),
        "units": list(version.unit_rows.values_list("name", "slug", "has_data", "kind")),
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
    pages = [presentation.unit_page(version.snapshot, unit) for unit in version.units]
    return render_to_string("editions/pack.html", {
        "title": PACK_TITLE,
        "version": version,
        "edition": version.edition,
        "authority": next((page for page in pages if page.unit["kind"] == UnitKind.AUTHORITY), None),
        "districts": [page for page in pages if page.unit["kind"] != UnitKind.AUTHORITY],
        "threshold": version.suppression_threshold,
        "embargoed": version.is_embargoed(),
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
        "versions": other_versions(version, request),
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


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approve_start(request: HttpRequest) -> HttpResponse:
    """The list page's sign-off box: on to that month's approval page."""
    try:
        month = parse_month(request.GET.get("month", ""))
    except PeriodError as error:
        messages.error(request, str(error))
        return redirect("editions")
    return redirect("edition-approve", month=month)


@require_http_methods(["GET", "POST"])
@permission_required(PUBLISH, raise_exception=True)
def publish(request: HttpRequest, month: Period) -> HttpResponse:
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Not published: give the embargo as a date and time, or leave it blank.")
            return redirect("edition-publish", month=month)
        try:
            published = publish_edition(month, user=signed_in_user(request), visible_from=form.cleaned_data["visible_from"])
        except PublishError as error:
            messages.error(request, f"Not published: {error}.")
            return redirect("edition-publish", month=month)
        version = published.version
        embargo = (f" Members see it from {timezone.localtime(version.visible_from):%d %B %Y %H:%M}."
                   if version.visible_from else "")
        messages.success(request, f"Published {month.label} as version {version.number}.{embargo}")
        for warning in published.warnings:
            messages.warning(request, warning)
        return redirect(f"{reverse('edition', kwargs={'month': month})}?version={version.number}")
    try:
        check_publishable(month)
        problem = ""
    except PublishError as error:
        problem = str(error)
    edition = Edition.objects.filter(month=month.start).select_related("approved_by").first()
    approval = ApprovalState.NONE
    if not problem:
        _, fingerprint = cards_and_figures(units_in_edition(), month)
        approval = approval_state(edition, fingerprint)
        problem = approval_problem(approval, edition)
    return render(request, "editions/publish.html", {
        "month": month,
        "problem": problem,
        "edition": edition,
        "approval": approval,
        "covers": COVERS,
        "form": form,
        "warnings": [] if problem else missing_commentary_warnings(month),
        "versions": list(EditionVersion.objects.filter(edition__month=month.start)
                         .only("number", "published_at", "visible_from")),
    })


@require_http_methods(["GET", "POST"])
@permission_required(APPROVE, raise_exception=True)
def approve_month(request: HttpRequest, month: Period) -> HttpResponse:
    """A service lead signs off the month's figures: what will be published, its counts and RED rows."""
    try:
        check_publishable(month)
        problem = ""
    except PublishError as error:
        problem = str(error)
    if problem:
        if request.method == "POST":
            messages.error(request, f"Not approved: {problem}.")
            return redirect("edition-approve", month=month)
        return render(request, "editions/approve.html", {"month": month, "problem": problem})
    cards, fingerprint = cards_and_figures(units_in_edition(), month)
    if request.method == "POST":
        approve(month, fingerprint, signed_in_user(request))
        messages.success(request, f"Approved the {month.label} figures: the MI team can publish them.")
        return redirect("edition-approve", month=month)
    edition = Edition.objects.filter(month=month.start).select_related("approved_by").first()
    return render(request, "editions/approve.html", {
        "month": month,
        "problem": "",
        "edition": edition,
        "approval": approval_state(edition, fingerprint),
        "covers": COVERS,
        "summary": summarise(cards),
    })


def _authority() -> ReportingUnit:
    authority = ReportingUnit.objects.authority()
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
            outcome = save_commentary(month, indicator, unit, form.cleaned_data["text"], signed_in_user(request))
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
