"""The upload pages: who may use them, wrong methods, fixed query counts, templates, status page."""

from __future__ import annotations

import csv
import io
import re
import socket
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from districts.models import ReportingUnit
from indicators.importing import load
from indicators.importing.preview import check_upload
from indicators.models import Indicator, Upload

pytestmark = pytest.mark.django_db

GOOD = b"indicator,area,period,value,numerator,denominator,status\nAPP17,Sevenoaks,Oct-24,55.0,,,\n"


def make_upload(user, state: str = Upload.State.PREVIEWED, **fields) -> Upload:  # type: ignore[no-untyped-def]
    return Upload.objects.create(
        filename="values.csv",
        content=GOOD,
        size=len(GOOD),
        uploaded_by=user,
        state=state,
        counts={"new": 1, "changed": 0, "unchanged": 0},
        **fields,
    )


def pages(upload: Upload) -> list[str]:
    return [
        reverse("uploads"),
        reverse("upload-new"),
        reverse("upload-detail", args=[upload.pk]),
        reverse("upload-file", args=[upload.pk]),
        reverse("upload-template", args=["long", "csv"]),
    ]


def test_the_mi_team_reaches_every_upload_page(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    client = client_for(mi_user)
    for url in pages(upload):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["officer", "member"])
def test_officers_and_members_are_refused(demo, mi_user, client_for, request, role: str) -> None:
    upload = make_upload(mi_user)
    client = client_for(request.getfixturevalue(role))
    for url in pages(upload):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", GOOD)}).status_code == 403
    assert client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}).status_code == 403
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED


def test_anonymous_users_go_to_the_login_page(demo, mi_user, client) -> None:
    for url in pages(make_upload(mi_user)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_wrong_methods_are_405(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    client = client_for(mi_user)
    assert client.post(reverse("uploads")).status_code == 405
    assert client.put(reverse("upload-new")).status_code == 405
    assert client.delete(reverse("upload-detail", args=[upload.pk])).status_code == 405
    assert client.post(reverse("upload-file", args=[upload.pk])).status_code == 405
    assert client.post(reverse("upload-template", args=["wide", "xlsx"])).status_code == 405


def test_the_history_page_runs_in_a_fixed_number_of_queries(
    demo, mi_user, client_for, django_assert_num_queries
) -> None:
    client = client_for(mi_user)
    make_upload(mi_user)
    make_upload(mi_user, state=Upload.State.RUNNING, started_at=timezone.now())
    client.get(reverse("uploads"))  # warm the session
    # session, user, the user's and the group's permissions, the count, the page of uploads, and the
    # indicators and targets for the coming year's missing-targets warning, the names in the title and footer
    # (the default scorecard, scorecard/names.py); on PostgreSQL, which uploads in progress a live process is working on
    with django_assert_num_queries(9 + (connection.vendor == "postgresql")) as first:
        response = client.get(reverse("uploads"))
    assert "values.csv" in response.content.decode()
    for state in (
        Upload.State.COMMITTED,
        Upload.State.INVALID,
        Upload.State.RUNNING,
        Upload.State.FAILED,
        Upload.State.QUEUED,
        Upload.State.RECEIVED,
    ):
        make_upload(mi_user, state=state, errors=[{"sheet": "s", "row": 2, "column": "value", "message": "bad"}])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("uploads"))
    # the ones made here, and the demo's own (load_demo loads its values through the upload)
    assert response.content.decode().count("download>download</a>") == Upload.objects.count() == 9


def test_the_status_page_runs_in_a_fixed_number_of_queries(
    demo, mi_user, client_for, django_assert_num_queries
) -> None:
    client = client_for(mi_user)
    small = make_upload(mi_user)
    client.get(reverse("upload-detail", args=[small.pk]))
    with django_assert_num_queries(6) as first:  # 5, and the names in the title and footer (scorecard/names.py)
        client.get(reverse("upload-detail", args=[small.pk]))
    many_changes = [
        {"indicator": "APP17", "area": "Dover", "period": f"p{i}", "old": "1", "new": "2"} for i in range(300)
    ]
    big = make_upload(
        mi_user,
        preview={"changes": many_changes},
        warnings=[{"sheet": "", "row": None, "column": "", "message": "check"}] * 50,
    )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("upload-detail", args=[big.pk]))
    assert response.content.decode().count("→ 2") == 300


