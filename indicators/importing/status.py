"""What an upload's page says about it: its state in words, what the MI team can do next, and the buttons.

Every state has a way forward (or is finished): a check or a load that stopped is offered again, and the
load is idempotent, so offering it twice is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from indicators.models import Upload

from . import load

State = Upload.State


@dataclass(frozen=True)
class Action:
    name: str  # the form's ``action`` (views.ACTIONS)
    label: str  # the button


CONFIRM = Action("confirm", "Confirm and load these values")
RUN_AGAIN = Action("run-again", "Run again")
QUEUE_AGAIN = Action("run-again", "Queue it again")
REFRESH = Action("refresh", "Refresh the preview")
CHECK_AGAIN = Action("refresh", "Check the file again")
CHECK = Action("check", "Check the file")


@dataclass(frozen=True)
class UploadStatus:
    label: str  # the state in words (the list's status column)
    next: str  # what the MI team can do next, in a sentence
    actions: tuple[Action, ...] = ()
    in_progress: bool = False  # work is going on: the page refreshes itself
    upload_again: bool = False  # the way forward is a corrected file
    stuck: bool = False  # a check or load that stopped and is offered again


def _minutes(upload_stale: float) -> str:
    minutes = max(1, round(upload_stale / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def status_of(upload: Upload, now: datetime | None = None, working: set[int] | None = None) -> UploadStatus:
    """``working``: load.being_worked_on() for a page of uploads (looked up here when not given)."""
    now = now or timezone.now()
    state = upload.state
    if state == State.RECEIVED:
        if upload.notice or load.is_stale(upload, now, working):
            return UploadStatus(
                "Not checked",
                upload.notice
                or "Its check stopped before it finished (the process checking it was "
                "stopped). Nothing was changed. Check the file again.",
                (CHECK,),
                stuck=True,
            )
        step = f": {upload.stage}…" if upload.stage else "…"
        return UploadStatus("Being checked", f"The file is being checked{step}", in_progress=True)
    if state == State.PREVIEWED:
        return UploadStatus(
            upload.get_state_display(),
            "Check the changes and warnings below, then confirm to load the values. "
            "To change anything, upload a corrected file.",
            (CONFIRM, REFRESH),
        )
    if state == State.INVALID:
        return UploadStatus(
            upload.get_state_display(),
            "A file with errors cannot be loaded: correct them and "
            "upload it again. Nothing was changed. (If the indicators or units have been set up "
            "since, check the file again.)",
            (CHECK_AGAIN,),
            upload_again=True,
        )
    if state == State.QUEUED:
        if load.is_stale(upload, now, working):
            return UploadStatus(
                "Waiting too long",
                f"It has waited for the worker for more than "
                f"{_minutes(load.stale_after().total_seconds())}: the worker may be down or busy, or its task was "
                "lost. Queue it again: however often it is queued, the values are written once.",
                (QUEUE_AGAIN,),
                stuck=True,
            )
        return UploadStatus(upload.get_state_display(), "Waiting for the worker to load it.", in_progress=True)
    if state == State.RUNNING:
        if load.is_stuck(upload, now, working):
            started = date_format(timezone.localtime(upload.started_at), "DATETIME_FORMAT") if upload.started_at else ""
            return UploadStatus(
                "Stuck",
                f"Loading since {started}, but its worker stopped; nothing was half-written. Run it again: "
                "the values are written once.",
                (RUN_AGAIN,),
                stuck=True,
            )
        step = f": {upload.stage}…" if upload.stage else "…"
        return UploadStatus(upload.get_state_display(), f"The values are being loaded{step}", in_progress=True)
    if state == State.COMMITTED:
        return UploadStatus(upload.get_state_display(), "The values are loaded. Nothing more to do here.")
    if state == State.FAILED:
        return UploadStatus(
            upload.get_state_display(),
            "The load failed and nothing was written (the reason is "
            "below). Run it again, or check the file again against what is stored now.",
            (RUN_AGAIN, CHECK_AGAIN),
        )
    if state == State.STALE:
        return UploadStatus(
            upload.get_state_display(),
            "Values this file changes were changed by someone else "
            "after the preview. Refresh the preview, check it, and confirm again.",
            (REFRESH,),
        )
    return UploadStatus(upload.get_state_display(), "")  # pragma: no cover - every state is handled above


def statuses(uploads: Sequence[Upload], now: datetime | None = None) -> list[tuple[Upload, UploadStatus]]:
    """Each upload with its status, for a page of them: at most one query (which are being worked on)."""
    now = now or timezone.now()
    in_flight = [u.pk for u in uploads if u.state in (State.RECEIVED, State.QUEUED, State.RUNNING)]
    working = load.being_worked_on(in_flight) if in_flight else set()
    return [(upload, status_of(upload, now, working)) for upload in uploads]
