"""The audit trail: who did what, when, to which upload, edition, indicator or person, with counts.

Every upload, preview, commit, approval, publication, embargo, change of a definition, target, user or
role, and every refusal, is one ``AuditEvent`` row (shown to the MI team at /audit/) and one line on the
``scorecard.audit`` logger (JSON with ``LOG_FORMAT=json``: scorecard/audit_log.py formats it)::

    from indicators.audit_trail import record

    record("upload.committed", user, about=upload, counts={"new": 120})
    record("edition.published", None, about=("edition", "2024-10", "Oct-24 version 1"))

``user`` is a User, an AnonymousUser, a username (text) or None (the system: a worker, the demo loader).
``about`` is a model instance or a (type, id, label) tuple. Other keyword fields are logged as given and
kept in the row's detail. ``record`` never raises: an audit line must not break what it records. Inside a
transaction the row commits or rolls back with the change it records.

This lives in ``indicators`` because upload code records events and may not import ``scorecard``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

audit_logger = logging.getLogger("scorecard.audit")
# The attribute of a LogRecord that carries an audit event's fields (scorecard/audit_log.py reads it).
AUDIT_ATTRIBUTE = "audit"
SYSTEM = "system"  # who acted when nobody did: shown for an empty username


class Action(models.TextChoices):
    """The fixed vocabulary of audit events."""

    UPLOAD_RECEIVED = "upload.received", "Upload received"
    UPLOAD_PREVIEWED = "upload.previewed", "Upload previewed"
    UPLOAD_CONFIRMED = "upload.confirmed", "Upload confirmed"
    UPLOAD_REQUEUED = "upload.requeued", "Upload queued again"
    UPLOAD_COMMITTED = "upload.committed", "Upload committed"
    UPLOAD_FAILED = "upload.failed", "Upload failed"
    UPLOAD_STALE = "upload.stale", "Upload out of date"
    EDITION_APPROVED = "edition.approved", "Edition approved"
    EDITION_PUBLISHED = "edition.published", "Edition published"
    EDITION_EMBARGOED = "edition.embargoed", "Edition embargoed"
    DEFINITION_CHANGED = "definition.changed", "Definition changed"
    TARGET_CHANGED = "target.changed", "Target changed"
    TARGETS_UPLOADED = "targets.uploaded", "Targets uploaded"
    DEFINITIONS_IMPORTED = "definitions.imported", "Definitions imported"
    FOOTNOTE_CHANGED = "footnote.changed", "Footnote changed"
    COMMENTARY_CHANGED = "commentary.changed", "Commentary changed"
    USER_CREATED = "user.created", "Person added"
    USER_CHANGED = "user.changed", "Person changed"
    USER_ROLE_CHANGED = "user.role_changed", "Roles changed"
    USER_DEACTIVATED = "user.deactivated", "Account switched off"
    USER_REACTIVATED = "user.reactivated", "Account switched on"
    PERMISSION_DENIED = "permission.denied", "Refused"
    LOGIN_LOCKED_OUT = "login.locked_out", "Login locked out"


ACTION_LABELS: dict[str, str] = {value: str(label) for value, label in Action.choices}
# The kinds of object an event is about (the /audit/ page filters by them).
OBJECT_TYPES = {
    "upload": "upload",
    "targetupload": "targets upload",
    "edition": "edition",
    "editionversion": "edition",
    "indicator": "indicator",
    "target": "indicator",
    "user": "user",
    "definitionupload": "definitions upload",
    "scorecard": "scorecard",
    "reportingunit": "unit",
}


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="Kept as text: the event outlives a renamed account. Empty: the system."
    )
    # One of Action (not its choices: a new action needs no migration).
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(
        max_length=20, blank=True, help_text="upload, targets upload, edition, indicator or user."
    )
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or SYSTEM} {self.action} {self.object_label}".strip()

    @property
    def who(self) -> str:
        return self.username or SYSTEM

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def username_of(user: Any) -> str | None:
    """Who acted: a username, "anonymous", or None when nobody did (a worker, a command)."""
    if user is None:
        return None
    if isinstance(user, str):
        return user
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return str(user.get_username())


def _about(about: Any) -> tuple[str, str, str]:
    """(type, id, label) of what an event is about."""
    if about is None:
        return "", "", ""
    if isinstance(about, tuple):
        kind, key, label = about
        return str(kind), str(key), str(label)
    kind = OBJECT_TYPES.get(type(about)._meta.model_name, type(about)._meta.model_name)
    label = about.get_username() if kind == "user" else getattr(about, "filename", None) or str(about)
    return kind, str(about.pk), label


def _detail(detail: str, fields: dict[str, Any]) -> str:
    parts = [detail] if detail else []
    parts += [
        f"{key}: {', '.join(map(str, value)) if isinstance(value, list | tuple) else value}"
        for key, value in fields.items()
        if value not in (None, "", [], ())
    ]
    return "; ".join(parts)[:500]


def record(
    action: str,
    user: Any = None,
    *,
    about: Any = None,
    counts: dict[str, Any] | None = None,
    detail: str = "",
    **fields: Any,
) -> AuditEvent | None:
    """Keep one audit event (see the module's docstring). Returns the row, or None if it could not be kept."""
    try:
        username = username_of(user)
        kind, key, label = _about(about)
        line: dict[str, Any] = {"event": action, "user": username, **fields}
        if kind:
            line.update(object_type=kind, object_id=key, object=label)
        if counts:
            line["counts"] = counts
        if detail:
            line["detail"] = detail
        audit_logger.info(action, extra={AUDIT_ATTRIBUTE: line})
    except Exception:  # an audit line must never break the request that triggered it
        logging.getLogger(__name__).exception("could not log audit event %s", action)
        return None
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the caller's transaction usable
            return AuditEvent.objects.create(
                user=user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None,
                username=(username or "")[:150],
                action=action,
                object_type=kind[:20],
                object_id=key[:40],
                object_label=label[:200],
                counts=counts or {},
                detail=_detail(detail, fields),
            )
    except Exception:  # the log line above is written; the row could not be
        logging.getLogger(__name__).exception("could not store audit event %s", action)
        return None


def record_upload(
    action: str, upload_id: int, *, user: Any = None, counts: dict[str, Any] | None = None, detail: str = ""
) -> AuditEvent | None:
    """An event about an upload known by its id (the worker's view of it); by default the person who
    confirmed it, or who uploaded it."""
    from .models import Upload

    try:
        with transaction.atomic():  # a savepoint, as in record()
            upload = (
                Upload.objects.filter(pk=upload_id)
                .only("filename", "committed_by", "uploaded_by")
                .select_related("committed_by", "uploaded_by")
                .first()
            )
    except Exception:  # noqa: BLE001 - never raises (a failing database is what a failed upload may be recording)
        upload = None
    if upload is None:
        return record(action, user, about=("upload", upload_id, f"upload {upload_id}"), counts=counts, detail=detail)
    return record(
        action,
        user or upload.committed_by or upload.uploaded_by,
        about=("upload", upload.pk, upload.filename),
        counts=counts,
        detail=detail,
    )
