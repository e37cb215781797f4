"""Audit events (uploads, publications, permission refusals) as structured log lines.

Call ``log_event`` wherever something worth auditing happens::

    from scorecard.audit_log import log_event

    log_event("upload.committed", request.user, upload_id=upload.pk, rows=counts["rows"])
    log_event("edition.published", request.user, month="2024-10", version=3)

``log_event(event: str, user, **fields) -> None`` logs at INFO on the logger
``scorecard.audit``. ``event`` is a short dotted name (``upload.received``,
``upload.committed``, ``upload.failed``, ``edition.published``, ``permission.denied``);
``user`` is a User, an AnonymousUser, None or a username; ``fields`` are any values that
JSON can carry (others are written with ``str``). It never raises.

With ``LOG_FORMAT=json`` each record is one JSON object a line:
``{"time": ..., "level": "INFO", "logger": "scorecard.audit", "message": "upload.committed",
"event": "upload.committed", "user": "mi", "upload_id": 7, "rows": 100000}``;
otherwise a plain line ending ``event=upload.committed user=mi upload_id=7 rows=100000``.

This module is imported while logging is configured: it must not import models.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

audit_logger = logging.getLogger("scorecard.audit")

# The attribute of a LogRecord that carries an audit event's fields.
AUDIT_ATTRIBUTE = "audit"


def username_of(user: Any) -> str | None:
    """Who acted: a username, "anonymous", or None when nobody did (a worker, a command)."""
    if user is None:
        return None
    if isinstance(user, str):
        return user
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.get_username()


def log_event(event: str, user: Any, **fields: Any) -> None:
    """Log an audit event with its fields on "scorecard.audit" (see the module's docstring)."""
    try:
        audit = {"event": event, "user": username_of(user), **fields}
        audit_logger.info(event, extra={AUDIT_ATTRIBUTE: audit})
    except Exception:  # an audit line must never break the request that triggered it
        logging.getLogger(__name__).exception("could not log audit event %s", event)


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
