"""Writing values: the one function that applies values with revisions, and the upload's commit.

The commit runs in a Celery task (indicators.tasks) or in-process (import_measurements --commit).
It is safe to run twice, and a run killed part-way leaves nothing half-written:

- the writes, the revisions and the upload's COMMITTED state go in one transaction;
- a run that finds the upload already committed (or another run writing it) exits;
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
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models.fields.json import KT
from django.utils import timezone

from indicators.audit_trail import record, record_upload
from indicators.models import Measurement, MeasurementRevision, Upload

from . import staging
from .parse import Issue
from .preview import check_file, diff, existing_for, stored_issues, uses_staging
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
        Measurement(indicator=c.item.indicator, unit=c.item.unit, period_kind=c.item.key.period_kind,
                    period_start=c.item.period.start, value=c.new[0], numerator=c.new[1],
                    denominator=c.new[2], status=c.new[3])
        for c in changes.new
    ]
    updated: list[Measurement] = []
    revisions: list[MeasurementRevision] = []
    for change in changes.changed:
        measurement = existing[change.item.key]
        old, new = change.old, change.new
        assert old is not None
        revisions.append(MeasurementRevision(
            measurement=measurement, changed_at=now, changed_by=user, upload=upload, reason=reason,
            old_value=old[0], old_numerator=old[1], old_denominator=old[2], old_status=old[3],
            new_value=new[0], new_numerator=new[1], new_denominator=new[2], new_status=new[3],
        ))
        measurement.value, measurement.numerator, measurement.denominator, measurement.status = new
        measurement.updated_at = now
        updated.append(measurement)
    Measurement.objects.bulk_create(created, batch_size=2000)
    Measurement.objects.bulk_update(updated, ["value", "numerator", "denominator", "status", "updated_at"],
                                    batch_size=2000)
    MeasurementRevision.objects.bulk_create(revisions, batch_size=2000)
    return Applied(len(created), len(updated), changes.unchanged)


def _write_staged(count: int, *, reason: str, user: User | None, upload: Upload | None,
                  now: datetime, carried: bool = False) -> Applied:
    """apply_values on PostgreSQL, for values already staged (staging.stage, or staging.stage_carried when
    ``carried``) in this transaction."""
    new, changed = staging.write(now=now, user_id=user.pk if user is not None else None,
                                 upload_id=upload.pk if upload is not None else None, reason=reason,
                                 carried=carried)
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


def test_pause_seconds() -> float:
    """A pause inside the writing transaction, for the test that kills a worker mid-commit. 0 normally."""
    return float(getattr(settings, "UPLOAD_TEST_PAUSE_SECONDS", 0) or os.environ.get("UPLOAD_TEST_PAUSE_SECONDS")
                 or 0)


def set_stage(upload_id: int, stage: str) -> None:
    """Saved at once (outside the writing transaction) so the status page shows it while the work runs."""
    Upload.objects.filter(pk=upload_id).update(stage=stage)


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
            Upload.objects.filter(pk=upload_id).update(state=State.RUNNING, stage="parsing",
                                                       started_at=timezone.now(), finished_at=None)
    except DatabaseError:  # the row is locked: another run is writing this upload right now
        log.info("upload %s is being written by another run", upload_id)
        return False
    return True


def _finish(upload_id: int, state: str, *, errors: Sequence[Issue] = (), counts: dict[str, object] | None = None) -> None:
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
    if not _claim(upload_id):
        return Upload.objects.filter(pk=upload_id).values_list("state", flat=True).first() or ""
    try:
        return _commit(upload_id)
    except Exception as error:  # record any failure on the upload, where the MI team sees it
        log.exception("upload %s failed", upload_id)
        _finish(upload_id, State.FAILED, errors=[Issue(f"The load failed: {error}")])
        return State.FAILED


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
    upload = (Upload.objects.defer(None).defer("content", "preview").annotate(seen=KT("preview__seen"))
              .get(pk=upload_id))
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
            if not ((carried.data_version is not None and staging.data_version() == carried.data_version)
                    or staging.carried_fingerprint(carried) == upload.seen):
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
                state=State.STALE, stage="", finished_at=timezone.now(),
                errors=stored_issues([Issue("Some of the values this file changes were changed by someone else "
                                            "after the preview. Refresh the preview, check it, and confirm again.")]),
            )
            record_upload("upload.stale", upload_id, detail="values changed by someone else since the preview")
            return State.STALE
        reason, user = f"upload {upload.pk}: {upload.filename}", upload.committed_by or upload.uploaded_by
        if carried is not None:
            try:
                applied = _write_staged(carried.values, reason=reason, user=user, upload=upload,
                                        now=timezone.now(), carried=True)
            except staging.ChangedMeanwhile:  # a stored value not where the preview saw it (a rewritten table)
                raise _RowsMoved from None
        elif uses_staging():
            applied = _write_staged(len(values), reason=reason, user=user, upload=upload, now=timezone.now())
        else:
            applied = apply_values(values, reason=reason, user=user, upload=upload)
        if pause := test_pause_seconds():
            time.sleep(pause)
        _finish(upload_id, State.COMMITTED, counts={**upload.counts, "committed": applied.as_dict()})
    return State.COMMITTED


# --- what the pages and the command do with an upload ------------------------------------------------

def stuck_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def is_stuck(upload: Upload, now: datetime | None = None) -> bool:
    """RUNNING for longer than a task may run: its worker died and nothing will finish it."""
    now = now or timezone.now()
    return (upload.state == State.RUNNING and upload.started_at is not None
            and now - upload.started_at > stuck_after())


def save_preview(upload: Upload, today: object = None) -> Upload:
    """Check the stored file and keep what the preview shows. Changes no measurement."""
    from .preview import check_upload

    report = check_upload(upload.filename, bytes(upload.content), today, carry=True)  # type: ignore[arg-type]
    upload.state = State.PREVIEWED if report.ok else State.INVALID
    upload.counts = report.counts
    upload.errors = report.stored_errors()
    upload.warnings = report.stored_warnings()
    upload.preview = report.preview()
    upload.carried = report.carried.pack() if report.carried is not None else None
    upload.stage = ""
    upload.save(update_fields=["state", "counts", "errors", "warnings", "preview", "carried", "stage"])
    record("upload.previewed", upload.uploaded_by, about=upload, counts=upload.counts,
           detail=f"{upload.get_state_display()}: {len(upload.errors)} errors, {len(upload.warnings)} warnings")
    return upload


def _queue(upload_id: int) -> None:
    from indicators.tasks import commit_upload_task

    transaction.on_commit(lambda: commit_upload_task.delay(upload_id))


def confirm(upload_id: int, user: User) -> bool:
    """Queue a previewed upload for commit; False when it cannot be confirmed (errors, or not previewed)."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().only("state", "errors").get(pk=upload_id)
        if upload.state != State.PREVIEWED or upload.errors:
            return False
        Upload.objects.filter(pk=upload_id).update(state=State.QUEUED, committed_by=user)
        record_upload("upload.confirmed", upload_id, user=user)
        _queue(upload_id)
    return True


def run_again(upload_id: int, user: User) -> bool:
    """Queue a failed or stuck upload again; the load is idempotent, so this is always safe."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().only("state", "started_at").get(pk=upload_id)
        if not (upload.state == State.FAILED or is_stuck(upload)):
            return False
        Upload.objects.filter(pk=upload_id).update(state=State.QUEUED, stage="", committed_by=user)
        record_upload("upload.requeued", upload_id, user=user)
        _queue(upload_id)
    return True


def refresh_preview(upload_id: int) -> bool:
    """Check an out-of-date (or failed) upload again against what is stored now."""
    upload = Upload.objects.get(pk=upload_id)
    if upload.state not in (State.STALE, State.PREVIEWED, State.FAILED, State.INVALID):
        return False
    save_preview(upload)
    return True
