"""Committing: revisions, all-or-nothing, stale previews, repeat runs, stuck uploads; and the warnings."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from districts.models import ReportingUnit
from indicators.analysis.periods import month
from indicators.importing import load, staging
from indicators.importing.preview import check_upload
from indicators.importing.validate import ratio_disagrees
from indicators.models import Indicator, Measurement, MeasurementRevision, Upload

from .builders import measurements_snapshot

pytestmark = pytest.mark.django_db
HEADER = "indicator,area,period,value,numerator,denominator,status\n"
TODAY = date(2024, 12, 9)


def previewed(user, text: str, name: str = "v.csv") -> Upload:  # type: ignore[no-untyped-def]
    content = (HEADER + text).encode()
    upload = Upload.objects.create(filename=name, content=content, size=len(content), uploaded_by=user)
    return load.save_preview(upload)


def commit(upload: Upload, user, capture) -> Upload:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        assert load.confirm(upload.pk, user)
    upload.refresh_from_db()
    return upload


def dover_apr(indicator: str = "SCS03") -> Measurement:
    return Measurement.objects.get(indicator__code=indicator, unit__name="Dover CSWT", period_start=date(2024, 4, 1))


def test_a_changed_value_is_revised_with_old_new_upload_who_and_why(
    demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\nSCS03,Dover CSWT,May-24,31.2,,,\n")
    assert upload.counts["changed"] == 1 and upload.counts["unchanged"] == 1
    assert upload.preview["changes"] == [
        {"indicator": "SCS03", "area": "Dover CSWT", "period": "Apr-24", "old": "31.7", "new": "33.3"}
    ]
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED
    assert dover_apr().value == Decimal("33.3")
    revision = MeasurementRevision.objects.revisions_for(
        Indicator.objects.get(code="SCS03"), ReportingUnit.objects.get(name="Dover CSWT")
    ).get()
    assert (revision.old_value, revision.new_value) == (Decimal("31.7"), Decimal("33.3"))
    assert revision.upload == upload and revision.changed_by == mi_user and "v.csv" in revision.reason
    assert revision.changed_at is not None


def test_the_wide_layout_keeps_the_stored_numerator_and_denominator(
    demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    oct24 = Measurement.objects.get(indicator__code="SCS03", unit__name="Dover CSWT", period_start=date(2024, 10, 1))
    content = b"indicator,area,Oct-24\nSCS03,Dover CSWT,28.7\n"
    upload = Upload.objects.create(filename="w.csv", content=content, size=len(content), uploaded_by=mi_user)
    commit(load.save_preview(upload), mi_user, django_capture_on_commit_callbacks)
    oct24.refresh_from_db()
    assert (oct24.value, oct24.numerator, oct24.denominator) == (Decimal("28.7"), Decimal(433), Decimal(1514))


def test_a_year_label_on_a_monthly_indicator_is_its_outturn(demo, mi_user) -> None:
    report = check_upload("v.csv", (HEADER + "APP17,Sevenoaks,2023-24,41.0,,,\n").encode())
    assert report.ok and report.values[0].period.kind.value == "O"


def test_the_preview_goes_stale_when_a_value_it_showed_changes(
    demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n")
    Measurement.objects.filter(pk=dover_apr().pk).update(value=Decimal("40.0"))  # someone else, after the preview
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.STALE and "Refresh the preview" in upload.errors[0]["message"]
    assert dover_apr().value == Decimal("40.0") and not MeasurementRevision.objects.exists()

    assert load.refresh_preview(upload.pk)
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and upload.preview["changes"][0]["old"] == "40"
    assert commit(upload, mi_user, django_capture_on_commit_callbacks).state == Upload.State.COMMITTED
    assert dover_apr().value == Decimal("33.3")


def test_a_second_run_of_a_committed_upload_changes_nothing(demo, mi_user, django_capture_on_commit_callbacks) -> None:
    upload = commit(
        previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n"), mi_user, django_capture_on_commit_callbacks
    )
    before = measurements_snapshot()
    assert load.commit_upload(upload.pk) == Upload.State.COMMITTED  # e.g. a redelivered task
    assert measurements_snapshot() == before


def test_an_unconfirmed_upload_is_never_committed_by_a_stray_task(demo, mi_user) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n")
    assert load.commit_upload(upload.pk) == Upload.State.PREVIEWED
    assert dover_apr().value == Decimal("31.7")
    assert load.commit_upload(987654) == ""


def test_a_file_that_no_longer_validates_at_commit_fails_and_writes_nothing(
    demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\nAPP17,Sevenoaks,Oct-24,50.0,,,\n")
    ReportingUnit.objects.filter(name="Sevenoaks").update(name="Sevenoaks District")
    before = measurements_snapshot()
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.FAILED and "Unknown area 'Sevenoaks'" in upload.errors[0]["message"]
    assert measurements_snapshot() == before


def test_a_failure_while_writing_leaves_nothing_half_written(
    demo, mi_user, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\nAPP17,Sevenoaks,Oct-24,50.0,,,\n")
    before = measurements_snapshot()

    finish = load._finish

    def broken(upload_id: int, state: str, **kwargs: object) -> None:
        # The last write of the commit's transaction fails, after every value and revision is written
        # (on either path: SQLite's bulk writes or PostgreSQL's set-based ones).
        if state == Upload.State.COMMITTED:
            raise RuntimeError("disk full")
        finish(upload_id, state, **kwargs)

    monkeypatch.setattr(load, "_finish", broken)
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.FAILED and "disk full" in upload.errors[0]["message"]
    assert measurements_snapshot() == before  # the new Sevenoaks row was rolled back too
    assert not MeasurementRevision.objects.exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert load.run_again(upload.pk, mi_user)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED and dover_apr().value == Decimal("33.3")


def test_only_a_failed_or_stuck_upload_runs_again(demo, mi_user, settings, django_capture_on_commit_callbacks) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n")
    assert not load.run_again(upload.pk, mi_user)
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.RUNNING, started_at=timezone.now())
    with load.working_on(upload.pk) as held:  # as a live worker does
        assert held
        assert not load.run_again(upload.pk, mi_user)  # still being loaded, within the time a load may take
    upload.refresh_from_db()
    # On PostgreSQL nobody holding its lock means its worker died: stuck at once. Elsewhere, after the time limit.
    assert load.is_stuck(upload) == (connection.vendor == "postgresql")
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    Upload.objects.filter(pk=upload.pk).update(started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert load.run_again(upload.pk, mi_user)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED and dover_apr().value == Decimal("33.3")


def test_an_upload_queued_too_long_is_queued_again_and_written_once(
    demo, mi_user, settings, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n")
    with django_capture_on_commit_callbacks(execute=False):  # the task is lost: never sent
        assert load.confirm(upload.pk, mi_user)
    upload.refresh_from_db()
    assert upload.state == Upload.State.QUEUED and not load.is_stale(upload)
    assert not load.run_again(upload.pk, mi_user)  # the worker may only be busy
    Upload.objects.filter(pk=upload.pk).update(
        touched_at=timezone.now() - timedelta(seconds=settings.UPLOAD_STALE_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert load.run_again(upload.pk, mi_user)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED and dover_apr().value == Decimal("33.3")
    # The lost task, should it turn up after all, writes nothing more.
    revisions = MeasurementRevision.objects.count()
    assert load.commit_upload(upload.pk) == Upload.State.COMMITTED
    assert MeasurementRevision.objects.count() == revisions == 1


def test_an_upload_with_errors_cannot_be_confirmed(demo, mi_user) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,lots,,,\n")
    assert upload.state == Upload.State.INVALID and not load.confirm(upload.pk, mi_user)


# --- warnings ------------------------------------------------------------------------------------


def warnings_for(text: str) -> list[str]:
    report = check_upload("v.csv", (HEADER + text).encode(), TODAY)
    assert report.ok, report.errors
    return [w.message for w in report.warnings]


def test_the_printed_ratio_check_allows_the_printed_precision() -> None:
    assert not ratio_disagrees(Decimal("67.9"), Decimal("15.6"), Decimal("23.0"), percent=True)  # Dover SCS40
    assert ratio_disagrees(Decimal("67.1"), Decimal("112"), Decimal("1671"), percent=True)  # Dartford SISE4
    assert not ratio_disagrees(Decimal("67.1"), Decimal("1121"), Decimal("1671"), percent=True)


def test_warnings_do_not_block(demo) -> None:
    messages = warnings_for(
        "SCS40,Dover CSWT,Oct-24,67.9,15.6,23.0,\nSISE4,Dartford,2023-24,67.1,112,1671,\n"
        "APP17,Sevenoaks,Oct-24,120.8,,,\n"
    )
    assert any("112 / 1671 is 6.7%, not 67.1" in m for m in messages)
    assert not any("15.6 / 23.0" in m for m in messages)
    assert any("120.8% is over 100%" in m for m in messages)


def test_a_percentage_given_as_fractions_warns(demo) -> None:
    messages = warnings_for("APP17,Sevenoaks,Sep-24,0.55,,,\nAPP17,Sevenoaks,Oct-24,0.61,,,\n")
    assert any("Every value of APP17 is at or below 1" in m for m in messages)
    assert not any(
        "at or below 1" in m for m in warnings_for("APP17,Sevenoaks,Oct-24,0.5,,,\nAPP17,Sevenoaks,Sep-24,45,,,\n")
    )


def test_a_jump_far_outside_the_usual_movement_warns(demo) -> None:
    dover = [
        m.value
        for m in Measurement.objects.filter(indicator__code="SCS03", unit__name="Dover CSWT", period_kind="M").order_by(
            "period_start"
        )
    ]
    assert dover[-1] == Decimal("28.6")  # Apr–Oct moved by about half a point a month
    assert any("far outside" in m for m in warnings_for("SCS03,Dover CSWT,Oct-24,45.0,433,1514,\n"))
    assert not any("far outside" in m for m in warnings_for("SCS03,Dover CSWT,Oct-24,28.9,433,1514,\n"))


def test_a_value_at_the_current_month_is_not_in_the_future(demo) -> None:
    report = check_upload(
        "v.csv", (HEADER + "APP17,Sevenoaks,Dec-24,50,,,\nAPP17,Sevenoaks,Jan-25,50,,,\n").encode(), TODAY
    )
    assert [e.row for e in report.errors] == [3] and month(2024, 12) == report.values[0].period


# --- the command line finishes what the page started -------------------------------------------------------


def test_the_command_takes_a_stuck_upload_its_next_step(demo, mi_user, settings) -> None:
    upload = previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n")
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.RUNNING, started_at=long_ago)
    with pytest.raises(CommandError, match="add --commit"):
        call_command("import_measurements", "--upload", str(upload.pk), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_measurements", "--upload", str(upload.pk), "--commit", stdout=out)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED and dover_apr().value == Decimal("33.3")
    assert f"Committed upload {upload.pk}" in out.getvalue()
    call_command("import_measurements", "--upload", str(upload.pk), "--commit", stdout=(again := io.StringIO()))
    assert "already committed" in again.getvalue() and MeasurementRevision.objects.count() == 1


def test_the_command_checks_a_received_upload_whose_check_stopped(demo, mi_user, settings) -> None:
    content = (HEADER + "SCS03,Dover CSWT,Apr-24,33.3,,,\n").encode()
    upload = Upload.objects.create(
        filename="v.csv", content=content, size=len(content), uploaded_by=mi_user, touched_at=timezone.now()
    )
    with pytest.raises(CommandError, match="being checked now"):
        call_command("import_measurements", "--upload", str(upload.pk), stdout=io.StringIO())
    Upload.objects.filter(pk=upload.pk).update(
        touched_at=timezone.now() - timedelta(seconds=settings.UPLOAD_STALE_SECONDS + 1)
    )
    call_command("import_measurements", "--upload", str(upload.pk), stdout=(out := io.StringIO()))
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and "1 changed" in out.getvalue()
    assert dover_apr().value != Decimal("33.3")  # checked, not loaded


def test_a_commit_that_writes_many_values_analyses_the_measurements_table(
    demo, mi_user, settings, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    analysed: list[bool] = []
    monkeypatch.setattr(staging, "analyse_measurements", lambda: analysed.append(True))
    settings.UPLOAD_ANALYZE_AFTER_VALUES = 2
    commit(previewed(mi_user, "SCS03,Dover CSWT,Apr-24,33.3,,,\n"), mi_user, django_capture_on_commit_callbacks)
    assert analysed == []  # one value: not worth it
    commit(
        previewed(mi_user, "SCS03,Dover CSWT,Apr-24,34.3,,,\nSCS03,Dover CSWT,May-24,35.2,,,\n"),
        mi_user,
        django_capture_on_commit_callbacks,
    )
    assert analysed == [True]


def test_analysing_the_measurements_table_counts_its_rows(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE is for PostgreSQL's planner")
    staging.analyse_measurements()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Measurement._meta.db_table])
        assert cursor.fetchone()[0] == Measurement.objects.count()
