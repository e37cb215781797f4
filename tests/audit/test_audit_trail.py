"""The audit trail: every upload, preview, commit, approval, publication, embargo, definition, target, person and
role change is an AuditEvent (stored and logged), and /audit/ shows them to the MI team (issue #14 item 7)."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from indicators.audit_trail import AuditEvent, record
from indicators.models import Indicator, Upload
from scorecard.roles import MEMBERS, OFFICERS, SERVICE_LEADS
from tests.spreadsheets.test_formula_safe import unsafe_csv_cells, unsafe_xlsx_cells

GOOD = b"indicator,area,period,value,numerator,denominator,status\nAPP17,Sevenoaks,Oct-24,55.0,,,\n"


def person(role: str, username: str) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests")
    user.groups.add(Group.objects.get(name=role))
    return user


def actions(**filters: object) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


# --- who may see /audit/ ----------------------------------------------------------------------------------------


def test_the_mi_team_sees_the_audit_trail_and_the_menu_links_it(demo: None, mi_user: User, client_for) -> None:
    response = client_for(mi_user).get("/audit/")
    assert response.status_code == 200
    assert 'href="/audit/"' in response.content.decode()


@pytest.mark.parametrize("role", [OFFICERS, MEMBERS, SERVICE_LEADS])
def test_everyone_else_is_refused(role: str, demo: None, client: Client) -> None:
    client.force_login(person(role, "someone"))
    for url in ("/audit/", "/audit/?format=csv", "/audit/?format=xlsx"):
        assert client.get(url).status_code == 403
    assert 'href="/audit/"' not in client.get("/editions/").content.decode()


def test_anonymous_users_log_in_first(demo: None, client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_wrong_methods_are_405(demo: None, mi_user: User, client_for) -> None:
    client = client_for(mi_user)
    assert client.post("/audit/").status_code == 405
    assert client.delete("/audit/").status_code == 405


# --- the acceptance: the demo's month ---------------------------------------------------------------------------


def test_after_load_demo_the_page_lists_the_upload_commit_approval_and_publication(
    demo: None, mi_user: User, client_for
) -> None:
    demo_actions = actions()
    for action in (
        "definitions.imported",
        "upload.received",
        "upload.committed",
        "edition.approved",
        "edition.published",
    ):
        assert action in demo_actions
    # The set-up is one event (no history line per definition: it is the starting point).
    assert AuditEvent.objects.get(action="definitions.imported").counts["indicators new"] == 59
    # Each of the demo's two editions, naming its scorecard.
    published = set(AuditEvent.objects.filter(action="edition.published").values_list("object_id", flat=True))
    assert published == {"CYPE 2024-10", "QPR 2024-09"}
    assert AuditEvent.objects.get(action="upload.committed").counts["new"] > 1000
    page = client_for(mi_user).get("/audit/").content.decode()
    for text in (
        "upload.received",
        "upload.committed",
        "edition.approved",
        "edition.published",
        "CYPE Oct-24 version 1",
        "QPR Sep-24 version 1",
        "measurements.csv",
    ):
        assert text in page


def test_loading_the_demo_again_records_nothing_new(demo: None) -> None:
    from scorecard.demo import load_demo

    before = AuditEvent.objects.count()
    load_demo()
    assert AuditEvent.objects.count() == before


# --- events where things happen ----------------------------------------------------------------------------------


def test_a_web_upload_leaves_received_previewed_confirmed_and_committed(
    demo: None, mi_user: User, client_for, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="scorecard.audit")
    client = client_for(mi_user)
    AuditEvent.objects.all().delete()
    client.post("/uploads/new/", {"file": SimpleUploadedFile("values.csv", GOOD)})
    upload = Upload.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):  # the commit is queued when the transaction ends
        client.post(f"/uploads/{upload.pk}/", {"action": "confirm"})
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED
    assert actions() == ["upload.received", "upload.previewed", "upload.confirmed", "upload.committed"]
    committed = AuditEvent.objects.get(action="upload.committed")
    assert (committed.user, committed.username, committed.object_type, committed.object_id, committed.object_label) == (
        mi_user,
        "mi",
        "upload",
        str(upload.pk),
        "values.csv",
    )
    assert committed.counts["committed"] == {"new": 1, "changed": 0, "unchanged": 0}
    logged = [r.audit for r in caplog.records if r.name == "scorecard.audit"]  # logged as well as stored
    assert [line["event"] for line in logged] == actions()


def test_a_failed_commit_is_recorded(demo: None, mi_user: User) -> None:
    from indicators.importing.load import commit_upload

    upload = Upload.objects.create(
        filename="broken.csv", content=b"not,a,valid\nfile", size=16, uploaded_by=mi_user, state=Upload.State.QUEUED
    )
    assert commit_upload(upload.pk) == Upload.State.FAILED
    event = AuditEvent.objects.get(action="upload.failed")
    assert event.object_id == str(upload.pk) and event.username == "mi" and event.detail


def test_import_measurements_records_the_upload_and_the_commit(demo: None, tmp_path) -> None:
    from django.core.management import call_command

    path = tmp_path / "values.csv"
    path.write_bytes(GOOD)
    AuditEvent.objects.all().delete()
    call_command("import_measurements", str(path), "--commit", stdout=io.StringIO())
    assert actions() == ["upload.received", "upload.committed"]
    assert AuditEvent.objects.get(action="upload.received").username == "command line"


def test_approval_publication_and_embargo_are_recorded(demo: None, mi_user: User, client_for) -> None:
    lead = person(SERVICE_LEADS, "lead")
    client_for(lead).post("/editions/2024-10/approve/")
    approval = AuditEvent.objects.filter(action="edition.approved").latest("pk")
    assert (approval.username, approval.object_type, approval.object_id) == ("lead", "edition", "CYPE 2024-10")
    later = timezone.localtime() + timedelta(days=2)
    response = client_for(mi_user).post(
        "/editions/2024-10/publish/", {"visible_from": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    published = AuditEvent.objects.filter(action="edition.published").latest("pk")
    assert (published.username, published.object_label, published.counts["version"]) == (
        "mi",
        "CYPE Oct-24 version 2",
        2,
    )
    assert AuditEvent.objects.filter(action="edition.embargoed", username="mi", object_id="CYPE 2024-10").exists()


def test_a_definition_change_in_the_admin_is_recorded_with_its_reason(demo: None, mi_user: User) -> None:
    from indicators.definition_history import record_change

    indicator = Indicator.objects.get(code="APP17")
    record_change(indicator, "definition", {"name": ["old", "new"]}, "Renamed by DMT", mi_user)
    event = AuditEvent.objects.get(action="definition.changed")
    assert (event.username, event.object_type, event.object_label) == ("mi", "indicator", str(indicator))
    assert "Renamed by DMT" in event.detail and "name" in event.detail


def test_a_targets_upload_is_one_event(demo: None, mi_user: User, client_for) -> None:
    client = client_for(mi_user)
    header = "indicator,year,applies_to,target,floor,band_low,band_high,floor_band_low,floor_band_high,source"
    file = SimpleUploadedFile("targets.csv", f"{header}\nAPP17,2025-26,all,62,52,,,,,DMT\n".encode())
    client.post("/uploads/targets/", {"file": file, "reason": "agreed by DMT"})
    from indicators.models import TargetUpload

    checked = TargetUpload.objects.latest("pk")
    client.post(f"/uploads/targets/{checked.pk}/", {"action": "confirm"})
    event = AuditEvent.objects.get(action="targets.uploaded")
    assert event.counts == {"changed": 1, "rows": 1} and event.detail == "agreed by DMT" and event.username == "mi"
    assert not AuditEvent.objects.filter(action="target.changed").exists()  # the upload is the event


def test_refusals_are_recorded(demo: None, member: User, client_for) -> None:
    client_for(member).get("/uploads/")
    event = AuditEvent.objects.get(action="permission.denied")
    assert event.username == "member" and "path: /uploads/" in event.detail


def test_record_never_raises_and_keeps_what_it_can() -> None:
    assert record("upload.received", object(), about=("upload", 1, "x")) is None  # no database here: logged only


# --- filters, pages, exports -------------------------------------------------------------------------------------


@pytest.fixture
def events(db: None, mi_user: User) -> None:
    now = timezone.now()
    record("upload.received", mi_user, about=("upload", 7, "october.xlsx"), counts={"bytes": 100})
    record("edition.published", None, about=("edition", "2024-10", "Oct-24 version 1"))
    old = record("user.created", "someone", about=("user", 9, "newperson"))
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=40))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["edition.published", "upload.received", "user.created"]),
        ("?action=upload.received", ["upload.received"]),
        ("?user=mi", ["upload.received"]),
        ("?user=system", ["edition.published"]),
        ("?object_type=edition", ["edition.published"]),
        ("?object=october", ["upload.received"]),
        ("?object=2024-10", ["edition.published"]),
        ("?since={old}", ["edition.published", "upload.received", "user.created"]),
        ("?since={recent}", ["edition.published", "upload.received"]),
        ("?until={recent}", ["user.created"]),
    ],
)
def test_the_filters(query: str, expected: list[str], events: None, mi_user: User, client_for) -> None:
    today = timezone.localdate()
    query = query.format(old=(today - timedelta(days=41)).isoformat(), recent=(today - timedelta(days=10)).isoformat())
    response = client_for(mi_user).get("/audit/" + query)
    assert response.status_code == 200
    assert sorted(event.action for event in response.context["page"]) == sorted(expected)


def test_an_impossible_filter_is_a_400_not_a_500(events: None, mi_user: User, client_for) -> None:
    assert client_for(mi_user).get("/audit/?since=0000-01-01").status_code == 400
    assert client_for(mi_user).get("/audit/?action=nonsense").status_code == 400
    assert client_for(mi_user).get("/audit/?format=pdf").status_code == 400


def test_the_page_is_paginated_with_a_fixed_number_of_queries(events: None, mi_user: User, client_for) -> None:
    client = client_for(mi_user)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries("/audit/")
    for number in range(120):
        record("upload.previewed", mi_user, about=("upload", number, f"file-{number}.csv"), counts={"new": number})
    assert queries("/audit/") == few
    assert queries("/audit/?page=3&action=upload.previewed") == few
    page = client.get("/audit/?page=2&action=upload.previewed")
    assert len(page.context["page"]) == 50 and "page=3" in page.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_is_filtered_and_formula_safe(file_format: str, events: None, mi_user: User, client_for) -> None:
    record(
        "upload.received",
        mi_user,
        about=("upload", 8, '=HYPERLINK("http://evil.example","x")'),
        detail="@SUM(1)",
        counts={"bytes": -1},
    )
    response = client_for(mi_user).get(f"/audit/?action=upload.received&format={file_format}")
    assert response.status_code == 200
    if file_format == "csv":
        assert unsafe_csv_cells(response.content) == []
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        assert unsafe_xlsx_cells(response.content) == []
        rows = [
            [c if c is not None else "" for c in row]
            for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]
    assert rows[0] == ["when", "user", "action", "object_type", "object_id", "object", "counts", "detail"]
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {"upload.received"}
    assert any("HYPERLINK" in str(row[5]) for row in rows[1:])


def test_footnotes_and_commentary_are_recorded(demo: None, mi_user: User, client_for) -> None:
    client = client_for(mi_user)
    client.post(
        "/uploads/footnotes/",
        {"indicator": "APP17", "area": "Gravesham", "period": "Oct-24", "footnote": "Revised by the service"},
    )
    footnote = AuditEvent.objects.get(action="footnote.changed")
    assert footnote.username == "mi" and "Gravesham Oct-24: Revised by the service" in footnote.detail
    client.post("/editions/2024-10/commentary/SCS19/", {"unit": "", "text": "Placements rose."})
    client.post("/editions/2024-10/commentary/SCS19/", {"unit": "", "text": "Placements rose."})  # unchanged
    assert actions(action="commentary.changed") == ["commentary.changed"]
    assert AuditEvent.objects.get(action="commentary.changed").object_type == "indicator"
