"""Exports of the table pages: the rows shown, as CSV or XLSX, with safe cells."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator, Measurement
from scorecard.export import COLUMNS


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


def test_xlsx_download_has_a_sensible_name_and_the_export_columns(officer_client):
    response = officer_client.get("/scorecard/dover/2024-10/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="scorecard-dover-2024-10.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0] == COLUMNS
    assert {row[0] for row in rows[1:]} == {"Dover", "Dover CSWT", "Dover EHU"}


def test_the_rows_exported_are_the_rows_shown(officer_client):
    page = officer_client.get("/scorecard/dover/?rag=RED&q=SCS")
    shown = page.content.decode().count('<span class="rag rag-RED">RED</span>')
    rows = list(
        csv.DictReader(io.StringIO(officer_client.get("/scorecard/dover/?rag=RED&q=SCS&format=csv").content.decode()))
    )
    assert rows and all(row["rag"] == "RED" and "SCS" in row["indicator"] for row in rows)
    assert len(rows) <= shown  # every exported row is on the page (last year's RAG may add more REDs there)


def test_area_export_has_each_team_once(officer_client):
    response = officer_client.get("/scorecard/east-kent/?format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="scorecard-east-kent-2024-10.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    keys = [(row["area"], row["indicator"]) for row in rows]
    assert len(keys) == len(set(keys))
    assert {"Swale Central CSWT", "Swale Island & Rural CSWT", "Canterbury", "Thanet"} <= {row["area"] for row in rows}


def test_unknown_format_is_a_bad_request(officer_client):
    assert officer_client.get("/scorecard/dover/?format=pdf").status_code == 400


def test_progress_8_negative_value_is_a_numeric_cell(officer_client):
    indicator = Indicator.objects.filter(name__icontains="Progress 8").first()
    kent = Measurement.objects.filter(indicator=indicator, unit__name="Kent").order_by("-period_start").first()
    kent.value = Decimal("-0.35")
    kent.save()
    response = officer_client.get(f"/scorecard/kent/?q={indicator.code}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    value_cell = rows[0][[c.value for c in header].index("value")]
    assert value_cell.data_type == "n" and value_cell.value == -0.35


def test_a_text_cell_starting_with_equals_is_neutralised(officer_client):
    indicator = Indicator.objects.get(code="APP17")
    indicator.name = '=HYPERLINK("http://evil.example","click")'
    indicator.save()
    xlsx = officer_client.get("/scorecard/kent/?q=APP17&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[COLUMNS.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # The name exactly as given, in an explicit string cell (no visible apostrophe), never a formula.
    assert indicator.name in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    csv_text = officer_client.get("/scorecard/kent/?q=APP17&format=csv").content.decode()
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
