"""Sign-off: a service lead approves a scorecard's figures as at a month before the MI team publishes them.

Each scorecard is signed off on its own: approving one scorecard's month says nothing of another's.

An approval covers the figures exactly as they stood when it was given: every value, status,
footnote, target, RAG rating and benchmark of every unit's scorecard, as the edition would
freeze them (their fingerprint is kept with the approval). When any of them changes (a new
upload, a corrected target) the approval no longer covers the month and publishing is refused
until a service lead approves again. Commentary is not covered: it can still be written after
sign-off.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from districts.models import ReportingUnit
from indicators.analysis.periods import Period
from indicators.analysis.rag import Rag
from indicators.audit_trail import record
from indicators.models import Scorecard as ScorecardDefinition

from ..assembly import Scorecard, ScorecardRow, build_scorecards, default_scorecard, summaries_side_by_side
from ..models import Edition
from .snapshot import JSON, build_snapshot

COVERS = (
    "every figure of every unit's scorecard as it stood when approved: values, statuses, footnotes, "
    "targets, ratings and benchmarks. Any later change to them needs a new approval; commentary can "
    "still be written."
)


class PublishError(Exception):
    """An edition that cannot be approved or published (no scorecard, not one of its months, no figures)."""


def scorecard_or_default(scorecard: ScorecardDefinition | None) -> ScorecardDefinition:
    """The scorecard given, else the default one (one query); PublishError when there is none."""
    if scorecard is not None:
        return scorecard
    found = default_scorecard()
    if found is None:
        raise PublishError("there is no scorecard yet: set one up with import_definitions first")
    return found


def edition_about(scorecard: ScorecardDefinition, month: Period, what: str = "") -> tuple[str, str, str]:
    """The audit trail's object for a scorecard's edition: ``("edition", "CODE 2024-10", "CODE Oct-24 …")``."""
    label = f"{scorecard.code} {month.label}"
    return ("edition", f"{scorecard.code} {month.iso}", f"{label} {what}".strip())


class ApprovalState(StrEnum):
    NONE = "not approved"
    APPROVED = "approved"
    OUTDATED = "figures changed since approval"


def figures_fingerprint(snapshot: JSON) -> str:
    """A hash of everything the edition would freeze except commentary."""
    figures = {key: value for key, value in snapshot.items() if key != "commentary"}
    return hashlib.sha256(json.dumps(figures, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def cards_and_figures(
    units: list[ReportingUnit],
    month: Period,
    threshold: int | None = None,
    scorecard: ScorecardDefinition | None = None,
) -> tuple[dict[ReportingUnit, Scorecard], str]:
    """Every unit's scorecard (``scorecard``'s indicators; the default scorecard's when None) as at the month,
    and the fingerprint of their figures."""
    threshold = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    cards = build_scorecards(units, month, scorecard_or_default(scorecard))
    return cards, figures_fingerprint(build_snapshot(cards.values(), [], month.iso, month.label, threshold))


def approval_state(edition: Edition | None, fingerprint: str) -> ApprovalState:
    if edition is None or edition.approved_at is None:
        return ApprovalState.NONE
    return ApprovalState.APPROVED if edition.approved_fingerprint == fingerprint else ApprovalState.OUTDATED


def approve(
    month: Period,
    fingerprint: str,
    user: User | None,
    at: datetime | None = None,
    scorecard: ScorecardDefinition | None = None,
) -> Edition:
    """Record the sign-off of a scorecard's figures as at the month (as fingerprinted) by ``user``
    (the default scorecard's when ``scorecard`` is None)."""
    scorecard = scorecard_or_default(scorecard)
    edition, _ = Edition.objects.get_or_create(scorecard=scorecard, month=month.start)
    edition.approved_at = at or timezone.now()
    edition.approved_by = user if user is not None and user.is_authenticated else None
    edition.approved_fingerprint = fingerprint
    edition.save(update_fields=["approved_at", "approved_by", "approved_fingerprint"])
    record(
        "edition.approved",
        user,
        about=edition_about(scorecard, month),
        detail=f"{scorecard.title}: figures {fingerprint[:12]}",
    )
    return edition


@dataclass
class UnitCounts:
    unit: ReportingUnit
    counts: dict[str, int]


@dataclass
class ApprovalSummary:
    """What the approver signs off: each unit's RAG counts and every RED row."""

    units: list[UnitCounts] = field(default_factory=list)
    red: list[ScorecardRow] = field(default_factory=list)


def summarise(cards: dict[ReportingUnit, Scorecard]) -> ApprovalSummary:
    summary = ApprovalSummary()
    for (unit, card), counts in zip(cards.items(), summaries_side_by_side(cards.values()), strict=True):
        summary.units.append(UnitCounts(unit, counts))  # the same buckets for every unit: they are columns
        summary.red.extend(row for row in card.rows if row.rag is Rag.RED)
    return summary