def test_the_status_page_shows_the_stage_and_refreshes_itself_while_running(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user, state=Upload.State.RUNNING, stage="writing", started_at=timezone.now())
    with load.working_on(upload.pk):  # as the worker does while it loads
        page = client_for(mi_user).get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "js/refresh.js" in page and "writing…" in page and "Run again" not in page


def test_a_stuck_upload_is_shown_with_a_run_again_action(demo, mi_user, client_for, settings) -> None:
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    upload = make_upload(mi_user, state=Upload.State.RUNNING, stage="writing", started_at=started)
    client = client_for(mi_user)
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Stuck" in page and "Run again" in page and "js/refresh.js" not in page
    assert "Stuck" in client.get(reverse("uploads")).content.decode()


def test_an_unknown_action_is_refused(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    assert (
        client_for(mi_user).post(reverse("upload-detail", args=[upload.pk]), {"action": "explode"}).status_code == 400
    )


def test_the_uploaded_file_downloads_as_it_came(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user)
    response = client_for(mi_user).get(reverse("upload-file", args=[upload.pk]))
    assert response.content == GOOD and 'filename="values.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_templates_name_every_indicator_and_unit_and_read_back(
    demo, mi_user, client_for, layout: str, file_format: str
) -> None:
    response = client_for(mi_user).get(reverse("upload-template", args=[layout, file_format]))
    assert response.status_code == 200
    report = check_upload(f"template.{file_format}", response.content)
    if layout == "long":  # every row waits for its value
        assert report.layout == layout
        assert report.errors and all("blank" in e.message for e in report.errors)
        assert len(report.errors) == report.rows
    else:  # a wide template's empty cells give nothing
        assert [e.message for e in report.errors] == ["The file has a header but no values."]
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        codes, areas = {r[0] for r in rows[1:]}, {r[1] for r in rows[1:]}
        assert codes == set(Indicator.objects.values_list("code", flat=True))
        assert areas == set(ReportingUnit.objects.holding_values().values_list("name", flat=True))


def test_templates_take_a_fixed_number_of_queries(demo, mi_user, client_for, django_assert_num_queries) -> None:
    client = client_for(mi_user)
    url = reverse("upload-template", args=["wide", "xlsx"])
    client.get(url)
    with django_assert_num_queries(7) as first:  # session, user, permissions (2), edition month, units, indicators
        client.get(url)
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
    ReportingUnit.objects.create(name="New District", kind="district")
    with django_assert_num_queries(len(first.captured_queries)):
        assert b"NEW1" in client.get(reverse("upload-template", args=["long", "csv"])).content


def test_an_unknown_template_is_404(demo, mi_user, client_for) -> None:
    assert client_for(mi_user).get(reverse("upload-template", args=["tall", "csv"])).status_code == 404


def test_uploading_shows_the_preview_and_changes_nothing_until_confirmed(demo, mi_user, client_for) -> None:
    client = client_for(mi_user)
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", GOOD)}, follow=True)
    page = response.content.decode()
    assert "Ready to confirm" in page and "Confirm and load these values" in page
    assert not ReportingUnit.objects.get(name="Sevenoaks").measurements.exists()


# --- no dead ends: every state's way forward, through the page ---------------------------------------------


def long_ago(settings) -> object:  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(seconds=max(settings.UPLOAD_STALE_SECONDS, settings.CELERY_TASK_TIME_LIMIT) + 60)


