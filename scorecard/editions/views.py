"""Published editions (members, officers, MI), the committee pack, publishing and commentary.

Member-facing pages read only the frozen snapshot of a published version, never the
live figures, so they run in a fixed handful of queries whatever the edition holds.

Every view serves today's /editions/… URL (the default scorecard) and its mirror under
/scorecards/<scorecard_code>/editions/… (that scorecard): ``scorecard_code`` is None for the former,
and links on the page stay within the scorecard shown (links.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from districts.models import ReportingUnit
from indicators.analysis.periods import Period
from indicators.audit_trail import record
from indicators.models import Indicator
from indicators.models import Scorecard as ScorecardDefinition
from indicators.signed_in import signed_in_user

from ..assembly import build_scorecard, default_scorecard
from ..converters import month_of
from ..formats import long_datetime
from ..models import Commentary, Edition, EditionPack, EditionVersion, PackStatus
from ..names import names_for, show_names
from . import pdf, presentation
from .approval import COVERS, ApprovalState, approval_state, approve, cards_and_figures, summarise
from .commentary import save_commentary, writing_sections
from .forms import CommentaryForm, PublishForm
from .links import edition_redirect
from .publishing import (
    PublishError,
    approval_problem,
    check_publishable,
    edition_month_words,
    missing_commentary_warnings,
    publish_edition,
    units_in_edition,
)
from .queries import changes_since, scorecard_edition_months

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


def scorecard_of(scorecard_code: str | None) -> ScorecardDefinition:
    """The scorecard a URL names by its code, else the default one (one query); 404 when there is none."""
    scorecard = (
        default_scorecard()
        if scorecard_code is None
        else ScorecardDefinition.objects.filter(code=scorecard_code).first()
    )
    if scorecard is None:
        raise Http404(f"There is no scorecard '{scorecard_code}'." if scorecard_code else "There is no scorecard yet.")
    return scorecard


def requested_version(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> EditionVersion:
    """``?version=N`` (the latest by default) of a scorecard's published edition (the default scorecard's
    without a code), with its edition and scorecard; 404 when there is none (or, for members, when it is
    still under embargo). One query."""
    number_text = request.GET.get("version", "").strip()
    if number_text and not (number_text.isascii() and number_text.isdigit() and len(number_text) <= 9):
        raise Http404("The version is a whole number.")
    version = EditionVersion.objects.version_of(
        month,
        int(number_text) if number_text else None,
        code=scorecard_code,
        include_embargoed=sees_embargoed(request),
    )
    if version is None:
        raise Http404(f"The {month.label} edition has not been published.")
    return version


def edition_context(version: EditionVersion, scorecard_code: str | None) -> dict[str, object]:
    """What every page of a published edition names: its scorecard (as printed when published) and where its
    links go."""
    return {
        "version": version,
        "edition": version.edition,
        "scorecard": version.edition.scorecard,
        "scorecard_code": scorecard_code,
        "edition_label": version.edition.label,
    }


def other_versions(version: EditionVersion, request: HttpRequest) -> list[EditionVersion]:
    versions = EditionVersion.objects.filter(edition_id=version.edition_id).only(
        "number", "published_at", "visible_from"
    )
    return list(versions if sees_embargoed(request) else versions.visible_to_members())


@dataclass
class ListedScorecard:
    """One scorecard's published editions on the list page, newest first, each with its versions."""

    scorecard: ScorecardDefinition
    scorecard_code: str | None  # where its links go: None for today's URLs (the default scorecard)
    editions: dict[Edition, list[EditionVersion]] = field(default_factory=dict)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_list(request: HttpRequest, scorecard_code: str | None = None) -> HttpResponse:
    """Every scorecard's published editions (/editions/), or one scorecard's (/scorecards/<code>/editions/)."""
    versions = (
        EditionVersion.objects.select_related("edition__scorecard")
        .only(
            "number",
            "published_at",
            "visible_from",
            "edition__month",
            "edition__scorecard__code",
            "edition__scorecard__title",
            "edition__scorecard__organisation",
            "edition__scorecard__directorate",
            "edition__scorecard__cadence",
            "edition__scorecard__is_default",
        )
        .order_by("-edition__scorecard__is_default", "edition__scorecard__code", "-edition__month", "-number")
    )
    shown = None
    if scorecard_code is not None:
        shown = scorecard_of(scorecard_code)
        show_names(request, shown)
        versions = versions.filter(edition__scorecard=shown)
    if not sees_embargoed(request):
        versions = versions.visible_to_members()
    listed: dict[int, ListedScorecard] = {}
    if shown is not None:
        listed[shown.pk] = ListedScorecard(shown, scorecard_code)
    for version in versions:
        scorecard = version.edition.scorecard
        if scorecard.pk not in listed:
            listed[scorecard.pk] = ListedScorecard(scorecard, None if scorecard.is_default else scorecard.code)
        listed[scorecard.pk].editions.setdefault(version.edition, []).append(version)
    # The MI team's and service leads' boxes choose a scorecard (one more query, for them only).
    prepares = any(request.user.has_perm(perm) for perm in (PUBLISH, APPROVE))
    choices = ([shown] if shown else list(ScorecardDefinition.objects.all())) if prepares else []
    return render(
        request,
        "editions/list.html",
        {
            "listed": list(listed.values()),
            "shown": shown,
            "scorecard_code": scorecard_code,
            "choices": choices,
            "now": timezone.now(),
        },
    )


