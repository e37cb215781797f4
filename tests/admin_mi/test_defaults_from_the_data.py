"""Every default month or year comes from the data (the latest edition month), never the clock: the
targets grid, the targets template, the upload templates and the chasing list.

Each test sets the clock far from the demo's October 2024 (both ways) and checks the default does not
move with it; then moves the data and checks the default follows.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from python_calamine import CalamineWorkbook

from districts.models import ReportingUnit
from indicators.analysis import periods
from indicators.analysis.periods import Frequency, PeriodKind
from indicators.importing import blank_files, targets
from indicators.models import Indicator, Measurement

CLOCKS = [date(2031, 6, 15), date(2019, 1, 3)]  # long after the demo's figures, and long before


@pytest.fixture(params=CLOCKS, ids=["clock-2031", "clock-2019"])
def clock(request, monkeypatch) -> date:  # type: ignore[no-untyped-def]
    """Today, as every clock function the defaults could read says it is (the session's clock is left alone)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: request.param)
    monkeypatch.setattr(targets, "today", lambda: request.param)
    return request.param


@pytest.fixture
def mi(demo: None, mi_user: User, client_for):  # type: ignore[no-untyped-def]
    return client_for(mi_user)


def add_authority_month(year: int, month: int) -> None:
    """A monthly figure for the authority: the latest edition month becomes that month."""
    indicator = Indicator.objects.filter(frequency=Frequency.MONTHLY.value).first()
    Measurement.objects.create(
        indicator=indicator,
        unit=ReportingUnit.objects.authority(),
        period_kind=PeriodKind.MONTH.value,
        period_start=date(year, month, 1),
        value=Decimal(50),
    )


def grid_years(client) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/uploads/targets/years/").content.decode()
    header = page[page.index("<thead>") : page.index("</thead>")]
    return re.findall(r"\b(20\d\d-\d\d)\b", header)


def csv_rows(client, layout: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/uploads/template/{layout}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_targets_grid_opens_on_the_years_around_the_latest_figures(mi, clock):
    assert grid_years(mi) == ["2023-24", "2024-25", "2025-26"]  # the demo's figures end in October 2024
    add_authority_month(2026, 5)
    assert grid_years(mi) == ["2025-26", "2026-27", "2027-28"]


def test_the_upload_templates_are_for_the_month_after_the_latest_edition_month(mi, clock):
    long = csv_rows(mi, "long")
    monthly = {row[0] for row in long[1:] if row[2] == "Nov-24"}
    assert monthly == set(Indicator.objects.filter(frequency="monthly").values_list("code", flat=True))
    wide_header = csv_rows(mi, "wide")[0]
    months = [label for label in wide_header if len(label) == 6 and label[3] == "-"]
    assert months == ["Apr-24", "May-24", "Jun-24", "Jul-24", "Aug-24", "Sep-24", "Oct-24", "Nov-24"]
    clock_label = periods.month(clock.year, clock.month).label
    assert clock_label not in wide_header and all(clock_label not in row for row in long)
    add_authority_month(2025, 2)
    assert {row[2] for row in csv_rows(mi, "long")[1:] if row[0] in monthly} == {"Mar-25"}


def test_the_xlsx_upload_template_too(mi, clock):
    response = mi.get("/uploads/template/wide.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("monthly").to_python()
    assert sheet[0][-1] == "Nov-24"


def test_the_targets_template_offers_this_years_targets_for_the_year_after_the_figures(mi, clock):
    response = mi.get("/uploads/targets/template.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("targets").to_python()
    years = {row[1] for row in rows[1:] if row[0] == "APP17"}
    assert years == {"2025-26"}  # 2024-25's targets (the figures' year), offered as 2025-26's


def test_the_chasing_list_defaults_to_the_edition_month(mi, clock):
    assert "as at Oct-24" in mi.get("/uploads/chasing/").content.decode()
    # A district's figure for a later month does not make an edition: the authority's figures do.
    indicator = Indicator.objects.filter(reported_for="district", frequency="monthly").first()
    Measurement.objects.create(
        indicator=indicator,
        unit=ReportingUnit.objects.districts().first(),
        period_kind=PeriodKind.MONTH.value,
        period_start=date(2024, 11, 1),
        value=1,
    )
    assert "as at Oct-24" in mi.get("/uploads/chasing/").content.decode()
    add_authority_month(2024, 12)
    assert "as at Dec-24" in mi.get("/uploads/chasing/").content.decode()


def test_with_no_figures_at_all_the_clock_decides(db: None, clock):
    assert blank_files.template_month() == periods.previous(periods.month(clock.year, clock.month))
    assert targets.data_today() == clock


@pytest.mark.parametrize(
    ("month", "quarters", "years"),
    [
        ((2024, 11), ["Q4 23-24", "Q1 24-25", "Q2 24-25", "Q3 24-25"], ["2021-22", "2022-23", "2023-24"]),
        ((2024, 8), ["Q3 23-24", "Q4 23-24", "Q1 24-25", "Q2 24-25"], ["2021-22", "2022-23", "2023-24"]),
        ((2024, 7), ["Q3 23-24", "Q4 23-24", "Q1 24-25", "Q2 24-25"], ["2020-21", "2021-22", "2022-23"]),
    ],
)
def test_a_templates_columns_for_a_month(month, quarters, years):
    """Quarters up to the one the month is in; academic years (September to August) over by its end."""
    as_at = periods.month(*month)
    assert [p.label for p in blank_files.latest_periods(Frequency.QUARTERLY, as_at)] == quarters
    assert [p.label for p in blank_files.latest_periods(Frequency.ANNUAL, as_at)] == years