# state, fields that put it there, the buttons its page offers, the action to take, the state it ends in
WAYS_FORWARD = [
    ("received-stale", Upload.State.RECEIVED, {"stale": True}, ["Check the file"], "check", Upload.State.PREVIEWED),
    (
        "previewed",
        Upload.State.PREVIEWED,
        {},
        ["Confirm and load these values", "Refresh the preview"],
        "confirm",
        Upload.State.COMMITTED,
    ),
    ("invalid", Upload.State.INVALID, {}, ["Check the file again"], "refresh", Upload.State.PREVIEWED),
    ("queued-stale", Upload.State.QUEUED, {"stale": True}, ["Queue it again"], "run-again", Upload.State.COMMITTED),
    ("running-stuck", Upload.State.RUNNING, {"stale": True}, ["Run again"], "run-again", Upload.State.COMMITTED),
    ("failed", Upload.State.FAILED, {}, ["Run again", "Check the file again"], "run-again", Upload.State.COMMITTED),
    ("stale", Upload.State.STALE, {}, ["Refresh the preview"], "refresh", Upload.State.PREVIEWED),
]


def upload_in(user, state: str, stale: bool, settings) -> Upload:  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {}
    if stale:
        fields = {"touched_at": long_ago(settings), "started_at": long_ago(settings)}
    upload = load.save_preview(make_upload(user, state=Upload.State.RECEIVED))  # a real preview, then the state
    Upload.objects.filter(pk=upload.pk).update(state=state, **fields)
    if stale:
        Upload.objects.filter(pk=upload.pk).update(uploaded_at=long_ago(settings))
    upload.refresh_from_db()
    return upload


def buttons(page: str) -> list[str]:
    """The upload's action buttons (not the header's log-out)."""
    return re.findall(r'name="action" value="[^"]+">\s*<button type="submit">([^<]+)</button>', page)


@pytest.mark.parametrize(
    ("name", "state", "fields", "offered", "action", "after"), WAYS_FORWARD, ids=[w[0] for w in WAYS_FORWARD]
)
def test_every_state_offers_its_way_forward_and_it_works(
    demo,
    mi_user,
    client_for,
    settings,
    django_capture_on_commit_callbacks,
    name: str,
    state: str,
    fields: dict[str, bool],
    offered: list[str],
    action: str,
    after: str,
) -> None:
    upload = upload_in(mi_user, state, fields.get("stale", False), settings)
    client = client_for(mi_user)
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert buttons(page) == offered
    assert "js/refresh.js" not in page  # nothing is in progress: the page waits for the MI team
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("upload-detail", args=[upload.pk]), {"action": action})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.state == after, upload.errors
    if after == Upload.State.COMMITTED:
        assert ReportingUnit.objects.get(name="Sevenoaks").measurements.filter(indicator__code="APP17").count() == 1


@pytest.mark.parametrize("state", [Upload.State.RECEIVED, Upload.State.QUEUED])
def test_work_in_progress_offers_nothing_yet_and_refreshes_itself(demo, mi_user, client_for, state: str) -> None:
    upload = make_upload(mi_user, state=state, touched_at=timezone.now(), stage="reading the file")
    client = client_for(mi_user)
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert buttons(page) == [] and "js/refresh.js" in page
    for action in ("check", "run-again"):  # too soon: it may still be on its way
        client.post(reverse("upload-detail", args=[upload.pk]), {"action": action})
        upload.refresh_from_db()
        assert upload.state == state


def test_a_committed_upload_says_it_is_done(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user, state=Upload.State.COMMITTED)
    page = client_for(mi_user).get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert buttons(page) == [] and "Nothing more to do" in page and "js/refresh.js" not in page


def test_an_invalid_upload_points_to_a_corrected_file(demo, mi_user, client_for) -> None:
    upload = make_upload(mi_user, state=Upload.State.INVALID)
    page = client_for(mi_user).get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Upload a corrected file" in page and reverse("upload-new") in page