def _unit_page(request: HttpRequest, month: Period, slug: str | None, scorecard_code: str | None) -> HttpResponse:
    version = requested_version(request, month, scorecard_code)
    unit = version.unit(slug)  # this unit's rows only
    if unit is None:
        raise Http404("No such unit in this edition.")
    show_names(request, version)
    return render(
        request,
        "editions/edition.html",
        {
            **edition_context(version, scorecard_code),
            "versions": other_versions(version, request),
            "embargoed": version.is_embargoed(),
            "page": presentation.unit_page(version.snapshot, unit),
            "units": list(version.unit_rows.values_list("name", "slug", "has_data", "kind")),
            "threshold": version.suppression_threshold,
        },
    )


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_authority(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    return _unit_page(request, month, None, scorecard_code)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def edition_unit(request: HttpRequest, month: Period, unit: str, scorecard_code: str | None = None) -> HttpResponse:
    return _unit_page(request, month, unit, scorecard_code)


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    """The committee pack as HTML: what the PDF is made from, and what a browser prints."""
    return HttpResponse(pdf.pack_html(requested_version(request, month, scorecard_code), request, scorecard_code))


@require_GET
@permission_required(VIEW_PUBLISHED, raise_exception=True)
def pack_pdf(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    """The version's stored pack, byte for byte as made at publication. Never laid out here: a version
    without one (published before packs were stored, or still being made) gets a page that says it is
    being prepared, and the worker is asked to make it."""
    version = requested_version(request, month, scorecard_code)
    stored = EditionPack.objects.filter(version=version).first()
    if pdf.needs_queueing(stored):
        pdf.request_pack(version)  # the worker makes it (in eager mode, with no worker, this process just did)
        stored = EditionPack.objects.filter(version=version).first()
    if stored is not None and stored.is_ready and stored.pdf is not None:
        response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{pdf.pack_filename(version)}"'
        response["ETag"] = f'"{stored.sha256}"'
        return response
    if stored is not None and stored.status == PackStatus.FAILED:
        return HttpResponse(
            f"The committee pack could not be made: {stored.error}. It is tried again in a few minutes. "
            "Meanwhile, open the committee pack page and print it from your browser.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    show_names(request, version)
    response = render(
        request,
        "editions/pack_preparing.html",
        {
            **edition_context(version, scorecard_code),
            "pack": stored,
            "refresh": PACK_REFRESH_SECONDS,
        },
        status=202,
    )
    response["Retry-After"] = str(PACK_REFRESH_SECONDS)
    return response


@require_GET
@permission_required(VIEW_LATEST, raise_exception=True)
def changes(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    version = requested_version(request, month, scorecard_code)
    show_names(request, version)
    return render(
        request,
        "editions/changes.html",
        {
            **edition_context(version, scorecard_code),
            "versions": other_versions(version, request),
            "changes": changes_since(version),
        },
    )


def _start(request: HttpRequest, scorecard_code: str | None, name: str) -> HttpResponse:
    """The list page's month box (and scorecard choice, on /editions/): on to that edition's page."""
    if scorecard_code is None and (chosen := request.GET.get("scorecard", "").strip()):
        scorecard = ScorecardDefinition.objects.filter(code=chosen).only("code", "is_default").first()
        if scorecard is None:
            messages.error(request, f"There is no scorecard '{chosen}'.")
            return edition_redirect("editions", None)
        scorecard_code = None if scorecard.is_default else scorecard.code
    try:
        month = month_of(request.GET.get("month", ""))
    except ValueError as error:  # not a month, or one with no pages (year 0, Oct-0024)
        messages.error(request, str(error))
        return edition_redirect("editions", scorecard_code)
    return edition_redirect(name, scorecard_code, month=month)


@require_GET
@permission_required(PUBLISH, raise_exception=True)
def publish_start(request: HttpRequest, scorecard_code: str | None = None) -> HttpResponse:
    """The list page's month box: on to that month's publish page."""
    return _start(request, scorecard_code, "edition-publish")


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approve_start(request: HttpRequest, scorecard_code: str | None = None) -> HttpResponse:
    """The list page's sign-off box: on to that month's approval page."""
    return _start(request, scorecard_code, "edition-approve")


def preparing_context(scorecard: ScorecardDefinition, scorecard_code: str | None, month: Period) -> dict[str, object]:
    """What the MI team's pages (publish, approve, commentary) show of the scorecard: its name and its edition
    months with figures, to move between (one query)."""
    return {
        "scorecard": scorecard,
        "scorecard_code": scorecard_code,
        "month": month,
        "edition_months": scorecard_edition_months(scorecard),
        "edition_month_words": edition_month_words(scorecard),
    }


@require_http_methods(["GET", "POST"])
@permission_required(PUBLISH, raise_exception=True)
def publish(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    scorecard = scorecard_of(scorecard_code)
    show_names(request, scorecard)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Not published: give the embargo as a date and time, or leave it blank.")
            return edition_redirect("edition-publish", scorecard_code, month=month)
        try:
            published = publish_edition(
                month,
                user=signed_in_user(request),
                visible_from=form.cleaned_data["visible_from"],
                paper=form.cleaned_data["paper"] or "A4",
                scorecard=scorecard,
            )
        except PublishError as error:
            messages.error(request, f"Not published: {error}.")
            return edition_redirect("edition-publish", scorecard_code, month=month)
        version = published.version
        embargo = f" Members see it from {long_datetime(version.visible_from)}." if version.visible_from else ""
        messages.success(
            request,
            f"Published {month.label} as version {version.number} of {scorecard.title}.{embargo} "
            "Its committee pack is being laid out: this page shows when it is ready.",
        )
        for warning in published.warnings:
            messages.warning(request, warning)
        return edition_redirect("edition-publish", scorecard_code, month=month)
    try:
        check_publishable(month, scorecard)
        problem = ""
    except PublishError as error:
        problem = str(error)
    edition = Edition.objects.filter(scorecard=scorecard, month=month.start).select_related("approved_by").first()
    approval = ApprovalState.NONE
    if not problem:
        _, fingerprint = cards_and_figures(units_in_edition(), month, scorecard=scorecard)
        approval = approval_state(edition, fingerprint)
        problem = approval_problem(approval, edition)
    versions = list(
        EditionVersion.objects.filter(edition__scorecard=scorecard, edition__month=month.start)
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
            **preparing_context(scorecard, scorecard_code, month),
            "packs_pending": any(
                pack is not None and pack.status in (PackStatus.QUEUED, PackStatus.MAKING) for pack in packs
            ),
            "refresh": PACK_REFRESH_SECONDS,
            "problem": problem,
            "edition": edition,
            "approval": approval,
            "covers": COVERS,
            "form": form,
            "warnings": [] if problem else missing_commentary_warnings(month, scorecard),
            "versions": versions,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(APPROVE, raise_exception=True)
def approve_month(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    """A service lead signs off a scorecard's figures as at the month: what will be published, its counts and
    RED rows."""
    scorecard = scorecard_of(scorecard_code)
    show_names(request, scorecard)
    context = preparing_context(scorecard, scorecard_code, month)
    try:
        check_publishable(month, scorecard)
        problem = ""
    except PublishError as error:
        problem = str(error)
    if problem:
        if request.method == "POST":
            messages.error(request, f"Not approved: {problem}.")
            return edition_redirect("edition-approve", scorecard_code, month=month)
        return render(request, "editions/approve.html", {**context, "problem": problem})
    cards, fingerprint = cards_and_figures(units_in_edition(), month, scorecard=scorecard)
    if request.method == "POST":
        approve(month, fingerprint, signed_in_user(request), scorecard=scorecard)
        messages.success(
            request, f"Approved the {month.label} figures of {scorecard.title}: the MI team can publish them."
        )
        return edition_redirect("edition-approve", scorecard_code, month=month)
    edition = Edition.objects.filter(scorecard=scorecard, month=month.start).select_related("approved_by").first()
    return render(
        request,
        "editions/approve.html",
        {
            **context,
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


def _edition_month(scorecard: ScorecardDefinition, month: Period) -> None:
    """Commentary is written for one of the scorecard's editions: a quarterly one's months only (404 otherwise)."""
    if month.start.month not in scorecard.edition_months:
        raise Http404(f"{scorecard.title} is published as at {edition_month_words(scorecard)} only.")


@require_GET
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_list(request: HttpRequest, month: Period, scorecard_code: str | None = None) -> HttpResponse:
    scorecard = scorecard_of(scorecard_code)
    _edition_month(scorecard, month)
    show_names(request, scorecard)
    authority = _authority()
    card = build_scorecard(authority, month, scorecard)
    written = list(Commentary.objects.for_month(month.start, scorecard).select_related("unit", "author"))
    return render(
        request,
        "editions/commentary_list.html",
        {
            **preparing_context(scorecard, scorecard_code, month),
            "authority": authority,
            "sections": writing_sections(card.rows, written),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(WRITE_COMMENTARY, raise_exception=True)
def commentary_edit(request: HttpRequest, month: Period, code: str, scorecard_code: str | None = None) -> HttpResponse:
    scorecard = scorecard_of(scorecard_code)
    _edition_month(scorecard, month)
    indicator = get_object_or_404(Indicator, code=code)
    authority_name = names_for(request).authority_or_generic
    show_names(request, scorecard)  # after: its names keep the authority's
    if request.method == "POST":
        form = CommentaryForm(request.POST, authority_name=authority_name)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            text = form.cleaned_data["text"]
            outcome = save_commentary(scorecard, month, indicator, unit, text, signed_in_user(request))
            where = unit.name if unit else authority_name
            if outcome != "unchanged":
                record(
                    "commentary.changed",
                    request.user,
                    about=indicator,
                    detail=f"{scorecard.code} {month.label}, {where}: {outcome}",
                )
            messages.success(request, f"Commentary on {indicator.code} for {where} {outcome}.")
            return edition_redirect("edition-commentary", scorecard_code, month=month)
        status = 400
    else:
        unit = ReportingUnit.objects.districts().filter(slug=request.GET.get("unit", "")).first()
        current = Commentary.objects.filter(
            scorecard=scorecard, month=month.start, indicator=indicator, unit=unit
        ).first()
        form = CommentaryForm(
            initial={"unit": unit.slug if unit else None, "text": current.text if current else ""},
            authority_name=authority_name,
        )
        status = 200
    return render(
        request,
        "editions/commentary_form.html",
        {
            "scorecard": scorecard,
            "scorecard_code": scorecard_code,
            "month": month,
            "indicator": indicator,
            "form": form,
        },
        status=status,
    )
