"""Publishing an edition: assemble one scorecard for the authority and every district as at a month, freeze it.

Each scorecard publishes its own editions (as at its own months: a quarterly one as at Jun, Sep, Dec and
Mar), with its own sign-off and commentary; None stands for the default scorecard throughout.

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
from indicators.analysis.periods import Period, PeriodKind, add_months, parse_month
from indicators.analysis.rag import Rag
from indicators.audit_trail import record
from indicators.models import Indicator, Measurement
from indicators.models import Scorecard as ScorecardDefinition

from ..assembly import Scorecard, ScorecardRow, build_scorecard, build_scorecards
from ..formats import long_datetime
from ..models import Commentary, Edition, EditionVersion
from .approval import (
    ApprovalState,
    PublishError,
    approval_state,
    approve,
    cards_and_figures,
    edition_about,
    figures_fingerprint,
    scorecard_or_default,
)
from .pdf import request_pack
from .snapshot import build_snapshot

DEMO_COMMENTARY = Path(__file__).resolve().parent.parent / "demo_data" / "commentary.csv"
DEMO_MONTH = "2024-10"
# The demo's second scorecard (the quarterly report) is published as at the quarter before.
DEMO_QUARTERLY = ("QPR", "2024-09")
# The printed October 2024 edition was published on 9 December 2024 (committee papers). Wall-clock times:
# made aware in the site's time zone where they are used.
DEMO_PUBLISHED_AT = datetime(2024, 12, 9, 9, 0)  # noqa: DTZ001
DEMO_APPROVED_AT = datetime(2024, 12, 6, 12, 0)  # noqa: DTZ001
PAPER_SIZES = ("A4", "A3")


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


def authority_commentary_ids(month: Period, scorecard: ScorecardDefinition) -> set[int]:
    """Indicators with commentary for the authority (written for the indicator as a whole, or for the authority)
    in the scorecard's edition."""
    return set(
        Commentary.objects.for_month(month.start, scorecard)
        .filter(Q(unit__isnull=True) | Q(unit__kind=UnitKind.AUTHORITY))
        .values_list("indicator_id", flat=True)
    )


def missing_commentary_warnings(
    month: Period, scorecard: ScorecardDefinition, authority_card: Scorecard | None = None
) -> list[str]:
    """RED indicators of the scorecard for the authority with no commentary in its edition as at that month."""
    if authority_card is None:
        authority = ReportingUnit.objects.authority()
        if authority is None:
            return []
        authority_card = build_scorecard(authority, month, scorecard)
    return red_rows_without_commentary(authority_card.rows, authority_commentary_ids(month, scorecard))


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")  # fmt: skip


def edition_month_words(scorecard: ScorecardDefinition) -> str:
    """``June, September, December and March`` (a quarterly scorecard), or ``every month``."""
    months = [MONTH_NAMES[number - 1] for number in scorecard.edition_months]
    return "every month" if len(months) == 12 else ", ".join(months[:-1]) + f" and {months[-1]}"


