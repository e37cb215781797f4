"""Sign-off: a service lead approves a month's figures before the MI team publishes them.

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

from ..assembly import Scorecard, ScorecardRow, build_scorecards, summaries_side_by_side
from ..models import Edition
from .snapshot import JSON, build_snapshot

COVERS = (
    "every figure of every unit's scorecard as it stood when approved: values, statuses, footnotes, "
    "targets, ratings and benchmarks. Any later change to them needs a new approval; commentary can "
    "still be written."
)


class ApprovalState(StrEnum):
    NONE = "not approved"
    APPROVED = "approved"
    OUTDATED = "figures changed since approval"


def figures_fingerprint(snapshot: JSON) -> str:
    """A hash of everything the edition would freeze except commentary."""
    figures = {key: value for key, value in snapshot.items() if key != "commentary"}
    return hashlib.sha256(json.dumps(figures, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def cards_and_figures(
    units: list[ReportingUnit], month: Period, threshold: int | None = None
) -> tuple[dict[ReportingUnit, Scorecard], str]:
    """Every unit's scorecard as at the month, and the fingerprint of their figures."""
    threshold = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    cards = build_scorecards(units, month)
    return cards, figures_fingerprint(build_snapshot(cards.values(), [], month.iso, month.label, threshold))


def approval_state(edition: Edition | None, fingerprint: str) -> ApprovalState:
    if edition is None or edition.approved_at is None:
        return ApprovalState.NONE
    return ApprovalState.APPROVED if edition.approved_fingerprint == fingerprint else ApprovalState.OUTDATED


def approve(month: Period, fingerprint: str, user: User | None, at: datetime | None = None) -> Edition:
    """Record the sign-off of the month's figures (as fingerprinted) by ``user``."""
    edition, _ = Edition.objects.get_or_create(month=month.start)
    edition.approved_at = at or timezone.now()
    edition.approved_by = user if user is not None and user.is_authenticated else None
    edition.approved_fingerprint = fingerprint
    edition.save(update_fields=["approved_at", "approved_by", "approved_fingerprint"])
    record("edition.approved", user, about=("edition", month.iso, month.label), detail=f"figures {fingerprint[:12]}")
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
