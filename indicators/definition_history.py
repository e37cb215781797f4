"""The history of definitions and targets: who changed what (field: old -> new), when and why.

Every path that changes an indicator or a target (the admin, the bulk target upload) records a
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

from .audit_trail import record
from .models import DefinitionChange, Indicator, Target, TargetUpload

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


def target_what(target: Target) -> str:
    """'target 2025-26', 'target Q1 25-26' (profiled for one period), or 'target 2025-26 for Dover' (an override)."""
    unit = f" for {target.unit}" if target.unit_id else ""
    return f"target {target.period_label}{unit}"


def record_change(
    indicator: Indicator,
    what: str,
    changes: Changes,
    reason: str,
    user: User | None,
    target: Target | None = None,
    at: datetime | None = None,
    upload: TargetUpload | None = None,
) -> DefinitionChange | None:
    """Keep one change (nothing when no field changed). Refused without a reason."""
    if not reason.strip():
        raise ReasonMissing("a change to a definition or target needs a reason")
    if not changes:
        return None
    if upload is None:  # a targets upload is one event (targets.uploaded); each change is in the history
        record(
            "target.changed" if what.startswith("target") else "definition.changed",
            user,
            about=indicator,
            counts={"fields": len(changes)},
            detail=f"{what}: {', '.join(changes)}. Reason: {reason.strip()}",
        )
    return DefinitionChange.objects.create(
        indicator=indicator,
        target=target,
        what=what,
        changes=changes,
        reason=reason.strip(),
        user=user if user is not None and user.is_authenticated else None,
        at=at or timezone.now(),
        target_upload=upload,
    )