def test_the_history_names_the_way_forward(demo, mi_user, client_for, settings) -> None:
    upload_in(mi_user, Upload.State.QUEUED, True, settings)
    page = client_for(mi_user).get(reverse("uploads")).content.decode()
    assert "Waiting too long" in page and "Queue it again" in page


@pytest.mark.parametrize("action", ["confirm", "run-again", "refresh", "check"])
@pytest.mark.parametrize("role", ["officer", "member"])
def test_only_the_mi_team_may_take_an_action(
    demo, mi_user, client_for, request, settings, role: str, action: str
) -> None:
    upload = upload_in(mi_user, Upload.State.RECEIVED if action == "check" else Upload.State.FAILED, True, settings)
    before = upload.state
    response = client_for(request.getfixturevalue(role)).post(
        reverse("upload-detail", args=[upload.pk]), {"action": action}
    )
    assert response.status_code == 403
    upload.refresh_from_db()
    assert upload.state == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_actions_take_post_only(demo, mi_user, client_for, method: str) -> None:
    upload = make_upload(mi_user, state=Upload.State.FAILED)
    response = getattr(client_for(mi_user), method)(reverse("upload-detail", args=[upload.pk]))
    assert response.status_code == 405
    upload.refresh_from_db()
    assert upload.state == Upload.State.FAILED


# --- a broker that cannot be reached ------------------------------------------------------------------


# Committed transactions, as in production: the task is sent when the confirming request's transaction ends.
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_leaves_the_upload_ready_to_confirm_again(
    demo, mi_user, client_for, django_capture_on_commit_callbacks
) -> None:
    from kombu.exceptions import OperationalError

    upload = upload_in(mi_user, Upload.State.PREVIEWED, False, None)
    client = client_for(mi_user)
    with mock.patch(
        "indicators.tasks.commit_upload_task.delay",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused."),
    ):
        response = client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}, follow=True)
    assert response.status_code == 200
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and "Connection refused" in upload.notice
    page = response.content.decode()
    assert "could not be sent to the worker" in page and "Confirm and load these values" in page
    with django_capture_on_commit_callbacks(execute=True):  # the broker is back
        client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"})
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMMITTED and upload.notice == ""


@pytest.fixture
def broker_refusing_connections(monkeypatch):  # type: ignore[no-untyped-def]
    """The real (not eager) Celery app, its broker a closed port on this machine."""
    from scorecard.celery import app

    with socket.socket() as probe:  # a port nobody listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refusing = f"redis://127.0.0.1:{port}/0"
    before = (
        app.conf.task_always_eager,
        app.conf.broker_url,
        app.conf.broker_write_url,
        app._pool,
        app.amqp._producer_pool,
    )
    monkeypatch.setenv("CELERY_BROKER_URL", refusing)  # Celery reads the variable before its settings
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.broker_write_url = refusing
    app._pool = app.amqp._producer_pool = None  # the connection pools are made again, for this broker
    assert app.connection_for_write().as_uri().endswith(f"127.0.0.1:{port}/0")
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url, app._pool, app.amqp._producer_pool) = (
        before
    )


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_refuses_connections_leaves_the_upload_ready_to_confirm_again(
    demo, mi_user, client_for, broker_refusing_connections
) -> None:
    pytest.importorskip("redis")
    upload = upload_in(mi_user, Upload.State.PREVIEWED, False, None)
    client = client_for(mi_user)
    started = time.monotonic()
    response = client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}, follow=True)
    assert time.monotonic() - started < 30  # the page answers; it does not wait for ever
    assert response.status_code == 200
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and "could not be sent" in upload.notice
    page = response.content.decode()
    assert "could not be sent to the worker" in page and buttons(page)[0] == "Confirm and load these values"
    assert not ReportingUnit.objects.get(name="Sevenoaks").measurements.filter(indicator__code="APP17").exists()


# --- large files are checked by the worker; whatever bytes a file holds, its errors are kept ---------------


