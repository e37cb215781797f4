"""On PostgreSQL the commit writes the values the preview checked (Upload.carried), without parsing and checking
the file again, while the indicators, units and aliases are unchanged; otherwise it checks the file again.
Either way it stores the same values and revisions, and refuses the same stale previews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from districts.models import ReportingUnit, UnitAlias, UnitKind
from indicators.importing import load, staging
from indicators.importing.validate import Catalogue, current_definitions
from indicators.models import Indicator, Measurement, MeasurementRevision, Upload
from tests.conftest import skip_or_fail

from .builders import generate_rows, long_csv, measurements_snapshot

pytestmark = pytest.mark.django_db
HEADER = "indicator,area,period,value,numerator,denominator,status\n"
# Changed (Apr-24), unchanged (May-24), a ratio changed, new values (Sevenoaks has none stored), a status.
LONG_TEXT = (
    "SCS03,Dover CSWT,Apr-24,33.3,,,\nSCS03,Dover CSWT,May-24,31.2,,,\n"
    "SCS03,Dover CSWT,Oct-24,28.9,440,1520,\nAPP17,Sevenoaks,Oct-24,50.0,,,\n"
    "APP17,Sevenoaks,Sep-24,,,,N/A\n"
)
WIDE_CONTENT = b"indicator,area,Sep-24,Oct-24\nSCS03,Dover CSWT,29.9,28.7\n"  # keeps the stored ratios


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("values are carried from the preview to the commit on PostgreSQL only")


@pytest.fixture
def file_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the commit checked again (parse and validate)."""
    checked: list[str] = []
    check_file = load.check_file

    def counting(filename: str, content: bytes, *args: Any) -> Any:
        checked.append(filename)
        return check_file(filename, content, *args)

    monkeypatch.setattr(load, "check_file", counting)
    return checked


def previewed(user: Any, content: bytes, name: str = "v.csv") -> Upload:
    upload = Upload.objects.create(filename=name, content=content, size=len(content), uploaded_by=user)
    return load.save_preview(upload)


def commit(upload: Upload, user: Any, capture: Callable[..., Any]) -> Upload:
    with capture(execute=True):
        assert load.confirm(upload.pk, user)
    upload.refresh_from_db()
    return upload


def carried_of(upload: Upload) -> bytes | None:
    value = Upload.objects.defer(None).get(pk=upload.pk).carried
    return bytes(value) if value is not None else None


def dover(month: int) -> Measurement:
    return Measurement.objects.get(indicator__code="SCS03", unit__name="Dover CSWT", period_start=date(2024, month, 1))


def test_only_a_good_preview_on_postgresql_carries_its_values(demo, mi_user) -> None:
    good = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    bad = previewed(mi_user, (HEADER + "SCS03,Dover CSWT,Apr-24,lots,,,\n").encode())
    assert good.state == Upload.State.PREVIEWED and bad.state == Upload.State.INVALID
    assert (carried_of(good) is not None) == (connection.vendor == "postgresql")  # SQLite: the full check
    assert carried_of(bad) is None
    assert "carried" in Upload.objects.get(pk=good.pk).get_deferred_fields()  # the upload pages never load it


