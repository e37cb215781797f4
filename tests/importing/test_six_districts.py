"""Acceptance: the six districts missing from the shipped data come in through the upload, in
either layout and format, and their scorecards then rate and compare exactly as the rules say."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from indicators.analysis import periods
from indicators.analysis.direction import ComparesWith, direction
from indicators.analysis.periods import parse_month
from indicators.analysis.rag import rag
from indicators.models import Indicator, Measurement, MeasurementRevision, Target, Upload

from .builders import BUILDERS, SIX_DISTRICTS, expected_values, generate_rows, six_units

pytestmark = pytest.mark.django_db


def upload_through_the_web(client, name: str, content: bytes) -> Upload:  # type: ignore[no-untyped-def]
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:2000]
    return Upload.objects.latest("pk")


def confirm(client, upload: Upload, capture) -> Upload:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"})
    assert response.status_code == 302
    upload.refresh_from_db()
    return upload


def target_spec(indicator: Indicator, year: int, unit):  # type: ignore[no-untyped-def]
    for target in Target.objects.filter(indicator=indicator, year=year):
        if target.applies_to_unit(unit):
            return target.spec()
    return None


def exported(district: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_scorecard", area=district, period="Oct-24", stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(("layout", "file_format"), sorted(BUILDERS))
def test_six_districts_upload_preview_commit_and_export(
    demo, mi_user, client_for, django_capture_on_commit_callbacks, layout: str, file_format: str
) -> None:
    rows = generate_rows()
    units = six_units()
    assert {u.name for u in units} >= {
        "Sevenoaks North & Tonbridge and Malling CSWT",
        "Swale Central CSWT",
        "Swale Island & Rural CSWT",
        "Thanet Margate CSWT",
        "Thanet Ramsgate CSWT",
    }
    client = client_for(mi_user)
    before = Measurement.objects.count()

    upload = upload_through_the_web(
        client, f"six-districts-{layout}.{file_format}", BUILDERS[(layout, file_format)](rows)
    )
    assert upload.state == Upload.State.PREVIEWED, upload.errors[:5]
    assert upload.counts["new"] == len(rows) and upload.counts["changed"] == 0 and upload.counts["unchanged"] == 0
    assert Measurement.objects.count() == before  # nothing changes before confirming

    upload = confirm(client, upload, django_capture_on_commit_callbacks)
    assert upload.state == Upload.State.COMMITTED, upload.errors
    assert Measurement.objects.count() == before + len(rows)

    values = expected_values(rows)
    as_at = parse_month("Oct-24")
    indicators = {i.code: i for i in Indicator.objects.all()}
    unit_by_name = {u.name: u for u in units}
    rated = arrows = 0
    for district in SIX_DISTRICTS:
        export = exported(district)
        assert {row["area"] for row in export} >= {district}
        for row in export:
            indicator, unit = indicators[row["indicator"]], unit_by_name[row["area"]]
            series = values[(indicator.code, unit.name)]
            period = periods.parse_period(row["period"], indicator.frequency)
            own_kind = [p for p in series if p.kind is periods.KIND_OF_FREQUENCY[indicator.frequency_enum]]
            assert period == max(p for p in own_kind if p.start <= as_at.start)
            latest = series.get(period)
            spec = target_spec(indicator, period.year_start_year, unit)
            compares = ComparesWith(indicator.dot_compares_with)
            comparison = (
                series.get(periods.previous(period))
                if compares is ComparesWith.PREVIOUS_PERIOD
                else series.get(periods.same_period_last_year(period))
                if compares is ComparesWith.SAME_PERIOD_LAST_YEAR
                else None
            )
            expected_dot = direction(
                latest, comparison, indicator.polarity, indicator.decimals, spec.target if spec else None
            )
            expected_rag = rag(latest, spec, indicator.polarity, indicator.decimals)
            assert row["dot"] == (expected_dot.value if expected_dot else ""), (district, row)
            assert row["rag"] == (expected_rag.value if expected_rag else ""), (district, row)
            rated += bool(row["rag"])
            arrows += bool(row["dot"])
    assert rated > 50 and arrows > 100  # the data really exercises the rules

    # The same file again changes nothing.
    revisions = MeasurementRevision.objects.count()
    again = upload_through_the_web(client, f"again.{file_format}", BUILDERS[(layout, file_format)](rows))
    assert again.counts["new"] == 0 and again.counts["changed"] == 0 and again.counts["unchanged"] == len(rows)
    again = confirm(client, again, django_capture_on_commit_callbacks)
    assert again.state == Upload.State.COMMITTED
    assert again.counts["committed"] == {"new": 0, "changed": 0, "unchanged": len(rows)}
    assert MeasurementRevision.objects.count() == revisions
    assert Measurement.objects.count() == before + len(rows)


def test_the_command_loads_the_same_data_and_a_second_run_changes_nothing(demo, tmp_path) -> None:
    rows = generate_rows(seed=7)
    path = tmp_path / "six.xlsx"
    path.write_bytes(BUILDERS[("wide", "xlsx")](rows))
    out = io.StringIO()
    call_command("import_measurements", str(path), stdout=out)
    assert f"{len(rows)} new, 0 changed" in out.getvalue()
    assert not Measurement.objects.filter(unit__name="Swale").exists()  # preview only

    call_command("import_measurements", str(path), "--commit", stdout=out)
    assert Measurement.objects.filter(unit__name="Swale Island & Rural CSWT").exists()
    out = io.StringIO()
    call_command("import_measurements", str(path), "--commit", stdout=out)
    assert f"0 new, 0 changed, {len(rows)} unchanged" in out.getvalue()
