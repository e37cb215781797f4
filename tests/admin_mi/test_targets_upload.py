"""Targets in bulk: validate -> preview -> commit, refusing bad rows like the measurement upload."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from indicators.importing import targets
from indicators.models import DefinitionChange, Indicator, Target, TargetUpload

HEADER = "indicator,year,applies_to,target,floor,band_low,band_high,floor_band_low,floor_band_high,source"


def csv_file(*lines: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("targets.csv", ("\n".join([header, *lines]) + "\n").encode(), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile, reason: str = "2025-26 targets agreed by DMT") -> TargetUpload:
    response = client.post("/uploads/targets/", {"file": file, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:500]
    return TargetUpload.objects.latest("pk")


def test_next_years_targets_go_in_from_one_file_after_a_preview(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    before = Target.objects.count()
    checked = upload(
        client,
        csv_file(
            "APP17,2025-26,all,62,52,,,,,DMT March 2025",
            "SCS13,2025-26,all,20,,17.5,22.5,15,25,DMT March 2025",
            "APP17,2024-25,all,60,50,,,,,printed target; floor inferred from published RAG ratings",  # unchanged
            "SCS03,2024-25,all,21,25,,,,,revised",  # changed
        ),
    )
    assert checked.state == TargetUpload.State.PREVIEWED and checked.errors == []
    assert checked.counts | {} == {"new": 2, "changed": 1, "unchanged": 1, "rows": 4}
    assert Target.objects.count() == before  # nothing changes until confirmed
    page = client.get(f"/uploads/targets/{checked.pk}/").content.decode()
    assert "Confirm and save these targets" in page and "floor: — → 52" in page

    response = client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"}, follow=True)
    assert "3 targets added or changed" in response.content.decode()
    assert Target.objects.count() == before + 2
    app17 = Target.objects.get(indicator__code="APP17", year=2025, unit=None)
    assert (app17.target, app17.floor) == (Decimal(62), Decimal(52))
    history = DefinitionChange.objects.for_indicator(app17.indicator)
    assert [(c.what, c.changes["target"], c.reason, c.user) for c in history] == [
        ("target 2025-26", ["", "62"], "2025-26 targets agreed by DMT", mi_user)
    ]
    scs03 = DefinitionChange.objects.get(indicator__code="SCS03")
    assert scs03.changes == {
        "target": [scs03.changes["target"][0], "21"],
        "floor": [scs03.changes["floor"][0], "25"],
        "source": [scs03.changes["source"][0], "revised"],
    }
    # committed once: a second confirm is refused
    again = client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"}, follow=True)
    assert "Nothing was changed" in again.content.decode()


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("APP71,2025-26,all,60,50,,,,,", "indicator", "Unknown indicator code 'APP71'. Did you mean APP17?"),
        ("APP17,next year,all,60,50,,,,,", "year", "'next year' is not a year"),
        ("APP17,2025-27,all,60,50,,,,,", "year", "'2025-27' is not a year"),
        ("APP17,2025-26,all,60,65,,,,,", "floor", "the floor 65 is above the target 60, but higher is better"),
        ("SCS03,2025-26,all,25,20,,,,,", "floor", "the floor 20 is below the target 25, but lower is better"),
        ("SCS13,2025-26,all,20,,21,23,,,", "target", "the green band 21–23 does not contain the target 20"),
        ("APP17,2025-26,all,sixty,50,,,,,", "target", "The target 'sixty' is not a number."),
        ("APP17,2025-26,all,,50,,,,,", "target", "The target is missing."),
        ("APP17,2025-26,everyone,60,50,,,,,", "applies_to", "neither 'all' nor 'authority'"),
    ],
)
def test_a_bad_row_is_refused_by_sheet_row_and_column(
    demo: None, mi_user: User, client_for, line: str, column: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    before = list(Target.objects.values_list("pk", "target", "floor"))
    checked = upload(client, csv_file("EY2,2025-26,all,70,65,,,,,", line))
    assert checked.state == TargetUpload.State.INVALID
    assert [(e["sheet"], e["row"], e["column"]) for e in checked.errors] == [("targets.csv", 3, column)]
    assert message in checked.errors[0]["message"]
    page = client.get(f"/uploads/targets/{checked.pk}/").content.decode()
    assert "cannot be committed" in page and "Confirm" not in page
    client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"})
    assert list(Target.objects.values_list("pk", "target", "floor")) == before  # all or nothing
    assert not DefinitionChange.objects.exists()


def test_duplicate_rows_and_a_bad_header_are_refused(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    twice = upload(client, csv_file("APP17,2025-26,all,60,50,,,,,", "APP17,2025,all,61,50,,,,,"))
    assert twice.errors[0]["row"] == 3 and "given twice: also at row 2" in twice.errors[0]["message"]
    overrides = upload(
        client,
        csv_file(
            "APP17,2025-26,all,60,50,,,,,,Dover",
            "APP17,2025-26,all,60,50,,,,,,Dover",
            "APP17,2025-26,all,60,50,,,,,,North Kent",
            header=HEADER + ",unit",
        ),
    )
    messages = [e["message"] for e in overrides.errors]
    assert any("for Dover is given twice" in m for m in messages)
    assert any("North Kent is an area" in m for m in messages)
    header = upload(client, csv_file("APP17,2025-26,60", header="indicator,year,goal"))
    assert "missing column target and unknown column goal" in header.errors[0]["message"]


def test_a_unit_override_is_stored_for_that_unit(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    checked = upload(
        client,
        csv_file("APP17,2025-26,all,55,45,,,,,,Dover", "SCS03,2025-26,all,25,30,,,,,,Dover", header=HEADER + ",unit"),
    )
    assert [e["message"] for e in checked.errors] == ["SCS03 is reported for social work teams (CSWT), not for Dover."]
    checked = upload(client, csv_file("APP17,2025-26,all,55,45,,,,,,Dover", header=HEADER + ",unit"))
    assert checked.errors == []
    client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"})
    override = Target.objects.get(indicator__code="APP17", year=2025)
    assert override.unit.name == "Dover" and override.target == 55
    assert DefinitionChange.objects.get().what == "target 2025-26 for Dover"


def test_the_template_holds_this_years_targets_as_next_years_and_uploads_cleanly(  # type: ignore[no-untyped-def]
    demo: None, mi_user: User, client_for, monkeypatch
) -> None:
    monkeypatch.setattr(targets, "today", lambda: date(2025, 2, 10))
    client = client_for(mi_user)
    response = client.get("/uploads/targets/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("targets").to_python()
    assert rows[0][:10] == HEADER.split(",")
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["APP17"][1:5] == ["2025-26", "all", 60.0, 50.0]  # monthly: 2024-25's, as 2025-26
    assert by_code["SCS13"][5:7] == [17.5, 22.5]
    checked = upload(client, SimpleUploadedFile("targets.xlsx", response.content))
    assert checked.errors == [] and checked.counts["new"] == len(rows) - 1


def test_the_pipeline_reports_an_unreadable_file(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    checked = upload(client_for(mi_user), SimpleUploadedFile("targets.xlsx", b"not a workbook"))
    assert checked.state == TargetUpload.State.INVALID and "not a readable .xlsx" in checked.errors[0]["message"]


@pytest.mark.parametrize("warn_on", [date(2025, 1, 5), date(2025, 3, 31)])
def test_missing_targets_for_the_coming_financial_year_are_warned_about(
    demo: None,
    mi_user: User,
    client_for,  # type: ignore[no-untyped-def]
    monkeypatch,
    warn_on: date,
) -> None:
    monkeypatch.setattr(targets, "today", lambda: warn_on)
    client = client_for(mi_user)
    for url in ("/uploads/", "/uploads/targets/", "/uploads/targets/years/"):
        page = client.get(url).content.decode()
        assert "with no target for the coming year" in page and "APP17" in page


def test_no_warning_long_before_the_year_starts_and_academic_years_warn_from_june(demo: None) -> None:
    assert targets.coming_year_warnings(date(2024, 11, 1)) == []
    june = targets.coming_year_warnings(date(2025, 6, 15))
    assert june and {indicator.frequency for indicator, _ in june} <= {"termly", "annual"}
    assert {year for _, year in june} == {2025}


def test_the_year_grid_marks_missing_targets(
    demo: None, mi_user: User, client_for, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    with django_assert_max_num_queries(12):
        page = client.get("/uploads/targets/years/?year=2023").content.decode()
    assert "2023-24" in page and "2025-26" in page and 'class="missing-target"' in page
    Indicator.objects.create(
        code="NEW1",
        name="A new one",
        section="s",
        table="t",
        polarity="H",
        data_period="MS",
        frequency="monthly",
        reported_for="authority",
        unit="percent",
    )
    with django_assert_max_num_queries(12):
        assert "NEW1" in client.get("/uploads/targets/years/?year=2023").content.decode()
    assert client.get("/uploads/targets/years/?year=twenty").status_code == 404


PAGES = ["/uploads/targets/", "/uploads/targets/template.xlsx", "/uploads/targets/years/"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(("role", "status"), [("mi", 200), ("officer", 403), ("member", 403), ("lead", 403)])
def test_each_role_on_the_target_pages(
    demo: None,
    users: dict[str, User],
    client_for,
    url: str,
    role: str,  # type: ignore[no-untyped-def]
    status: int,
) -> None:
    assert client_for(users[role]).get(url).status_code == status


@pytest.mark.parametrize("url", [*PAGES, "/uploads/targets/1/"])
def test_anonymous_users_are_sent_to_log_in(db: None, client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_wrong_methods_are_refused(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    checked = upload(client, csv_file("APP17,2025-26,all,60,50,,,,,"))
    assert client.get(f"/uploads/targets/{checked.pk}/").status_code == 200
    for url in [*PAGES, f"/uploads/targets/{checked.pk}/"]:
        assert client.put(url).status_code == 405
    assert client.post("/uploads/targets/template.xlsx").status_code == 405
    assert client.post("/uploads/targets/years/").status_code == 405


def test_officers_cannot_see_or_confirm_a_target_upload(demo: None, mi_user: User, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    checked = upload(client_for(mi_user), csv_file("APP17,2025-26,all,60,50,,,,,"))
    client = client_for(officer)
    assert client.get(f"/uploads/targets/{checked.pk}/").status_code == 403
    assert client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"}).status_code == 403
    assert not Target.objects.filter(year=2025).exists()


def test_a_file_without_a_reason_is_not_accepted(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(mi_user).post(
        "/uploads/targets/", {"file": csv_file("APP17,2025-26,all,60,50,,,,,"), "reason": ""}
    )
    assert response.status_code == 400 and not TargetUpload.objects.exists()
