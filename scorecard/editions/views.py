"""Published editions (members, officers, MI), the committee pack, publishing and commentary.

Member-facing pages read only the frozen snapshot of a published version, never the
live figures, so they run in a fixed handful of queries whatever the edition holds.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import Period
from indicators.audit_trail import record
from indicators.models import Indicator
from indicators.signed_in import signed_in_user

from ..assembly import build_scorecard
from ..converters import month_of
from ..formats import long_datetime
from ..models import Commentary, Edition, EditionPack, EditionVersion, PackStatus
from ..names import names_for
from . import pdf, presentation
from .approval import COVERS, ApprovalState, approval_state, approve, cards_and_figures, summarise
from .commentary import save_commentary, writing_sections
from .forms import CommentaryForm, PublishForm
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
# While a pack is being made, its page asks again this often (seconds).
PACK_REFRESH_SECONDS = 10


def sees_embargoed(request: HttpRequest) -> bool:
    """Officers and the MI team see an embargoed version (marked); members only once it is out."""
    return request.user.has_perm(VIEW_LATEST)


def requested_version(request: HttpRequest, month: Period) -> EditionVersion:
    """``?version=N`` (the latest by default) of a published edition; 404 when there is none (or, for
    members, when it is still under embargo)."""
    number_text = request.GET.get("version", "").strip()
    if number_text and not (number_text.isascii() and number_text.isdigit() and len(number_text) <= 9):
        raise Http404("The version is a whole number.")
    version = EditionVersion.objects.version_of(
        month, int(number_text) if number_text else None, include_embargoed=sees_embargoed(request)
    )
    if version is None:
        raise Http404(f"The {month.label} edition has not been published.")
    return version


def other_versions(version: EditionVersion, request: HttpRequest) -> list[EditionVersion]:
    versions = EditionVersion.objects.filter(edition_id=version.edition_id).only(
        "number", "published_at", "visible_from"
    )
    return list(versions if sees_embargoed(request) else versions.visible_to_members())


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_list(request: HttpRequest) -> HttpResponse:
    versions = (
        EditionVersion.objects.select_related("edition")
        .only("number", "published_at", "visible_from", "edition__month")
        .order_by("-edition__month", "-number")
    )
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
    return render(
        request,
        "editions/edition.html",
        {
            "version": version,
            "edition": version.edition,
            "versions": other_versions(version, request),
            "embargoed": version.is_embargoed(),
            "page": presentation.unit_page(version.snapshot, unit),
            "units": list(version.unit_rows.values_list("name", "slug", "has_data", "kind")),
            "threshold": version.suppression_threshold,
        },
    )


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_authority(request: HttpRequest, month: Period) -> HttpResponse:
    return _unit_page(request, month, None)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_unit(request: HttpRequest, month: Period, unit: str) -> HttpResponse:
    return _unit_page(request, month, unit)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack(request: HttpRequest, month: Period) -> HttpResponse:
    """The committee pack as HTML: what the PDF is made from, and what a browser prints."""
    return HttpResponse(pdf.pack_html(requested_version(request, month), request))


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack_pdf(request: HttpRequest, month: Period) -> HttpResponse:
    """The version's stored pack, byte for byte as made at publication. Never laid out here: a version
    without one (published before packs were stored, or still being made) gets a page that says it is
    being prepared, and the worker is asked to make it."""
    version = requested_version(request, month)
    stored = EditionPack.objects.filter(version=version).first()
    if pdf.needs_queueing(stored):
        pdf.request_pack(version)  # the worker makes it (in eager mode, with no worker, this process just did)
        stored = EditionPack.objects.filter(version=version).first()
    if stored is not None and stored.is_ready and stored.pdf is not None:
        authority = version.unit_rows.filter(kind=UnitKind.AUTHORITY).values_list("name", flat=True).first()
        response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf.pack_filename(version, authority or "")}"'
        response["ETag"] = f'"{stored.sha256}"'
        return response
    if stored is not None and stored.status == PackStatus.FAILED:
        return HttpResponse(
            f"The committee pack could not be made: {stored.error}. It is tried again in a few minutes. "
            "Meanwhile, open the committee pack page and print it from your browser.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = render(
        request,
        "editions/pack_preparing.html",
        {
            "version": version,
            "edition": version.edition,
            "pack": stored,
            "refresh": PACK_REFRESH_SECONDS,
        },
        status=202,
    )
    response["Retry-After"] = str(PACK_REFRESH_SECONDS)
    return response


@require_GET
@permission_required(VIEW_LATEST, raise_exception=True)
def changes(request: HttpRequest, month: Period) -> HttpResponse:
    version = requested_version(request, month)
    return render(
        request,
        "editions/changes.html",
        {
            "version": version,
            "edition": version.edition,
            "versions": other_versions(version, request),
            "changes": changes_since(version),
        },
    )


@require_GET
@permission_required(PUBLISH, raise_exception=True)
def publish_start(request: HttpRequest) -> HttpResponse:
    """The list page's month box: on to that month's publish page."""
    try:
        month = month_of(request.GET.get("month", ""))
    except ValueError as error:  # not a month, or one with no pages (year 0, Oct-0024)
        messages.error(request, str(error))
        return redirect("editions")
    return redirect("edition-publish", month=month)


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approve_start(request: HttpRequest) -> HttpResponse:
    """The list page's sign-off box: on to that month's approval page."""
    try:
        month = month_of(request.GET.get("month", ""))
    except ValueError as error:  # not a month, or one with no pages (year 0, Oct-0024)
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
            published = publish_edition(
                month,
                user=signed_in_user(request),
                visible_from=form.cleaned_data["visible_from"],
                paper=form.cleaned_data["paper"] or "A4",
            )
        except PublishError as error:
            messages.error(request, f"Not published: {error}.")
            return redirect("edition-publish", month=month)
        version = published.version
        embargo = f" Members see it from {long_datetime(version.visible_from)}." if version.visible_from else ""
        messages.success(
            request,
            f"Published {month.label} as version {version.number}.{embargo} "
            "Its committee pack is being laid out: this page shows when it is ready.",
        )
        for warning in published.warnings:
            messages.warning(request, warning)
        return redirect("edition-publish", month=month)
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
    versions = list(
        EditionVersion.objects.filter(edition__month=month.start)
        .select_related("pack")
        .only(
            "number",
            "published_at",
            "visible_from",
            "paper",
            "edition_id",
            "pack__status",
            "pack__size",
            "pack__sha256",
            "pack__error",
            "pack__queued_at",
            "pack__finished_at",
        )
    )
    packs = [getattr(version, "pack", None) for version in versions]
    return render(
        request,
        "editions/publish.html",
        {
            "month": month,
            "packs_pending": any(
                pack is not None and pack.status in (PackStatus.QUEUED, PackStatus.MAKING) for pack in packs
            ),
            "refresh": PACK_REFRESH_SECONDS,
            "problem": problem,
            "edition": edition,
            "approval": approval,
            "covers": COVERS,
            "form": form,
            "warnings": [] if problem else missing_commentary_warnings(month),
            "versions": versions,
        },
    )


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
    return render(
        request,
        "editions/approve.html",
        {
            "month": month,
            "problem": "",
            "edition": edition,
            "approval": approval_state(edition, fingerprint),
            "covers": COVERS,
            "summary": summarise(cards),
        },
    )


def _authority() -> ReportingUnit:
    authority = ReportingUnit.objects.authority()
    if authority is None:
        raise Http404("There is no authority yet.")
    return authority


@require_GET
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_list(request: HttpRequest, month: Period) -> HttpResponse:
    authority = _authority()
    card = build_scorecard(authority, month)
    written = list(Commentary.objects.for_month(month.start).select_related("unit", "author"))
    return render(
        request,
        "editions/commentary_list.html",
        {
            "month": month,
            "authority": authority,
            "sections": writing_sections(card.rows, written),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_edit(request: HttpRequest, month: Period, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    authority_name = names_for(request).authority_or_generic
    if request.method == "POST":
        form = CommentaryForm(request.POST, authority_name=authority_name)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            outcome = save_commentary(month, indicator, unit, form.cleaned_data["text"], signed_in_user(request))
            where = unit.name if unit else authority_name
            if outcome != "unchanged":
                record("commentary.changed", request.user, about=indicator, detail=f"{month.label}, {where}: {outcome}")
            messages.success(request, f"Commentary on {indicator.code} for {where} {outcome}.")
            return redirect("edition-commentary", month=month)
        status = 400
    else:
        unit = ReportingUnit.objects.districts().filter(slug=request.GET.get("unit", "")).first()
        current = Commentary.objects.filter(month=month.start, indicator=indicator, unit=unit).first()
        form = CommentaryForm(
            initial={"unit": unit.slug if unit else None, "text": current.text if current else ""},
            authority_name=authority_name,
        )
        status = 200
    return render(
        request, "editions/commentary_form.html", {"month": month, "indicator": indicator, "form": form}, status=status
    )
