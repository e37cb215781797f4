"""The history of definitions and targets: who changed what (field: old -> new), when and why.

Every path that changes an indicator, a target, a benchmark, a scorecard or an indicator's place in one,
a reporting unit or an alias (the admin, the bulk target upload, import_definitions) records a
``DefinitionChange`` here, with a reason it cannot leave out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from districts.models import ReportingUnit

from .analysis.periods import year_label
from .audit_trail import record
from .models import DefinitionChange, Indicator, Scorecard, ScorecardMembership, Target, TargetUpload

Changes = dict[str, list[str]]
TARGET_FIELDS = (
    "applies_to",
    "unit",
    "target",
    "floor",
    "band_low",
    "band_high",
    "floor_band_low",
    "floor_band_high",
    "lower_threshold",
    "upper_threshold",
    "source",
)


class ReasonMissing(ValueError):
    """A change to a definition or target without a reason."""


def describe(value: Any) -> str:
    """A field's value as printed text: exact numbers without the storage scale's zeros, blank for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != value.to_integral_value() else str(value.quantize(1))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def field_changes(old: models.Model | None, new: models.Model | None, fields: Iterable[str]) -> Changes:
    """{field: [old, new]} for the fields whose printed value differs ('' on the missing side)."""
    changes: Changes = {}
    for name in fields:
        before = describe(getattr(old, name)) if old is not None else ""
        after = describe(getattr(new, name)) if new is not None else ""
        if before != after:
            changes[name] = [before, after]
    return changes


def indicator_fields() -> list[str]:
    """The definition's fields (everything an MI user can edit on the indicator)."""
    return [field.name for field in Indicator._meta.concrete_fields if field.name != "id"]


SCORECARD_FIELDS = (
    "code",
    "title",
    "organisation",
    "directorate",
    "cadence",
    "trend_periods",
    "attribution",
    "direction",
    "is_default",
)
MEMBERSHIP_FIELDS = ("section", "table", "order", "from_year", "to_year")


def scorecard_what(scorecard: Scorecard) -> str:
    return f"scorecard {scorecard.code}"


def membership_what(membership: ScorecardMembership) -> str:
    """'in scorecard QPR': kept on the indicator's history (and the scorecard's)."""
    return f"in scorecard {membership.scorecard.code}"


def membership_changes(
    old: ScorecardMembership | None, new: ScorecardMembership | None, fields: Iterable[str] = MEMBERSHIP_FIELDS
) -> Changes:
    """Like field_changes, with the years written as the scorecard writes them (2024 -> 2024-25)."""
    return years_as_labels(field_changes(old, new, fields))


def years_as_labels(changes: Changes) -> Changes:
    """A membership's first and last years as labels (2024 -> 2024-25); other fields as they are."""
    return {
        name: [year_label(int(value)) if value else "" for value in pair] if name in ("from_year", "to_year") else pair
        for name, pair in changes.items()
    }


def unit_what(unit: ReportingUnit) -> str:
    return f"unit {unit.name}"


def alias_what(alias: str) -> str:
    return f"alias {alias}"


def target_what(target: Target) -> str:
    """'target 2025-26', 'target Q1 25-26' (profiled for one period), or 'target 2025-26 for Dover' (an override)."""
    unit = f" for {target.unit}" if target.unit_id else ""
    return f"target {target.period_label}{unit}"


def record_change(
    indicator: Indicator | None,
    what: str,
    changes: Changes,
    reason: str,
    user: User | None,
    target: Target | None = None,
    at: datetime | None = None,
    upload: TargetUpload | None = None,
    *,
    scorecard: Scorecard | None = None,
    unit: ReportingUnit | None = None,
    audited: bool = True,
) -> DefinitionChange | None:
    """Keep one change (nothing when no field changed). Refused without a reason.

    Each change is its own audit event, unless it is part of an upload that is one event (a targets upload,
    ``upload``; a definitions import, ``audited=False``): the history keeps each change of those.
    """
    if not reason.strip():
        raise ReasonMissing("a change to a definition or target needs a reason")
    if not changes:
        return None
    if upload is None and audited:
        record(
            "target.changed" if what.startswith("target") else "definition.changed",
            user,
            about=indicator or scorecard or unit,
            counts={"fields": len(changes)},
            detail=f"{what}: {', '.join(changes)}. Reason: {reason.strip()}",
        )
    return DefinitionChange.objects.create(
        indicator=indicator,
        scorecard=scorecard,
        unit=unit,
        target=target,
        what=what,
        changes=changes,
        reason=reason.strip(),
        user=user if user is not None and user.is_authenticated else None,
        at=at or timezone.now(),
        target_upload=upload,
    )