def test_the_commit_writes_the_carried_values_without_reading_the_file(
    postgresql, demo, mi_user, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    assert upload.counts["changed"] == 2 and upload.counts["new"] == 2 and upload.counts["unchanged"] == 1

    def no_file(*args: object) -> None:
        raise AssertionError("the commit read the file again")

    monkeypatch.setattr(load, "check_file", no_file)
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED, upload.errors
    assert upload.counts["committed"] == {"new": 2, "changed": 2, "unchanged": 1}
    assert dover(4).value == Decimal("33.3")
    assert (dover(10).value, dover(10).numerator, dover(10).denominator) == (Decimal("28.9"), 440, 1520)
    sevenoaks = Measurement.objects.filter(indicator__code="APP17", unit__name="Sevenoaks").order_by("period_start")
    assert [(m.value, m.status) for m in sevenoaks] == [(None, "N/A"), (Decimal("50.0"), "")]
    revision = MeasurementRevision.objects.get(measurement=dover(4))
    assert (revision.old_value, revision.new_value, revision.upload_id) == (Decimal("31.7"), Decimal("33.3"), upload.pk)
    assert revision.changed_by == mi_user and MeasurementRevision.objects.count() == 2
    assert carried_of(upload) is None  # done with
    before = measurements_snapshot()
    assert load.commit_upload(upload.pk) == Upload.State.COMMITTED  # a second run changes nothing
    assert measurements_snapshot() == before


def committed_outcome(upload: Upload, user: Any, *, carried: bool) -> dict[str, object]:
    """Commit the upload by one path, note everything stored, and roll it all back."""
    outcome: dict[str, object] = {}
    with transaction.atomic():
        if not carried:  # as an upload previewed before values were carried
            Upload.objects.filter(pk=upload.pk).update(carried=None)
        Upload.objects.filter(pk=upload.pk).update(state=Upload.State.QUEUED, committed_by=user)
        outcome["state"] = load.commit_upload(upload.pk)
        outcome["counts"] = Upload.objects.get(pk=upload.pk).counts
        outcome["values"] = list(
            Measurement.objects.order_by("indicator_id", "unit_id", "period_kind", "period_start").values_list(
                "indicator_id", "unit_id", "period_kind", "period_start", "value", "numerator", "denominator", "status"
            )
        )
        outcome["revisions"] = list(
            MeasurementRevision.objects.order_by("pk").values_list(
                "measurement__indicator_id",
                "measurement__unit_id",
                "measurement__period_kind",
                "measurement__period_start",
                "old_value",
                "old_numerator",
                "old_denominator",
                "old_status",
                "new_value",
                "new_numerator",
                "new_denominator",
                "new_status",
                "changed_by_id",
                "reason",
                "upload_id",
            )
        )
        transaction.set_rollback(True)
    return outcome


def test_the_carried_and_the_full_path_store_the_same_values_and_revisions(
    postgresql, demo, mi_user, file_checks
) -> None:
    generated = long_csv(
        [
            row
            for row in generate_rows()[:300]  # new values for the six districts
            if (row.indicator.code, row.unit.name) != ("APP17", "Sevenoaks")
        ]
    )  # (LONG_TEXT's)
    files = {"long.csv": generated + LONG_TEXT.encode(), "wide.csv": WIDE_CONTENT}
    before = measurements_snapshot()
    for name, content in files.items():
        upload = previewed(mi_user, content, name)
        assert upload.state == Upload.State.PREVIEWED, upload.errors[:3]
        by_carried = committed_outcome(upload, mi_user, carried=True)
        assert file_checks == []
        by_full_check = committed_outcome(upload, mi_user, carried=False)
        assert file_checks == [name]
        file_checks.clear()
        assert by_carried["state"] == Upload.State.COMMITTED, by_carried
        assert by_carried == by_full_check
        assert by_carried["revisions"]  # each file changes stored values
        assert measurements_snapshot() == before  # (both rolled back)


def test_changed_definitions_make_the_commit_check_the_file_again(
    postgresql, demo, mi_user, file_checks, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Indicator.objects.filter(code="APP17").update(notes="Edited after the preview.")  # nothing the check uses
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert file_checks == ["v.csv"]
    assert upload.state == Upload.State.COMMITTED and dover(4).value == Decimal("33.3")


def test_an_indicator_code_renamed_after_the_preview_fails_the_commit(
    postgresql, demo, mi_user, file_checks, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Indicator.objects.filter(code="APP17").update(code="APP17-OLD")
    before = measurements_snapshot()
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert file_checks == ["v.csv"]
    assert upload.state == Upload.State.FAILED
    assert any("Unknown indicator code 'APP17'" in error["message"] for error in upload.errors)
    assert measurements_snapshot() == before


def test_a_unit_deleted_after_the_preview_fails_the_commit(
    postgresql, demo, mi_user, file_checks, django_capture_on_commit_callbacks
) -> None:
    ReportingUnit.objects.create(name="Newtown", kind=UnitKind.DISTRICT, display_order=99)
    upload = previewed(mi_user, (HEADER + LONG_TEXT + "APP17,Newtown,Oct-24,40.0,,,\n").encode())
    assert upload.state == Upload.State.PREVIEWED and upload.counts["new"] == 3
    ReportingUnit.objects.filter(name="Newtown").delete()
    before = measurements_snapshot()
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert file_checks == ["v.csv"]
    assert upload.state == Upload.State.FAILED and "Unknown area 'Newtown'" in upload.errors[0]["message"]
    assert measurements_snapshot() == before


def test_codes_swapped_after_the_preview_never_write_to_the_indicator_previewed(
    postgresql, demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    # SCS03 and SCS40 are both monthly social work team percentages: the file still checks, but its SCS03
    # values now name the other indicator, whose stored values the preview never showed.
    upload = previewed(mi_user, (HEADER + "SCS03,Dover CSWT,Apr-24,33.3,,,\n").encode())
    Indicator.objects.filter(code="SCS03").update(code="swap")
    Indicator.objects.filter(code="SCS40").update(code="SCS03")
    Indicator.objects.filter(code="swap").update(code="SCS40")
    before = measurements_snapshot()
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.STALE and "Refresh the preview" in upload.errors[0]["message"]
    assert measurements_snapshot() == before


def test_a_value_the_preview_showed_unchanged_going_stale_refuses_the_commit(
    postgresql, demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Measurement.objects.filter(pk=dover(5).pk).update(value=Decimal("35.0"))  # someone else, after the preview
    before = measurements_snapshot()
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.STALE
    assert measurements_snapshot() == before and dover(4).value == Decimal("31.7")


def test_a_value_stored_where_the_preview_saw_none_refuses_the_commit(
    postgresql, demo, mi_user, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Measurement.objects.create(
        indicator=Indicator.objects.get(code="APP17"),
        unit=ReportingUnit.objects.get(name="Sevenoaks"),
        period_kind="M",
        period_start=date(2024, 10, 1),
        value=Decimal("45.0"),
        status="",
    )
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.STALE
    assert Measurement.objects.get(unit__name="Sevenoaks", period_start=date(2024, 10, 1)).value == Decimal("45.0")


def test_a_value_changed_while_the_commit_writes_fails_it_and_writes_nothing(
    postgresql, demo, mi_user, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    before = measurements_snapshot()
    write = staging.write

    def after_a_change(**kwargs: Any) -> tuple[int, int]:
        # A writer that takes no month lock, between the comparison and the write.
        Measurement.objects.filter(pk=dover(4).pk).update(value=Decimal("40.0"))
        return write(**kwargs)

    monkeypatch.setattr(staging, "write", after_a_change)
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.FAILED
    assert "changed by someone else while it was being written" in upload.errors[0]["message"]
    assert measurements_snapshot() == before  # the new values, the revisions (and that change) rolled back


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored-value comparisons (carried_fingerprint) the commit made, by their outcome."""
    made: list[str] = []
    fingerprint = staging.carried_fingerprint

    def counting(carried: staging.Carried) -> str:
        made.append(seen := fingerprint(carried))
        return seen

    monkeypatch.setattr(staging, "carried_fingerprint", counting)
    return made


def test_when_nothing_was_written_since_the_preview_the_commit_compares_nothing(
    postgresql, demo, mi_user, comparisons, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    assert staging.Carried.unpack(carried_of(upload)).data_version == staging.data_version() is not None
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED and comparisons == []
    assert dover(4).value == Decimal("33.3")


def test_after_any_write_the_commit_compares_the_stored_values(
    postgresql, demo, mi_user, comparisons, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Measurement.objects.filter(indicator__code="APP17", unit__name="Dover").update(footnote="Elsewhere.")
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED and comparisons == [upload.preview["seen"]]


def test_a_value_only_rewritten_since_the_preview_is_checked_again_and_committed(
    postgresql, demo, mi_user, comparisons, file_checks, django_capture_on_commit_callbacks
) -> None:
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    Measurement.objects.filter(pk=dover(5).pk).update(footnote="Checked.")  # a new row version, same value
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert len(comparisons) == 1 and comparisons[0] != upload.preview["seen"]  # not where it was
    assert file_checks == ["v.csv"]  # so compared by key, as the full check does: the value is the same
    assert upload.state == Upload.State.COMMITTED and dover(4).value == Decimal("33.3")


def test_without_the_data_version_trigger_the_commit_still_finds_a_stale_value(
    postgresql, demo, mi_user, comparisons, django_capture_on_commit_callbacks
) -> None:
    from scorecard import data_version

    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    with connection.cursor() as cursor:  # (rolled back with the test)
        cursor.execute(f"DROP TRIGGER {data_version.TRIGGER} ON {Measurement._meta.db_table}")
    Measurement.objects.filter(pk=dover(5).pk).update(value=Decimal("35.0"))  # the version does not move
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.STALE and len(comparisons) == 1


def test_the_catalogue_fingerprint_follows_what_the_checks_read(demo) -> None:
    first = Catalogue.load().definitions
    assert current_definitions() == first  # what the commit compares with what the preview's catalogue had
    dover_team = ReportingUnit.objects.get(name="Dover CSWT")
    UnitAlias.objects.create(unit=dover_team, alias="Dover Team")
    with_alias = Catalogue.load().definitions
    assert with_alias != first and current_definitions() == with_alias
    Indicator.objects.filter(code="SCS03").update(frequency="quarterly")
    assert current_definitions() not in (first, with_alias)
    ReportingUnit.objects.filter(name="Dover CSWT").update(name="Dover Team CSWT")
    assert Catalogue.load().definitions == current_definitions() not in (first, with_alias)


def test_values_found_at_other_addresses_are_never_written_there(
    postgresql, demo, mi_user, file_checks, django_capture_on_commit_callbacks
) -> None:
    """A table rewritten since the preview (VACUUM FULL, CLUSTER) moves rows without a write, so the data
    version says nothing changed: the commit must still write each value to its own row, or check again."""
    upload = previewed(mi_user, (HEADER + LONG_TEXT).encode())
    carried = staging.Carried.unpack(carried_of(upload))
    lines = [line.split("\t") for line in carried.writes.decode().splitlines()]
    ctid = 1 + staging.WRITE_COLUMNS.index("stored_ctid")  # (pos first)
    stored = [line for line in lines if line[ctid] != "\\N"]
    assert len(stored) == 2  # Dover CSWT's Apr-24 and Oct-24
    stored[0][ctid], stored[1][ctid] = stored[1][ctid], stored[0][ctid]  # each row now "lives" at the other's
    swapped = staging.Carried(
        carried.definitions,
        carried.months,
        carried.values,
        carried.seen,
        "".join("\t".join(line) + "\n" for line in lines).encode(),
        carried.data_version,
    )
    Upload.objects.filter(pk=upload.pk).update(carried=swapped.pack())
    upload = commit(upload, mi_user, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED
    assert file_checks == ["v.csv"]  # the carried write found other rows there, so the file was checked again
    assert (dover(4).value, dover(10).value) == (Decimal("33.3"), Decimal("28.9"))
