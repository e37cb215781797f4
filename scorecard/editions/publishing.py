"""Publishing an edition: assemble the authority and every district as at a month, freeze it.

Used by the ``publish`` command, the publish button and ``load_demo``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import Period, PeriodKind, parse_month
from indicators.analysis.rag import Rag
from indicators.audit_trail import record
from indicators.models import Indicator, Measurement

from ..assembly import Scorecard, ScorecardRow, build_scorecard, build_scorecards, default_scorecard
from ..formats import long_datetime
from ..models import Commentary, Edition, EditionVersion
from .approval import ApprovalState, approval_state, approve, cards_and_figures, figures_fingerprint
from .pdf import request_pack
from .snapshot import build_snapshot

DEMO_COMMENTARY = Path(__file__).resolve().parent.parent / "demo_data" / "commentary.csv"
DEMO_MONTH = "2024-10"
# The printed October 2024 edition was published on 9 December 2024 (committee papers). Wall-clock times:
# made aware in the site's time zone where they are used.
DEMO_PUBLISHED_AT = datetime(2024, 12, 9, 9, 0)  # noqa: DTZ001
DEMO_APPROVED_AT = datetime(2024, 12, 6, 12, 0)  # noqa: DTZ001
PAPER_SIZES = ("A4", "A3")


class PublishError(Exception):
    """An edition that cannot be published (no data for the month, no authority)."""


@dataclass
class Published:
    version: EditionVersion
    warnings: list[str] = field(default_factory=list)


def units_in_edition() -> list[ReportingUnit]:
    """The authority, then every district, in display order."""
    units = ReportingUnit.objects.with_scorecards()
    return sorted(units, key=lambda unit: (unit.kind != UnitKind.AUTHORITY, unit.display_order, unit.name))


def red_rows_without_commentary(rows: Iterable[ScorecardRow], commented_indicator_ids: set[int]) -> list[str]:
    """One warning per RED row that has no commentary: the committee will ask about it."""
    return [
        f"{row.indicator.code} ({row.indicator.name}) is RED for {row.unit.name} and has no commentary."
        for row in rows
        if row.rag is Rag.RED and row.indicator.pk not in commented_indicator_ids
    ]


def authority_commentary_ids(month: Period) -> set[int]:
    """Indicators with commentary for the authority (written for the indicator as a whole, or for the authority)."""
    return set(
        Commentary.objects.for_month(month.start)
        .filter(Q(unit__isnull=True) | Q(unit__kind=UnitKind.AUTHORITY))
        .values_list("indicator_id", flat=True)
    )


def missing_commentary_warnings(month: Period, authority_card: Scorecard | None = None) -> list[str]:
    """RED indicators for the authority with no commentary for that month."""
    if authority_card is None:
        authority = ReportingUnit.objects.authority()
        if authority is None:
            return []
        authority_card = build_scorecard(authority, month)
    return red_rows_without_commentary(authority_card.rows, authority_commentary_ids(month))


def check_publishable(month: Period) -> None:
    """Refuse a month for which the authority has no monthly figure: nothing was uploaded for it."""
    authority = ReportingUnit.objects.authority()
    if authority is None:
        raise PublishError("there is no authority yet: load the geography first")
    if not Measurement.objects.filter(
        unit=authority, period_kind=PeriodKind.MONTH.value, period_start=month.start
    ).exists():
        raise PublishError(f"no figures for {month.label} have been uploaded for {authority.name}")


def approval_problem(state: ApprovalState, edition: Edition | None) -> str:
    """Why an approval does not let the month be published, in words; blank when it does."""
    if state is ApprovalState.NONE:
        return "a service lead has not approved this month's figures yet"
    if state is ApprovalState.OUTDATED and edition is not None and edition.approved_at is not None:
        return (
            f"the figures changed after they were approved on {long_datetime(edition.approved_at)}: "
            "a service lead must approve them again"
        )
    return ""


def pack_names(title: str | None = None, attribution: str | None = None) -> tuple[str, str]:
    """The pack's title and attribution: as given, else the default scorecard's, else the last published version's."""
    if title is not None and attribution is not None:
        return title, attribution
    if (scorecard := default_scorecard()) is not None:
        defaults = (scorecard.title, scorecard.attribution)
    else:
        previous = EditionVersion.objects.order_by("-published_at").only("title", "attribution").first()
        defaults = (previous.title, previous.attribution) if previous else ("", "")
    return (defaults[0] if title is None else title, defaults[1] if attribution is None else attribution)


