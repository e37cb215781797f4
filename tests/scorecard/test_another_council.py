"""Acceptance (issue 13): a council the demo never saw, set up from its files alone on a fresh database.

Maidstone Borough Council rates GREEN on target, AMBER within 10 %, RED beyond; profiles its
collection targets by quarter; and prints "data only" indicators. ``tests/fixtures/maidstone-2022-24``
holds its published figures (README.md there names each source and how sure each status is).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "maidstone-2022-24"

pytestmark = pytest.mark.django_db


def expected_by_quarter() -> dict[str, dict[str, str]]:
    expected: dict[str, dict[str, str]] = defaultdict(dict)
    with open(FIXTURE / "expected.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            expected[row["quarter"]][row["indicator"]] = row["status"]
    return expected


def export(quarter: str) -> str:
    out = io.StringIO()
    call_command(
        "export_scorecard", "--scorecard", "CORP", "--area", "Maidstone Borough", "--period", quarter, stdout=out
    )
    return out.getvalue()


def test_its_exported_ratings_equal_its_printed_statuses() -> None:
    call_command("import_definitions", str(FIXTURE), "--commit", "--reason", "set-up", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())
    for quarter, statuses in expected_by_quarter().items():
        text = export(quarter)
        assert "Kent" not in text
        rows = {row["indicator"]: row for row in csv.DictReader(io.StringIO(text)) if row["period"] == quarter}
        assert {code: row["rag"] for code, row in rows.items()} == statuses, quarter
        for code, row in rows.items():
            data_only = statuses[code] == ""
            assert row["rating"] == ("none" if data_only else "tolerance")


def test_an_indicator_is_in_the_scorecard_only_in_its_years() -> None:
    call_command("import_definitions", str(FIXTURE), "--commit", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())
    codes_2022 = {row["indicator"] for row in csv.DictReader(io.StringIO(export("Q4 22-23")))}
    codes_2023 = {row["indicator"] for row in csv.DictReader(io.StringIO(export("Q2 23-24")))}
    assert "CTS-APPS" in codes_2022 and "CTS-HH" not in codes_2022
    assert "CTS-HH" in codes_2023 and "CTS-APPS" not in codes_2023


def test_a_quarterly_install_has_an_edition_at_the_end_of_each_quarter_with_figures() -> None:
    from indicators.models import Measurement

    call_command("import_definitions", str(FIXTURE), "--commit", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())
    # Q1, Q3 and Q4 of 2022-23, Q2 and Q3 of 2023-24: each as at its quarter's last month.
    assert Measurement.objects.edition_months() == [
        date(2023, 12, 1),
        date(2023, 9, 1),
        date(2023, 3, 1),
        date(2022, 12, 1),
        date(2022, 6, 1),
    ]
    assert Measurement.objects.latest_edition_month() == date(2023, 12, 1)


def test_its_quarterly_edition_is_approved_published_and_laid_out_with_its_own_names(member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    """The committee pack and every member page of another council's edition carry its names, never Kent's."""
    from scorecard.editions.pdf import make_pack
    from scorecard.models import EditionPack, EditionVersion, PackStatus
    from tests.conftest import skip_or_fail
    from tests.editions.conftest import page_texts

    call_command("import_definitions", str(FIXTURE), "--commit", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())
    with open(FIXTURE / "scorecards.csv", newline="", encoding="utf-8") as handle:
        organisation = next(row["organisation"] for row in csv.DictReader(handle) if row["code"] == "CORP")
    # Not one of a quarterly scorecard's edition months: refused, naming them.
    with pytest.raises(CommandError, match="June, September, December and March"):
        call_command("approve", "--scorecard", "CORP", "2023-11", stdout=io.StringIO())
    with pytest.raises(CommandError, match="June, September, December and March"):
        call_command("publish", "--scorecard", "CORP", "2023-11", stdout=io.StringIO())
    call_command("approve", "--scorecard", "CORP", "2023-12", stdout=io.StringIO())
    out = io.StringIO()
    call_command("publish", "--scorecard", "CORP", "2023-12", stdout=out)
    version = EditionVersion.objects.get()
    assert (version.organisation, version.edition.scorecard.code) == (organisation, "CORP")
    pack = EditionPack.objects.get(version=version)  # laid out at publication (the task runs eagerly in tests)
    if pack.status != PackStatus.READY:
        make_pack(version.pk)
        pack.refresh_from_db()
    if pack.status != PackStatus.READY:
        skip_or_fail(f"the committee pack could not be laid out: {pack.error}")
    text = " ".join(page_texts(bytes(pack.pdf)))
    assert "Kent" not in text
    assert organisation in text and "Corporate Services: Quarterly Performance Report" in text
    assert "As at December 2023" in text
    client = client_for(member)
    # It is the install's default scorecard: today's URLs and its own show it.
    pages = [
        "/editions/",
        "/editions/2023-12/",
        "/editions/2023-12/pack/",
        "/scorecards/CORP/editions/",
        "/scorecards/CORP/editions/2023-12/",
        "/scorecards/CORP/editions/2023-12/maidstone-borough/",
        "/scorecards/CORP/editions/2023-12/pack/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Kent" not in response.content.decode(), url
    pdf = client.get("/scorecards/CORP/editions/2023-12/pack.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert 'filename="maidstone-borough-council-corp-2023-12-v1.pdf"' in pdf["Content-Disposition"]