def check_publishable(month: Period, scorecard: ScorecardDefinition | None = None) -> None:
    """Refuse a month that is not one of the scorecard's edition months, or for which the authority has no figure
    of the scorecard's (a monthly row for the month, or a quarterly row for the quarter ending in it)."""
    scorecard = scorecard_or_default(scorecard)
    if month.start.month not in scorecard.edition_months:
        raise PublishError(
            f"{scorecard.title} is published as at {edition_month_words(scorecard)}, "
            f"so {month.start:%B %Y} is not one of its editions"
        )
    authority = ReportingUnit.objects.authority()
    if authority is None:
        raise PublishError("there is no authority yet: load the geography first")
    in_month = Q(period_kind=PeriodKind.MONTH.value, period_start=month.start)
    quarter_ending = Q(period_kind=PeriodKind.QUARTER.value, period_start=add_months(month.start, -2))
    figures = Measurement.objects.filter(unit=authority, indicator__memberships__scorecard=scorecard)
    if not figures.filter(in_month | quarter_ending).exists():
        raise PublishError(f"no figures of {scorecard.title} for {month.label} have been uploaded for {authority.name}")


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
    scorecard: ScorecardDefinition | None = None,
) -> Published:
    """Freeze ``scorecard``'s edition (the default scorecard's when None) as at ``month`` as a new version
    (1 for a first publication), and queue its committee pack's layout in the worker (``paper``: A4 or A3
    landscape).

    Refused unless a service lead approved exactly these figures. ``visible_from`` embargoes the
    version: members see it only from then. The pack's title, organisation, attribution and directorate are the
    scorecard's (``title`` and ``attribution`` override them).
    """
    if paper not in PAPER_SIZES:
        raise PublishError(f"the committee pack is printed on {' or '.join(PAPER_SIZES)}, not {paper!r}")
    scorecard = scorecard_or_default(scorecard)
    check_publishable(month, scorecard)
    threshold = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    units = units_in_edition()
    cards = build_scorecards(units, month, scorecard)
    commentary = (
        Commentary.objects.for_month(month.start, scorecard)
        .select_related("indicator", "unit", "author")
        .order_by("indicator__display_order", "unit__display_order")
    )
    snapshot = build_snapshot(cards.values(), commentary, month.iso, month.label, threshold)
    # Lock the edition row so two publishers of the same edition cannot take the same number.
    edition, _ = Edition.objects.get_or_create(scorecard=scorecard, month=month.start)
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if problem := approval_problem(approval_state(edition, figures_fingerprint(snapshot)), edition):
        raise PublishError(problem)
    number = (edition.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    published_at = published_at or timezone.now()
    version = EditionVersion.objects.create(
        edition=edition,
        number=number,
        published_at=published_at,
        visible_from=visible_from if visible_from is not None and visible_from > published_at else None,
        published_by=user if user is not None and user.is_authenticated else None,
        suppression_threshold=threshold,
        snapshot={key: value for key, value in snapshot.items() if key != "units"},
        paper=paper,
        title=scorecard.title if title is None else title,
        organisation=scorecard.organisation,
        attribution=scorecard.attribution if attribution is None else attribution,
        directorate=scorecard.directorate,
    )
    version.store_units(snapshot["units"])
    about = edition_about(scorecard, month, f"version {number}")
    record(
        "edition.published",
        user,
        about=about,
        counts={"version": number, "units": len(snapshot["units"])},
        detail=scorecard.title,
    )
    if version.visible_from:
        record("edition.embargoed", user, about=about, detail=f"members see it from {version.visible_from.isoformat()}")
    request_pack(version)  # laid out by the worker once this transaction commits
    authority_card = next((card for unit, card in cards.items() if unit.kind == UnitKind.AUTHORITY), None)
    return Published(version, missing_commentary_warnings(month, scorecard, authority_card))


def load_commentary(path: Path, month: Period, scorecard: ScorecardDefinition) -> int:
    """Commentary from a CSV (``indicator, area, text``; blank area: the indicator as a whole) for the scorecard's
    edition as at the month. Idempotent."""
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    units = {unit.name: unit for unit in ReportingUnit.objects.all()}
    changed = 0
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code, area, text = row["indicator"].strip(), row["area"].strip(), row["text"].strip()
            if code not in indicators or (area and area not in units):
                raise ValueError(f"{path.name} line {line}: unknown indicator {code!r} or area {area!r}")
            unit = units[area] if area and units[area].kind != UnitKind.AUTHORITY else None
            where = {"scorecard": scorecard, "month": month.start, "indicator": indicators[code], "unit": unit}
            current = Commentary.objects.filter(**where).first()
            if current is None:
                Commentary.objects.create(**where, text=text)
            elif current.text != text:
                current.text = text
                current.save(update_fields=["text", "updated_at"])
            else:
                continue
            changed += 1
    return changed


def publish_demo_edition(
    scorecard: ScorecardDefinition,
    month_text: str = DEMO_MONTH,
    commentary_path: Path | None = DEMO_COMMENTARY,
) -> int:
    """One of the demo's editions (with its commentary, if any), approved and published once, dated as the
    printed October 2024 edition was (approved 6, published 9 December 2024); its pack is titled from the
    scorecard (scorecards.csv).

    Returns how many records changed; a second run publishes nothing.
    """
    month = parse_month(month_text)
    changed = load_commentary(commentary_path, month, scorecard) if commentary_path else 0
    published = EditionVersion.objects.filter(edition__scorecard=scorecard, edition__month=month.start)
    if published.exists():
        # Published before versions kept their pack's names: fill them in, unless its pack was already made.
        published.filter(organisation="").exclude(pack__status="ready").update(
            title=scorecard.title,
            organisation=scorecard.organisation,
            attribution=scorecard.attribution,
            directorate=scorecard.directorate,
        )
        return changed
    # The printed edition was signed off before committee: a demo approval (by nobody in particular).
    _, fingerprint = cards_and_figures(units_in_edition(), month, scorecard=scorecard)
    approve(month, fingerprint, None, at=timezone.make_aware(DEMO_APPROVED_AT), scorecard=scorecard)
    publish_edition(month, published_at=timezone.make_aware(DEMO_PUBLISHED_AT), scorecard=scorecard)
    return changed + 1


def publish_demo_editions() -> int:
    """The demo's editions: the default scorecard as at October 2024 with its commentary, and the quarterly
    report as at September 2024 (where the data set has it). Returns how many records changed."""
    changed = publish_demo_edition(scorecard_or_default(None))
    quarterly = ScorecardDefinition.objects.filter(code=DEMO_QUARTERLY[0]).first()
    if quarterly is not None:
        changed += publish_demo_edition(quarterly, DEMO_QUARTERLY[1], commentary_path=None)
    return changed