def test_a_large_file_is_checked_by_the_worker_showing_each_step(
    demo, mi_user, client_for, settings, django_capture_on_commit_callbacks
) -> None:
    settings.UPLOAD_PREVIEW_IN_WORKER_ROWS = 1
    steps: list[str] = []
    set_stage = load.set_stage

    def record(upload_id: int, stage: str) -> None:
        steps.append(stage)
        set_stage(upload_id, stage)

    content = GOOD + b"APP17,Dover,Oct-24,56.0,,,\n"
    client = client_for(mi_user)
    with mock.patch.object(load, "set_stage", record), django_capture_on_commit_callbacks(execute=False) as sent:
        client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", content)})
    upload = Upload.objects.latest("pk")  # the demo loaded its values through an upload too
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert upload.state == Upload.State.RECEIVED and "waiting for the worker" in page
    assert "js/refresh.js" in page and len(sent) == 1
    with mock.patch.object(load, "set_stage", record):
        sent[0]()  # the worker (eager here) runs the check
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and upload.counts["values"] == 2
    assert steps[0] == "reading the file" and any(step.startswith("comparing 2 values") for step in steps)


def test_a_large_file_the_worker_cannot_be_sent_can_be_checked_again(
    demo, mi_user, client_for, settings, django_capture_on_commit_callbacks
) -> None:
    from kombu.exceptions import OperationalError

    settings.UPLOAD_PREVIEW_IN_WORKER_ROWS = 1
    client = client_for(mi_user)
    with (
        mock.patch("indicators.tasks.preview_upload_task.delay", side_effect=OperationalError("refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("upload-new"), {"file": SimpleUploadedFile("v.csv", GOOD)})
    upload = Upload.objects.latest("pk")  # the demo loaded its values through an upload too
    assert upload.state == Upload.State.RECEIVED and "could not be sent" in upload.notice
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert buttons(page) == ["Check the file"] and "js/refresh.js" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("upload-detail", args=[upload.pk]), {"action": "check"})
    upload.refresh_from_db()
    assert upload.state == Upload.State.PREVIEWED and upload.notice == ""


def test_a_nul_byte_deep_in_a_csv_is_reported_and_kept(demo, mi_user, client_for) -> None:
    """A NUL byte past the first 8 KB: refused as binary data, naming its line; the upload's file name (which
    PostgreSQL could not store with the NUL in it) is kept escaped, and the page shows the refusal."""
    rows = b"".join(b"APP17,Sevenoaks,Oct-24,55.0,,,\n" for _ in range(400))  # past the first 8 KB
    content = GOOD + rows + b"APP\x0017,Sevenoaks,Oct-24,55.0,,,\n"
    client = client_for(mi_user)
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile("nul\x00.csv", content)}, follow=True)
    assert response.status_code == 200
    upload = Upload.objects.latest("pk")  # the demo loaded its values through an upload too
    assert upload.state == Upload.State.INVALID and "\x00" not in upload.filename
    messages = [str(error["message"]) for error in upload.errors]
    assert any("NUL byte on line 403" in message for message in messages), messages
    assert "NUL byte on line 403" in response.content.decode()


def test_control_characters_in_a_cell_are_stored_escaped(demo, mi_user, client_for) -> None:
    """PostgreSQL refuses some control characters in text: the errors quoting them are stored escaped."""
    content = GOOD + b"APP17,Sevenoaks\x01,Oct-24,55.0,,,\n"
    response = client_for(mi_user).post(
        reverse("upload-new"), {"file": SimpleUploadedFile("control.csv", content)}, follow=True
    )
    assert response.status_code == 200
    upload = Upload.objects.latest("pk")
    assert upload.state == Upload.State.INVALID
    messages = [str(error["message"]) for error in upload.errors]
    assert any("Sevenoaks\\x01" in message for message in messages), messages
    assert all("\x01" not in message for message in messages)
