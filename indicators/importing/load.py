"""Writing values: the one function that applies values with revisions, and the upload's commit.

The commit runs in a Celery task (indicators.tasks) or in-process (import_measurements --commit).
It is safe to run twice, and a run killed part-way leaves nothing half-written:

- the writes, the revisions and the upload's COMMITTED state go in one transaction;
- a run that finds the upload already committed (or another run writing it) exits;
- while a run works on an upload it holds the upload's lock (working_on: on PostgreSQL, a session lock that
  dies with its process), so a page sees at once that a worker died mid-commit and offers to run it again;
- the months it writes are locked (PostgreSQL advisory locks; SQLite's write lock), and the
  diff is taken again under that lock: if a value the MI user saw has changed since the
  preview, the commit is refused (STALE) and asks for a fresh preview.

On PostgreSQL the preview keeps the values it checked (Upload.carried, staging.Carried): while the
indicators, units and aliases are as they were, and the stored values the preview saw are still where
it saw them, the commit writes those, without parsing and checking the file again. Otherwise (definitions
changed, a stored value changed or rewritten, or an upload previewed before values were carried) it
checks the file again, as SQLite always does, and that check says whether the preview is stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models.fields.json import KT
from django.utils import timezone

from indicators.audit_trail import record, record_upload
from indicators.models import Measurement, MeasurementRevision, Upload

from . import staging
from .parse import Issue
from .preview import (
    Report,
    check_file,
    check_upload,
    count_rows,
    diff,
    existing_for,
    storable,
    stored_issues,
    uses_staging,
)
from .validate import Key, NewValue, current_definitions

log = logging.getLogger(__name__)
State = Upload.State


@dataclass(frozen=True)
class Applied:
    new: int
    changed: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged}


def apply_values(
    values: Sequence[NewValue],
    *,
    reason: str,
    user: User | None = None,
    upload: Upload | None = None,
    now: datetime | None = None,
) -> Applied:
    """Store values: create the new, update the changed (each with a MeasurementRevision), skip the same.

    Call it inside a transaction. Applying the same values twice changes nothing the second time.
    """
    now = now or timezone.now()
    if uses_staging():
        with transaction.atomic():
            staging.stage(values)
            return _write_staged(len(values), reason=reason, user=user, upload=upload, now=now)
    existing = existing_for(values)
    changes = diff(values, existing)
    created = [
        Measurement(
            indicator=c.item.indicator,
            unit=c.item.unit,
            period_kind=c.item.key.period_kind,
            period_start=c.item.period.start,
            value=c.new[0],
            numerator=c.new[1],
            denominator=c.new[2],
            status=c.new[3],
        )
        for c in changes.new
    ]
    updated: list[Measurement] = []
    revisions: list[MeasurementRevision] = []
    for change in changes.changed:
        measurement = existing[change.item.key]
        old, new = change.old, change.new
        assert old is not None
        revisions.append(
            MeasurementRevision(
                measurement=measurement,
                changed_at=now,
                changed_by=user,
                upload=upload,
                reason=reason,
                old_value=old[0],
                old_numerator=old[1],
                old_denominator=old[2],
                old_status=old[3],
                new_value=new[0],
                new_numerator=new[1],
                new_denominator=new[2],
                new_status=new[3],
            )
        )
        measurement.value, measurement.numerator, measurement.denominator, measurement.status = new
        measurement.updated_at = now
        updated.append(measurement)
    Measurement.objects.bulk_create(created, batch_size=2000)
    Measurement.objects.bulk_update(
        updated, ["value", "numerator", "denominator", "status", "updated_at"], batch_size=2000
    )
    MeasurementRevision.objects.bulk_create(revisions, batch_size=2000)
    return Applied(len(created), len(updated), changes.unchanged)


def _write_staged(
    count: int, *, reason: str, user: User | None, upload: Upload | None, now: datetime, carried: bool = False
) -> Applied:
    """apply_values on PostgreSQL, for values already staged (staging.stage, or staging.stage_carried when
    ``carried``) in this transaction."""
    new, changed = staging.write(
        now=now,
        user_id=user.pk if user is not None else None,
        upload_id=upload.pk if upload is not None else None,
        reason=reason,
        carried=carried,
    )
    return Applied(new, changed, count - new - changed)


def lock_months(keys: Sequence[Key]) -> None:
    """Serialise writers of the same months. Inside a transaction; released when it ends."""
    if connection.vendor != "postgresql":
        return  # SQLite: the first write in the transaction takes the database's write lock
    _take_month_locks(staging.month_locks(keys))


def _take_month_locks(months: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for month in months:  # always in the same order, so two writers cannot deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [month])


def set_stage(upload_id: int, stage: str) -> None:
    """Saved at once (outside the writing transaction) so the status page shows it while the work runs."""
    Upload.objects.filter(pk=upload_id).update(stage=stage[:40], touched_at=timezone.now())


# --- who is working on an upload ------------------------------------------------------------------------
# On PostgreSQL a task holds its upload's advisory lock (a session lock, two keys: this and the upload's id)
# for as long as it works on it. A second run finds it held and leaves it alone; a process that dies loses
# its session, and the lock with it, so the pages see at once that nobody is working on the upload.

UPLOAD_LOCKS = 7140


@contextmanager
def working_on(upload_id: int) -> Iterator[bool]:
    """Hold the upload's lock while working on it; yields False (and holds nothing) when another process does.

    On other databases yields True: there the time limits tell a dead run from a slow one."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [UPLOAD_LOCKS, upload_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [UPLOAD_LOCKS, upload_id])
            except DatabaseError:  # the connection is broken: its session, and so the lock, are gone
                log.warning("upload %s: could not release its lock", upload_id, exc_info=True)


