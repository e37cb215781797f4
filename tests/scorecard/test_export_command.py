"""export_scorecard reproduces the printed Kent scorecard, and works for any unit, even one with no data."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from scorecard.export import COLUMNS
from tests.kent import DOT_EXCEPTIONS, DOT_WORDS, RAG_EXCEPTIONS, published_rows

pytestmark = pytest.mark.django_db


def export(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_scorecard", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_kent_october_2024_matches_the_printed_scorecard(demo: None) -> None:
    exported = {row["indicator"]: row for row in export("--area", "Kent", "--period", "Oct-24")}
    published = published_rows()
    assert len(exported) == len(published) == 59
    for printed in published:
        row = exported[printed["indicator"]]
        code = printed["indicator"]
        assert row["period"] == printed["latest_period_label"], code
        # Rounded to the indicator's precision (the print drops a trailing .0 now and then: 61 for 61.0).
        assert Decimal(row["value"]) == Decimal(printed["latest_value"]), code
        if code not in DOT_EXCEPTIONS:
            assert row["dot"] == DOT_WORDS[printed["dot_published"]], code
        if code not in RAG_EXCEPTIONS:
            assert row["rag"] == printed["rag_current"], code
        if printed["rag_previous"]:
            assert row["previous_rag"] == printed["rag_previous"], code
            assert Decimal(row["previous_outturn"]) == Decimal(printed["outturn_previous"]), code


def test_columns_are_the_interface(demo: None) -> None:
    out = io.StringIO()
    call_command("export_scorecard", "--area", "Dover", "--period", "2024-10", stdout=out)
    assert out.getvalue().splitlines()[0] == ",".join(COLUMNS)


def test_a_district_shows_its_rows_and_its_teams_rows(demo: None) -> None:
    rows = export("--area", "Dover", "--period", "Oct-24")
    units = {row["area"] for row in rows}
    assert units == {"Dover", "Dover CSWT", "Dover EHU"}
    assert not any(row["indicator"] == "APP17-N" for row in rows)  # authority-only rows stay on Kent's page
    ehcp = next(row for row in rows if row["indicator"] == "APP17")
    assert (ehcp["value"], ehcp["numerator"], ehcp["denominator"]) == ("58.3", "7", "12")


def test_aliases_and_ons_codes_name_a_unit(demo: None) -> None:
    assert {row["area"] for row in export("--area", "Gravesend", "--period", "Oct-24")} >= {"Gravesham"}
    assert {row["area"] for row in export("--area", "E07000108", "--period", "Oct-24")} >= {"Dover"}


def test_a_district_with_no_data_still_exports_every_row_not_supplied(demo: None) -> None:
    rows = export("--area", "Sevenoaks", "--period", "Oct-24")
    assert rows, "Sevenoaks has a scorecard even before its data arrives"
    assert {row["status"] for row in rows} == {"not supplied"}
    assert {row["rag"] for row in rows} == {""}
    # Sevenoaks has no team of its own: the teams that straddle it report for it.
    assert {row["area"] for row in rows} == {
        "Sevenoaks",
        "Sevenoaks North & Tonbridge and Malling CSWT",
        "Sevenoaks North & Tonbridge and Malling EHU",
        "Sevenoaks South & Tunbridge Wells CSWT",
        "Sevenoaks South & Tunbridge Wells EHU",
    }


def test_xlsx_keeps_numbers_numeric(demo: None, tmp_path: Path) -> None:
    target = tmp_path / "kent.xlsx"
    call_command(
        "export_scorecard", "--area", "Kent", "--period", "Oct-24", "--format", "xlsx", "--output", str(target)
    )
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_code["APP17"]["value"] == 76.9
    assert by_code["X-ks4-p8-fsm"]["value"] == -0.82  # negative numbers stay numbers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "Atlantis", "--period", "Oct-24"], "no reporting unit called 'Atlantis'"),
        (["--area", "Kent", "--period", "Summer 23-24"], "Oct-24 or 2024-10"),  # a quarter is an edition now
        (["--area", "North Kent", "--period", "Oct-24"], "is an area"),
    ],
)
def test_bad_arguments_say_what_is_wrong(demo: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("export_scorecard", *args, stdout=io.StringIO())
