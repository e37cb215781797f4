"""Audit events as structured log lines: the formatters, and ``log_event`` for the scorecard's own code.

Every audit event is stored in the database (``indicators.audit_trail.AuditEvent``, shown to the MI team at
/audit/) and logged at INFO on the logger ``scorecard.audit``: ``indicators.audit_trail.record`` does both,
and ``log_event`` here is the same call under its older name::

    from scorecard.audit_log import log_event

    log_event("user.created", request.user, about=person, roles=["MI team"])
    log_event("permission.denied", request.user, method="GET", path="/uploads/")

``log_event(event: str, user, **fields) -> None``: ``event`` is one of ``indicators.audit_trail.Action``
(``upload.received``, ``upload.previewed``, ``upload.committed``, ``upload.failed``, ``edition.approved``,
``edition.published``, ``edition.embargoed``, ``definition.changed``, ``target.changed``,
``targets.uploaded``, ``user.created``, ``user.role_changed``, ``permission.denied``, ``login.locked_out``, ...);
``user`` is a User, an AnonymousUser, None or a username; ``about``, ``counts`` and ``detail`` are as
``record`` takes them, and other fields are any values that JSON can carry. It never raises.

With ``LOG_FORMAT=json`` each record is one JSON object a line:
``{"time": ..., "level": "INFO", "logger": "scorecard.audit", "message": "upload.committed",
"event": "upload.committed", "user": "mi", "object_type": "upload", "object_id": "7", "object": "oct.xlsx",
"counts": {"new": 100000}}``; otherwise a plain line ending ``event=upload.committed user=mi ...``.

This module is imported while logging is configured: it must not import models at import time.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# The attribute of a LogRecord that carries an audit event's fields (as indicators.audit_trail sets it).
AUDIT_ATTRIBUTE = "audit"


def log_event(event: str, user: Any, **fields: Any) -> None:
    """Store and log an audit event (see the module's docstring)."""
    from indicators.audit_trail import record

    record(event, user, **fields)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the audit fields (if any) at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in getattr(record, AUDIT_ATTRIBUTE, {}).items():
            line.setdefault(key, value)  # never let a field overwrite time, level, logger or message
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The usual one-line text, with an audit event's fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        audit = getattr(record, AUDIT_ATTRIBUTE, None)
        if audit:
            text += " " + " ".join(f"{key}={value}" for key, value in audit.items())
        return text