def being_worked_on(upload_ids: Sequence[int]) -> set[int] | None:
    """Which of these uploads a live process holds the lock of (one query); None where locks are not used."""
    if connection.vendor != "postgresql":
        return None
    if not upload_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
            " AND classid = %s AND objid::bigint = ANY(%s)"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [UPLOAD_LOCKS, list(upload_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def _claim(upload_id: int) -> bool:
    """Mark the upload RUNNING; False when it is not waiting to run (done, or never confirmed)."""
    try:
        with transaction.atomic():
            upload = Upload.objects.select_for_update(nowait=True).only("state").filter(pk=upload_id).first()
            if upload is None:
                log.warning("upload %s does not exist", upload_id)
                return False
            # RUNNING: a run that died (its transaction, and so its lock, is gone) is being redelivered.
            if upload.state not in (State.QUEUED, State.RUNNING):
                log.info("upload %s is %s: nothing to do", upload_id, upload.state)
                return False
            Upload.objects.filter(pk=upload_id).update(
                state=State.RUNNING, stage="parsing", started_at=timezone.now(), finished_at=None
            )
    except DatabaseError:  # the row is locked: another run is writing this upload right now
        log.info("upload %s is being written by another run", upload_id)
        return False
    return True


def _finish(
    upload_id: int, state: str, *, errors: Sequence[Issue] = (), counts: dict[str, object] | None = None
) -> None:
    fields: dict[str, object] = {"state": state, "stage": "", "finished_at": timezone.now()}
    if state == State.COMMITTED:
        fields["carried"] = None  # done with: a committed upload never runs again
    if errors:
        fields["errors"] = stored_issues(list(errors))
    if counts is not None:
        fields["counts"] = counts
    Upload.objects.filter(pk=upload_id).update(**fields)
    record_upload(f"upload.{state}", upload_id, counts=counts, detail=errors[0].message[:200] if errors else "")


def commit_upload(upload_id: int) -> str:
    """Load a confirmed upload: all or nothing. Returns the upload's state afterwards."""
    with working_on(upload_id) as free:
        if not free or not _claim(upload_id):
            if not free:
                log.info("upload %s is being written by another run", upload_id)
            return Upload.objects.filter(pk=upload_id).values_list("state", flat=True).first() or ""
        try:
            state = _commit(upload_id)
        except Exception as error:
            log.exception("upload %s failed", upload_id)
            _finish(upload_id, State.FAILED, errors=[Issue(f"The load failed: {error}")])
            return State.FAILED
    if state == State.COMMITTED:
        written = Upload.objects.filter(pk=upload_id).values_list("counts", flat=True).first() or {}
        analyse_if_many(sum(written.get("committed", {}).get(kind, 0) for kind in ("new", "changed")))
    return state


def analyse_if_many(written: int) -> None:
    """After writing many values, bring the measurements table's statistics up to date (PostgreSQL), so the next
    preview's plans know how big it is now rather than waiting for autovacuum (which may be off)."""
    if written >= settings.UPLOAD_ANALYZE_AFTER_VALUES:
        staging.analyse_measurements()


def _carried(upload: Upload) -> staging.Carried | None:
    """The values the preview checked, when the commit may write them without checking the file again: on
    PostgreSQL, kept by the preview, and the indicators, units and aliases unchanged since."""
    if not uses_staging() or not upload.carried:
        return None
    carried = staging.Carried.unpack(bytes(upload.carried))
    if carried.definitions != current_definitions():
        log.info("upload %s: the indicators or units changed since the preview; checking the file again", upload.pk)
        return None
    return carried


class _RowsMoved(Exception):
    """The stored values the preview saw are not all where they were: changed, or only rewritten."""


def _commit(upload_id: int, *, use_carried: bool = True) -> str:
    try:
        return _commit_once(upload_id, use_carried=use_carried)
    except _RowsMoved:  # (rolled back, nothing written) the full check tells a changed value from a moved one
        log.info("upload %s: stored values moved since the preview; checking the file again", upload_id)
        return _commit_once(upload_id, use_carried=False)


def _commit_once(upload_id: int, *, use_carried: bool) -> str:
    # The file only when it is checked again; the carried values (which Upload.objects leaves out) always;
    # of the preview (up to 1,000s of changes as JSON), only its fingerprint.
    upload = Upload.objects.defer(None).defer("content", "preview").annotate(seen=KT("preview__seen")).get(pk=upload_id)
    carried = _carried(upload) if use_carried else None
    values: list[NewValue] = []
    if carried is None:
        set_stage(upload_id, "validating")
        report = check_file(upload.filename, bytes(upload.content))
        if not report.ok:
            _finish(upload_id, State.FAILED, errors=report.errors)
            return State.FAILED
        values = report.values
    set_stage(upload_id, "writing")
    with transaction.atomic():
        # The per-upload lock: a second run of the same upload waits here, then finds it committed.
        locked = Upload.objects.select_for_update().only("state").get(pk=upload_id)
        Upload.objects.filter(pk=upload_id).update(finished_at=None)  # SQLite: take the write lock now
        if locked.state != State.RUNNING:
            return locked.state
        if carried is not None:
            _take_month_locks(carried.months)
            staging.stage_carried(carried)
            # Nothing written since the preview (the data version has not moved), or the stored values the
            # preview saw found again where they were.
            if not (
                (carried.data_version is not None and staging.data_version() == carried.data_version)
                or staging.carried_fingerprint(carried) == upload.seen
            ):
                raise _RowsMoved
            stale = False
        elif uses_staging():  # staged once: compared, then written, from the same temporary table
            lock_months([item.key for item in values])
            staging.stage(values)
            stale = staging.fingerprint() != upload.seen
        else:
            lock_months([item.key for item in values])
            stale = diff(values, existing_for(values)).seen != upload.seen
        if stale:
            Upload.objects.filter(pk=upload_id).update(
                state=State.STALE,
                stage="",
                finished_at=timezone.now(),
                errors=stored_issues(
                    [
                        Issue(
                            "Some of the values this file changes were changed by someone else "
                            "after the preview. Refresh the preview, check it, and confirm again."
                        )
                    ]
                ),
            )
            record_upload("upload.stale", upload_id, detail="values changed by someone else since the preview")
            return State.STALE
        reason, user = f"upload {upload.pk}: {upload.filename}", upload.committed_by or upload.uploaded_by
        if carried is not None:
            try:
                applied = _write_staged(
                    carried.values, reason=reason, user=user, upload=upload, now=timezone.now(), carried=True
                )
            except staging.ChangedMeanwhile:  # a stored value not where the preview saw it (a rewritten table)
                raise _RowsMoved from None
        elif uses_staging():
            applied = _write_staged(len(values), reason=reason, user=user, upload=upload, now=timezone.now())
        else:
            applied = apply_values(values, reason=reason, user=user, upload=upload)
        _finish(upload_id, State.COMMITTED, counts={**upload.counts, "committed": applied.as_dict()})
    return State.COMMITTED


# --- what the pages and the command do with an upload ------------------------------------------------


def stuck_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.UPLOAD_STALE_SECONDS)


def _working(upload: Upload, working: set[int] | None) -> set[int] | None:
    return working if working is not None else being_worked_on([upload.pk])


def is_stuck(upload: Upload, now: datetime | None = None, working: set[int] | None = None) -> bool:
    """RUNNING, and its worker died: nobody holds its lock (PostgreSQL), or it has run longer than a task may.

    ``working``: being_worked_on() for a page of uploads (looked up here when not given)."""
    if upload.state != State.RUNNING:
        return False
    now = now or timezone.now()
    if upload.started_at is not None and now - upload.started_at > stuck_after():
        return True
    working = _working(upload, working)
    return working is not None and upload.pk not in working


def is_stale(upload: Upload, now: datetime | None = None, working: set[int] | None = None) -> bool:
    """RECEIVED or QUEUED, with no sign of progress for UPLOAD_STALE_SECONDS and nobody working on it: the web
    process checking it was stopped, or its task was lost (or the worker is down)."""
    if upload.state not in (State.RECEIVED, State.QUEUED):
        return False
    since = upload.touched_at or upload.uploaded_at
    if since is None or (now or timezone.now()) - since <= stale_after():
        return False
    working = _working(upload, working)
    return working is None or upload.pk not in working


def _no_progress(step: str) -> None:
    pass


def save_preview(upload: Upload, today: date | None = None, progress: Callable[[str], None] = _no_progress) -> Upload:
    """Check the stored file and keep what the preview shows. Changes no measurement.

    Saved only if the upload is still in the state it was in when the check began (a confirm meanwhile wins)."""
    before = upload.state
    report = check_upload(upload.filename, bytes(upload.content), today, carry=True, progress=progress)
    fields: dict[str, object] = {
        "state": State.PREVIEWED if report.ok else State.INVALID,
        "counts": report.counts,
        "errors": report.stored_errors(),
        "warnings": report.stored_warnings(),
        "preview": report.preview(),
        "carried": report.carried.pack() if report.carried is not None else None,
        "stage": "",
        "notice": "",
        "touched_at": timezone.now(),
    }
    if Upload.objects.filter(pk=upload.pk, state=before).update(**fields):
        for name, value in fields.items():
            setattr(upload, name, value)
        record(
            "upload.previewed",
            upload.uploaded_by,
            about=upload,
            counts=upload.counts,
            detail=f"{upload.get_state_display()}: {len(upload.errors)} errors, {len(upload.warnings)} warnings",
        )
    else:
        log.info("upload %s moved on while it was checked: this check is not kept", upload.pk)
        upload.refresh_from_db(fields=[name for name in fields if name != "carried"])
    return upload


def checks_in_the_worker(upload: Upload) -> bool:
    """A file this long is checked by the worker, so no web request runs for minutes."""
    return count_rows(upload.filename, bytes(upload.content)) > settings.UPLOAD_PREVIEW_IN_WORKER_ROWS


def preview_upload(upload_id: int) -> str:
    """Check a received upload, showing each step on its page; what the preview task runs. Returns its state."""
    with working_on(upload_id) as free:
        upload = Upload.objects.filter(pk=upload_id).first()
        if upload is None:
            return ""
        if not free or upload.state != State.RECEIVED:
            return upload.state
        save_preview(upload, progress=lambda step: set_stage(upload_id, step))
        return upload.state


def _queue(task_name: str, upload_id: int, *, queued_state: str, undo: dict[str, object], failure: str) -> None:
    """Send a task once the transaction commits. If the broker cannot be reached, the upload goes back to how it
    was (``undo``), with the reason in its notice, so the MI team can try again."""
    from indicators import tasks

    task = getattr(tasks, task_name)

    def send() -> None:
        try:
            task.delay(upload_id)
        except Exception as error:
            log.exception("upload %s: could not send %s", upload_id, task_name)
            notice = storable(
                f"{failure} ({error}). Nothing was changed: try again in a minute; if it keeps "
                "failing, tell the administrator that the task queue is down.",
                500,
            )
            Upload.objects.filter(pk=upload_id, state=queued_state).update(**undo, notice=notice)

    transaction.on_commit(send)


def _sent(upload_id: int) -> bool:
    """After queueing: False when the broker refused it (the notice says so; the upload is back as it was)."""
    return not Upload.objects.filter(pk=upload_id).values_list("notice", flat=True).first()


def check(upload: Upload) -> None:
    """Check a received upload: here when it is small, else in the worker (the page shows its progress)."""
    if not checks_in_the_worker(upload):
        preview_upload(upload.pk)
        upload.refresh_from_db()
        return
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(stage="waiting for the worker", touched_at=timezone.now(), notice="")
        _queue(
            "preview_upload_task",
            upload.pk,
            queued_state=State.RECEIVED,
            undo={"stage": ""},
            failure="The file could not be sent to the worker to be checked",
        )
    upload.refresh_from_db()


def queue_checked(filename: str, content: bytes, report: Report, actor: User | str, detail: str = "") -> Upload:
    """Keep a file checked outside the web page (the command line, the demo) as an upload queued for commit."""
    upload = Upload.objects.create(
        filename=storable(filename, 255),
        content=content,
        size=len(content),
        state=State.QUEUED,
        counts=report.counts,
        warnings=report.stored_warnings(),
        preview=report.preview(),
        touched_at=timezone.now(),
    )
    record("upload.received", actor, about=upload, counts=report.counts, detail=detail)
    return upload


def receive(*, filename: str, content: bytes, user: User | None) -> Upload:
    """Keep an uploaded file and check it (check): the new upload."""
    upload = Upload.objects.create(
        filename=storable(filename, 255),
        content=content,
        size=len(content),
        uploaded_by=user,
        touched_at=timezone.now(),
    )
    record("upload.received", user, about=upload, counts={"bytes": upload.size})
    check(upload)
    return upload


def check_again(upload_id: int, user: User | None = None) -> bool:
    """Check again a received upload whose check stopped (or never started: the worker could not be reached)."""
    upload = Upload.objects.get(pk=upload_id)
    if not (upload.state == State.RECEIVED and (upload.notice or is_stale(upload))):
        return False
    check(upload)
    return not upload.notice


def confirm(upload_id: int, user: User) -> bool:
    """Queue a previewed upload for commit; False when it cannot be confirmed (errors, or not previewed), or when
    the task queue cannot be reached (then it stays previewed, with the reason in its notice)."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().only("state", "errors").get(pk=upload_id)
        if upload.state != State.PREVIEWED or upload.errors:
            return False
        Upload.objects.filter(pk=upload_id).update(
            state=State.QUEUED, committed_by=user, touched_at=timezone.now(), notice=""
        )
        record_upload("upload.confirmed", upload_id, user=user)
        _queue(
            "commit_upload_task",
            upload_id,
            queued_state=State.QUEUED,
            undo={"state": State.PREVIEWED},
            failure="The values could not be sent to the worker to be loaded",
        )
    return _sent(upload_id)


def can_run_again(upload: Upload, now: datetime | None = None, working: set[int] | None = None) -> bool:
    """Failed; stuck (its worker died); or queued so long its task was lost."""
    return (
        upload.state == State.FAILED
        or is_stuck(upload, now, working)
        or (upload.state == State.QUEUED and is_stale(upload, now, working))
    )


def run_again(upload_id: int, user: User) -> bool:
    """Queue a failed, stuck or lost upload again; the load is idempotent, so this is always safe."""
    try:
        with transaction.atomic():
            # nowait: a run writing it holds this row; then it is not stuck, and the page must not wait for it.
            upload = (
                Upload.objects.select_for_update(nowait=True)
                .only("state", "started_at", "touched_at", "uploaded_at")
                .get(pk=upload_id)
            )
            if not can_run_again(upload):
                return False
            Upload.objects.filter(pk=upload_id).update(
                state=State.QUEUED, stage="", committed_by=user, touched_at=timezone.now(), notice=""
            )
            record_upload("upload.requeued", upload_id, user=user)
            _queue(
                "commit_upload_task",
                upload_id,
                queued_state=State.QUEUED,
                undo={"state": upload.state, "touched_at": upload.touched_at},
                failure="The upload could not be sent to the worker to run again",
            )
    except DatabaseError:
        log.info("upload %s is being written: not run again", upload_id)
        return False
    return _sent(upload_id)


def refresh_preview(upload_id: int, user: User | None = None) -> bool:
    """Check an out-of-date (or failed, or refused) upload again against what is stored now."""
    upload = Upload.objects.get(pk=upload_id)
    if upload.state not in (State.STALE, State.PREVIEWED, State.FAILED, State.INVALID):
        return False
    if checks_in_the_worker(upload):  # received again, and checked by the worker
        if not Upload.objects.filter(pk=upload_id, state=upload.state).update(state=State.RECEIVED):
            return False
        upload.state = State.RECEIVED
        check(upload)
        return not upload.notice
    save_preview(upload)
    return True
