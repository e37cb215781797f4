"""Every spreadsheet the app writes is formula-safe: text that starts like a formula is written as text,
numbers stay numbers (DESIGN.md, issue #14 item 5)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from districts.models import ReportingUnit
from indicators.models import Indicator, Measurement, Target
from indicators.spreadsheets import FORMULA_STARTS, csv_bytes, csv_text, looks_like_formula, xlsx_bytes

EVIL = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd", "\t=1+2"]
RISKY = ("=", "+", "-", "@")


# --- the writer itself (no database) -------------------------------------------------------------------


@pytest.mark.parametrize("text", EVIL + ["\r=1", "\n=1"])
def test_risky_text_is_text_in_csv(text: str) -> None:
    assert csv_text(text) == "'" + text
    [[cell]] = list(csv.reader(io.StringIO(csv_bytes([[text]]).decode(), newline="")))
    assert cell == "'" + text


@pytest.mark.parametrize(
    "value, written",
    [(Decimal("-0.35"), "-0.35"), (-3, "-3"), (Decimal("30.0"), "30.0"), (None, ""), ("Kent", "Kent"), ("a=b", "a=b")],
)
def test_numbers_stay_numbers_and_plain_text_is_untouched(value: object, written: str) -> None:
    assert csv_text(value) == written  # type: ignore[arg-type]


def test_risky_text_is_a_string_cell_in_xlsx_and_numbers_are_numeric() -> None:
    content = xlsx_bytes([("sheet", [[*EVIL, Decimal("-0.35"), -3, "plain", "", "end"]])])
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    cells = list(load_workbook(io.BytesIO(content)).active.iter_rows())[0]
    assert [(c.value, c.data_type) for c in cells[: len(EVIL)]] == [(text, "s") for text in EVIL]
    assert all(c.quotePrefix for c in cells[: len(EVIL)])  # Excel keeps it text when edited
    assert [(c.value, c.data_type) for c in cells[len(EVIL) : len(EVIL) + 2]] == [(-0.35, "n"), (-3, "n")]
    assert [c.value for c in cells[len(EVIL) + 2 :]] == ["plain", None, "end"]  # "" is an empty cell


def test_looks_like_formula_covers_every_start() -> None:
    assert all(looks_like_formula(start + "x") for start in FORMULA_STARTS)
    assert not looks_like_formula(-1) and not looks_like_formula("Kent")


# --- every export and template, with hostile names in the database --------------------------------------


def hostile_names() -> None:
    """Unit names, indicator names, target sources and a lead officer's name that start like formulas."""
    for name, evil in zip(["Dover", "Thanet", "Kent", "Ashford", "Swale"], EVIL, strict=True):
        ReportingUnit.objects.filter(name=name).update(name=evil)  # the slug (dover, kent) stays
    for code, evil in zip(["APP17", "CYPE8", "EY2", "SCS13", "CYPE1"], EVIL, strict=False):
        Indicator.objects.filter(code=code).update(name=evil)
    for number, target in enumerate(Target.objects.all()):
        Target.objects.filter(pk=target.pk).update(source=EVIL[number % len(EVIL)])
    officer = User.objects.create_user("lead-officer", first_name="=cmd()", last_name="")
    Indicator.objects.filter(code__in=["APP17", "CYPE8"]).update(lead_officer=officer)
    # Something to chase: Dover's latest APP17 value removed.
    latest = Measurement.objects.filter(indicator__code="APP17").order_by("-period_start").first()
    Measurement.objects.filter(indicator__code="APP17", unit__slug="dover", period_start=latest.period_start).delete()


def unsafe_xlsx_cells(content: bytes) -> list[str]:
    """Formula cells, and text cells starting like a formula that are not explicit string cells."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    bad = [name for name in archive.namelist() if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)]
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (looks_like_formula(cell.value) and cell.data_type != "s"):
                    bad.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return bad


def unsafe_csv_cells(content: bytes) -> list[str]:
    """Cells starting like a formula that are not numbers."""
    bad = []
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        for cell in row:
            if cell.startswith(RISKY + ("\t", "\r", "\n")):
                try:
                    Decimal(cell)
                except InvalidOperation:
                    bad.append(cell)
    return bad


DOWNLOADS = [
    "/scorecard/kent/?format={f}",
    "/scorecard/dover/?format={f}",
    "/scorecard/south-kent/?format={f}",
    "/compare/?format={f}",
    "/indicators/APP17/?area=dover&format={f}",
    "/uploads/template/long.{f}",
    "/uploads/template/wide.{f}",
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("url", DOWNLOADS)
def test_every_export_and_template_is_formula_safe(
    url: str, file_format: str, demo: None, mi_user: User, client: Client
) -> None:
    hostile_names()
    client.force_login(mi_user)
    response = client.get(url.format(f=file_format))
    assert response.status_code == 200, response.content[:300]
    content = response.content
    text = content.decode("utf-8-sig") if file_format == "csv" else ""
    if file_format == "csv":
        assert unsafe_csv_cells(content) == []
    else:
        assert unsafe_xlsx_cells(content) == []
        text = " ".join(
            str(c.value) for s in load_workbook(io.BytesIO(content)).worksheets for r in s.iter_rows() for c in r
        )
    assert any(evil in text for evil in EVIL), "the hostile names should be in the file (the test tests something)"


def test_the_targets_template_is_formula_safe(demo: None, mi_user: User, client: Client, monkeypatch) -> None:
    hostile_names()
    # The template offers this year's targets, set to next year: "this year" is the demo's.
    monkeypatch.setattr("indicators.importing.targets.today", lambda: date(2024, 10, 15))
    client.force_login(mi_user)
    response = client.get("/uploads/targets/template.xlsx")
    assert response.status_code == 200
    assert unsafe_xlsx_cells(response.content) == []
    cells = [c for s in load_workbook(io.BytesIO(response.content)).worksheets for r in s.iter_rows() for c in r]
    assert any(c.value in EVIL for c in cells), "the hostile sources should be in the template"
    assert any(c.data_type == "n" for c in cells)  # targets stay numbers


def test_the_chasing_list_is_formula_safe(demo: None, mi_user: User, client: Client) -> None:
    hostile_names()
    client.force_login(mi_user)
    response = client.get("/uploads/chasing/?format=csv")
    assert response.status_code == 200
    assert unsafe_csv_cells(response.content) == []
    text = response.content.decode()
    assert "'=cmd()" in text and f"'{EVIL[0]}".replace('"', '""') in text