@transaction.atomic
def publish_edition(
    month: Period,
    user: User | None = None,
    published_at: datetime | None = None,
    threshold: int | None = None,
    visible_from: datetime | None = None,
    paper: str = "A4",
    title: str | None = None,
    attribution: str | None = None,
) -> Published:
    """Freeze the edition as at ``month`` as a new version (1 for a first publication), and queue its
    committee pack's layout in the worker (``paper``: A4 or A3 landscape).

    Refused unless a service lead approved exactly these figures. ``visible_from`` embargoes the
    version: members see it only from then. The pack's ``title`` and ``attribution`` default to the
    default scorecard's (the data), or without one to the last published version's.
    """
    if paper not in PAPER_SIZES:
        raise PublishError(f"the committee pack is printed on {' or '.join(PAPER_SIZES)}, not {paper!r}")
    check_publishable(month)
    threshold = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    units = units_in_edition()
    cards = build_scorecards(units, month)
    commentary = (
        Commentary.objects.for_month(month.start)
        .select_related("indicator", "unit", "author")
        .order_by("indicator__display_order", "unit__display_order")
    )
    snapshot = build_snapshot(cards.values(), commentary, month.iso, month.label, threshold)
    # Lock the edition row so two publishers of the same month cannot take the same number.
    edition, _ = Edition.objects.get_or_create(month=month.start)
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if problem := approval_problem(approval_state(edition, figures_fingerprint(snapshot)), edition):
        raise PublishError(problem)
    number = (edition.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    published_at = published_at or timezone.now()
    title, attribution = pack_names(title, attribution)
    version = EditionVersion.objects.create(
        edition=edition,
        number=number,
        published_at=published_at,
        visible_from=visible_from if visible_from is not None and visible_from > published_at else None,
        published_by=user if user is not None and user.is_authenticated else None,
        suppression_threshold=threshold,
        snapshot={key: value for key, value in snapshot.items() if key != "units"},
        paper=paper,
        title=title,
        attribution=attribution,
    )
    version.store_units(snapshot["units"])
    about = ("edition", month.iso, f"{month.label} version {number}")
    record("edition.published", user, about=about, counts={"version": number, "units": len(snapshot["units"])})
    if version.visible_from:
        record("edition.embargoed", user, about=about, detail=f"members see it from {version.visible_from.isoformat()}")
    request_pack(version)  # laid out by the worker once this transaction commits
    authority_card = next((card for unit, card in cards.items() if unit.kind == UnitKind.AUTHORITY), None)
    return Published(version, missing_commentary_warnings(month, authority_card))


def load_commentary(path: Path, month: Period) -> int:
    """Commentary from a CSV (``indicator, area, text``; blank area: the indicator as a whole). Idempotent."""
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    units = {unit.name: unit for unit in ReportingUnit.objects.all()}
    changed = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, area, text = row["indicator"].strip(), row["area"].strip(), row["text"].strip()
            if code not in indicators or (area and area not in units):
                raise ValueError(f"{path.name} line {line}: unknown indicator {code!r} or area {area!r}")
            unit = units[area] if area and units[area].kind != UnitKind.AUTHORITY else None
            current = Commentary.objects.filter(month=month.start, indicator=indicators[code], unit=unit).first()
            if current is None:
                Commentary.objects.create(month=month.start, indicator=indicators[code], unit=unit, text=text)
            elif current.text != text:
                current.text = text
                current.save(update_fields=["text", "updated_at"])
            else:
                continue
            changed += 1
    return changed


def publish_demo_edition(
    commentary_path: Path = DEMO_COMMENTARY, title: str | None = None, attribution: str | None = None
) -> int:
    """The demo's October 2024 edition with its commentary, published once (dated 9 December 2024);
    ``title`` and ``attribution`` are printed on its committee pack (by default the default scorecard's).

    Returns how many records changed; a second run publishes nothing.
    """
    month = parse_month(DEMO_MONTH)
    changed = load_commentary(commentary_path, month)
    if EditionVersion.objects.filter(edition__month=month.start).exists():
        # Published before versions kept their pack's title: fill it in, unless its pack was already made with none.
        title, attribution = pack_names(title, attribution)
        EditionVersion.objects.filter(edition__month=month.start, title="").exclude(pack__status="ready").update(
            title=title, attribution=attribution
        )
        return changed
    # The printed edition was signed off before committee: a demo approval (by nobody in particular).
    _, fingerprint = cards_and_figures(units_in_edition(), month)
    approve(month, fingerprint, None, at=timezone.make_aware(DEMO_APPROVED_AT))
    publish_edition(month, published_at=timezone.make_aware(DEMO_PUBLISHED_AT), title=title, attribution=attribution)
    return changed + 1
