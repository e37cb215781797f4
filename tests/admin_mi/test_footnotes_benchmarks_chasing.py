"""Footnotes frozen with an edition, benchmarks by date, and the 'to be supplied' list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit
from indicators.analysis.benchmarks import BenchmarkDateError, benchmark_as_at
from indicators.analysis.periods import parse_month
from indicators.chasing import to_be_supplied
from indicators.models import Benchmark, Indicator, Measurement, Status
from scorecard.assembly import build_scorecard
from scorecard.demo import CYPE8_PROVISIONAL
from scorecard.models import EditionVersion
from tests.editions.conftest import OCTOBER

NOTE = CYPE8_PROVISIONAL[2]


def test_the_demo_marks_cype8_q2_as_provisional_everywhere(demo: None) -> None:
    notes = set(Measurement.objects.exclude(footnote="").values_list("indicator__code", "footnote"))
    assert notes == {("CYPE8", NOTE)}
    card = build_scorecard(ReportingUnit.objects.authority(), OCTOBER)
    row = next(row for row in card.rows if row.indicator.code == "CYPE8")
    assert row.latest.footnote == NOTE and row.period.label == "Q2 24-25"


def test_footnotes_are_frozen_and_numbered_on_edition_pages_and_the_pack(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    version = EditionVersion.objects.of_scorecard().get()
    kent = next(unit for unit in version.units if unit["kind"] == "authority")
    cype8 = next(row for row in kent["rows"] if row["code"] == "CYPE8")
    assert cype8["latest"]["footnote"] == NOTE
    Measurement.objects.update(footnote="")  # later edits never change what was published
    client = client_for(member)
    page = client.get("/editions/2024-10/").content.decode()
    assert 'class="footnote-mark"' in page and f'<li id="fn-kent-1" value="1">{NOTE}</li>' in page
    pack = client.get("/editions/2024-10/pack/").content.decode()
    assert pack.count(NOTE) >= 2  # Kent's section and at least one district's


@pytest.mark.parametrize(("role", "status"), [("mi", 200), ("officer", 403), ("member", 403), ("lead", 403)])
def test_each_role_on_the_footnotes_page(
    demo: None, users: dict[str, User], client_for, role: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    assert client_for(users[role]).get("/uploads/footnotes/").status_code == status


def test_mi_set_and_clear_a_footnote(demo: None, mi_user: User, client_for, client: Client) -> None:  # type: ignore[no-untyped-def]
    mi = client_for(mi_user)
    form = {"indicator": "APP17", "area": "Gravesend", "period": "Oct-24", "footnote": "Revised by the service"}
    response = mi.post("/uploads/footnotes/", form, follow=True)
    assert "Footnote set" in response.content.decode() and "Revised by the service" in response.content.decode()
    assert Measurement.objects.for_period(OCTOBER).get(indicator__code="APP17", unit__name="Gravesham").footnote
    refused = mi.post("/uploads/footnotes/", form | {"period": "Q2 24-25"})
    assert refused.status_code == 400 and "is a quarter" in refused.content.decode()
    mi.post("/uploads/footnotes/", form | {"footnote": ""})
    assert not Measurement.objects.filter(footnote="Revised by the service").exists()
    assert mi.put("/uploads/footnotes/").status_code == 405
    client.logout()
    response = client.get("/uploads/footnotes/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- benchmarks by date -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "frequency", "expected"),
    [
        ("England Average as at 31st December 2023", "monthly", date(2023, 12, 31)),
        ("South East as at Jan 2024", "quarterly", date(2024, 1, 1)),
        ("Benchmark Group 2023-24", "annual", date(2023, 9, 1)),
        ("Benchmark Group 2023-24", "termly", date(2023, 9, 1)),
        ("England 2023-24", "monthly", date(2023, 4, 1)),
        ("Statistical Neighbours 2022-23 (SE Region)", "quarterly", date(2022, 4, 1)),
    ],
)
def test_a_benchmark_label_gives_its_date(label: str, frequency: str, expected: date) -> None:
    assert benchmark_as_at(label, frequency) == expected


@pytest.mark.parametrize("label", ["England", "as at 31st February 2023", "Benchmark 2023-25"])
def test_a_label_without_a_date_is_refused(label: str) -> None:
    with pytest.raises(BenchmarkDateError):
        benchmark_as_at(label, "monthly")


def test_the_scorecard_shows_the_latest_benchmark_dated_by_the_edition_month(
    demo: None,  # type: ignore[no-untyped-def]
    django_assert_num_queries,
) -> None:
    app17 = Indicator.objects.get(code="APP17")
    Benchmark.objects.create(
        indicator=app17,
        comparator="England",
        label="England Average as at 31st December 2024",
        value=Decimal("52.0"),
        as_at=date(2024, 12, 31),
        source="DfE",
    )
    kent = ReportingUnit.objects.authority()

    def england(month: str) -> str | None:
        row = next(r for r in build_scorecard(kent, parse_month(month)).rows if r.indicator.code == "APP17")
        return row.england.label if row.england else None

    assert england("2024-10") == "England Average as at 31st December 2023"
    assert england("2024-12") == "England Average as at 31st December 2024"
    assert england("2023-11") is None  # nothing dated by then
    with django_assert_num_queries(6):
        build_scorecard(kent, OCTOBER)


# --- the 'to be supplied' list ------------------------------------------------------------------------------


def test_the_list_names_every_missing_unit_with_its_owner(demo: None, mi_user: User) -> None:
    app17 = Indicator.objects.get(code="APP17")
    app17.lead_officer = mi_user
    app17.save(update_fields=["lead_officer"])
    Measurement.objects.for_period(OCTOBER).filter(indicator=app17, unit__name="Dover").update(
        value=None, status=Status.TO_BE_SUPPLIED
    )
    missing = to_be_supplied(OCTOBER)
    app17_rows = {(m.unit.name, m.why, m.owner) for m in missing if m.indicator.code == "APP17"}
    assert ("Dover", "to be supplied", "mi") in app17_rows
    assert ("Sevenoaks", "no value", "mi") in app17_rows  # one of the six districts the demo does not ship
    assert not any(m.unit.name == "Kent" for m in missing if m.indicator.code == "APP17")
    assert all(m.period is not None and m.period.start <= OCTOBER.start for m in missing)


@pytest.mark.parametrize(("role", "status"), [("mi", 200), ("officer", 200), ("lead", 200), ("member", 403)])
def test_each_role_on_the_chasing_page(demo: None, users: dict[str, User], client_for, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert client_for(users[role]).get("/uploads/chasing/").status_code == status


def test_the_chasing_page_defaults_to_the_latest_month_and_exports_csv(
    demo: None,
    officer: User,
    client_for,  # type: ignore[no-untyped-def]
    client: Client,
) -> None:
    page = client_for(officer).get("/uploads/chasing/").content.decode()
    assert "as at Oct-24" in page and "Sevenoaks" in page
    response = client_for(officer).get("/uploads/chasing/?month=2024-10&format=csv")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv") and lines[0] == "indicator,name,area,period,why,lead_officer"
    assert len(lines) - 1 == len(to_be_supplied(OCTOBER))
    assert client_for(officer).get("/uploads/chasing/?month=soon").status_code == 404
    assert client_for(officer).post("/uploads/chasing/").status_code == 405
    client.logout()
    assert client.get("/uploads/chasing/")["Location"].startswith("/accounts/login/")


def test_the_chasing_page_runs_in_a_fixed_number_of_queries(
    demo: None,
    officer: User,
    client_for,  # type: ignore[no-untyped-def]
    django_assert_num_queries,
) -> None:
    client = client_for(officer)
    with CaptureQueriesContext(connection) as first:
        client.get("/uploads/chasing/?month=2024-10")
    # session, user, permissions, four for the list, and the names in the title and footer (scorecard/names.py)
    assert len(first.captured_queries) <= 9
    Indicator.objects.create(
        code="NEW1",
        name="A new one",
        section="s",
        table="t",
        polarity="H",
        data_period="MS",
        frequency="monthly",
        reported_for="district",
        unit="percent",
    )
    ReportingUnit.objects.create(name="Newtown", kind="district", slug="newtown")
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get("/uploads/chasing/?month=2024-10").content.decode()
    assert "NEW1" in page and "Newtown" in page
