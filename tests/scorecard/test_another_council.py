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
from django.core.management import call_command

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
