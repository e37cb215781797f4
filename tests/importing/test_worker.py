"""The whole path on the real services: PostgreSQL, Redis and a Celery worker process.

A worker killed in the middle of a commit leaves no partial month; the upload shows as stuck at once
and runs again from its page to completion, written exactly once. A large file is checked by the worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from indicators.importing import load
from indicators.models import Measurement, MeasurementRevision, Upload
from tests.conftest import skip_or_fail

from .builders import BUILDERS, generate_rows

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
# The killed-worker test's app: the scorecard's, with a pause inside the writing transaction.
PAUSED_APP = "tests.importing.paused_worker"


@pytest.fixture
def services() -> None:
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set: no broker for a real worker")
    if connection.vendor != "postgresql":
        skip_or_fail("a real worker needs PostgreSQL (it cannot see SQLite's in-memory test database)")
    from scorecard.celery import app

    try:
        app.control.purge()  # leftovers from an earlier run would only confuse the log
    except Exception as error:  # noqa: BLE001
        skip_or_fail(f"the broker at {settings.CELERY_BROKER_URL} does not answer: {error}")


def worker_database_url() -> str:
    """The worker must use pytest-django's test database (test_<NAME>), not the configured one."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(app: str = "scorecard", **extra_env: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            **extra_env,
        }
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                app,
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"uploads-test-{os.getpid()}-{len(started)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:  # only the workers this test started, by their process group
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    for log in sorted(tmp_path.glob("worker-*.log")):
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds}s waiting for {what}")


def state_of(upload: Upload) -> tuple[str, str]:
    upload.refresh_from_db(fields=["state", "stage"])
    return upload.state, upload.stage


def paused_inside_the_write() -> bool:
    """The worker holds a month lock and sits idle inside its open transaction (the paused app)."""
    with connection.cursor() as cursor:
        # Month locks have one key (objsubid 1); an upload's own lock has two.
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1")
        locks = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        )
        idle_in_transaction = cursor.fetchone()[0]
    return locks > 0 and idle_in_transaction > 0


def six_districts_october() -> int:
    return Measurement.objects.filter(
        unit__name__in=["Swale", "Thanet", "Sevenoaks", "Swale Central CSWT"], period_start=date(2024, 10, 1)
    ).count()


def test_a_worker_killed_mid_commit_leaves_no_partial_month_and_the_upload_runs_again_from_its_page(
    services, demo, mi_user, client_for, start_worker
) -> None:
    rows = generate_rows()
    content = BUILDERS[("long", "csv")](rows)
    upload = Upload.objects.create(filename="six.csv", content=content, size=len(content), uploaded_by=mi_user)
    load.save_preview(upload)
    assert upload.state == Upload.State.PREVIEWED, upload.errors[:3]
    before, revisions_before = Measurement.objects.count(), MeasurementRevision.objects.count()

    worker = start_worker(PAUSED_APP, PAUSE_INSIDE_THE_WRITE_SECONDS="120")
    assert load.confirm(upload.pk, mi_user)  # queued on commit (autocommit here: at once)
    wait_for(lambda: state_of(upload) == (Upload.State.RUNNING, "writing"), 60, "the worker to start writing")
    wait_for(paused_inside_the_write, 30, "the worker to pause inside its writing transaction")
    client = client_for(mi_user)
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Loading" in page and "Run again" not in page  # alive: nobody may run it twice
    assert not load.run_again(upload.pk, mi_user)

    os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, parent and child, mid-commit
    worker.wait(timeout=30)
    killed = time.monotonic()
    wait_for(lambda: not paused_inside_the_write(), 30, "PostgreSQL to roll the dead worker's transaction back")

    assert Measurement.objects.count() == before
    assert six_districts_october() == 0  # no partial month
    assert state_of(upload)[0] == Upload.State.RUNNING

    # Its lock died with the worker: the page offers to run it again at once, well within five minutes.
    wait_for(
        lambda: "Run again" in client.get(reverse("upload-detail", args=[upload.pk])).content.decode(),
        60,
        "the page to offer to run the upload again",
    )
    assert time.monotonic() - killed < 300
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Stuck" in page and "Stuck" in client.get(reverse("uploads")).content.decode()
    start_worker()
    response = client.post(reverse("upload-detail", args=[upload.pk]), {"action": "run-again"})
    assert response.status_code == 302
    wait_for(lambda: state_of(upload)[0] == Upload.State.COMMITTED, 90, "the upload to be committed")
    assert time.monotonic() - killed < 300
    assert Measurement.objects.count() == before + len(rows)
    assert six_districts_october() > 0
    upload.refresh_from_db()
    assert upload.counts["committed"]["new"] == len(rows)

    # The dead worker's task, redelivered later (after the broker's visibility timeout), writes nothing more.
    assert load.commit_upload(upload.pk) == Upload.State.COMMITTED
    assert Measurement.objects.count() == before + len(rows)
    assert MeasurementRevision.objects.count() == revisions_before
    assert "Run again" not in client.get(reverse("upload-detail", args=[upload.pk])).content.decode()


def test_a_large_file_is_checked_by_the_worker_with_progress(
    services, demo, mi_user, client_for, start_worker, settings
) -> None:
    rows = generate_rows()
    content = BUILDERS[("long", "csv")](rows)
    settings.UPLOAD_PREVIEW_IN_WORKER_ROWS = len(rows) - 1
    client = client_for(mi_user)
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile("big.csv", content)})
    upload = Upload.objects.latest("pk")  # the demo loaded its values through an upload too
    assert response.status_code == 302
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    # Nobody has checked it yet: the page says so and refreshes itself.
    assert upload.state == Upload.State.RECEIVED and "Being checked" in page and "waiting for the worker" in page
    assert "js/refresh.js" in page
    start_worker()
    wait_for(lambda: state_of(upload)[0] == Upload.State.PREVIEWED, 90, "the worker to check the file")
    upload.refresh_from_db()
    assert upload.counts["new"] == len(rows) and upload.stage == ""
    assert "Confirm and load these values" in client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}).status_code == 302
    wait_for(lambda: state_of(upload)[0] == Upload.State.COMMITTED, 90, "the upload to be committed")


def test_a_worker_killed_mid_check_leaves_an_upload_that_is_checked_again_from_its_page(
    services, demo, mi_user, client_for, start_worker, settings
) -> None:
    rows = generate_rows()
    content = BUILDERS[("long", "csv")](rows)
    settings.UPLOAD_PREVIEW_IN_WORKER_ROWS = 10  # checked by the worker
    settings.UPLOAD_STALE_SECONDS = 2  # minutes in production; the test need not wait for them
    before = Measurement.objects.count()
    client = client_for(mi_user)
    worker = start_worker(PAUSED_APP, PAUSE_AFTER_THE_CHECK_SECONDS="120")
    client.post(reverse("upload-new"), {"file": SimpleUploadedFile("big.csv", content)})
    upload = Upload.objects.latest("pk")  # the demo loaded its values through an upload too
    wait_for(
        lambda: load.being_worked_on([upload.pk]) == {upload.pk} and state_of(upload)[1].startswith("comparing"),
        60,
        "the worker to check the file",
    )
    time.sleep(settings.UPLOAD_STALE_SECONDS + 1)
    assert "Check the file" not in client.get(reverse("upload-detail", args=[upload.pk])).content.decode()  # alive

    os.killpg(worker.pid, signal.SIGKILL)  # mid-check
    worker.wait(timeout=30)
    wait_for(lambda: not load.being_worked_on([upload.pk]), 30, "PostgreSQL to end the dead worker's session")
    assert state_of(upload)[0] == Upload.State.RECEIVED
    page = client.get(reverse("upload-detail", args=[upload.pk])).content.decode()
    assert "Not checked" in page and "Check the file" in page
    start_worker()
    assert client.post(reverse("upload-detail", args=[upload.pk]), {"action": "check"}).status_code == 302
    wait_for(lambda: state_of(upload)[0] == Upload.State.PREVIEWED, 90, "the worker to check the file again")
    assert client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"}).status_code == 302
    wait_for(lambda: state_of(upload)[0] == Upload.State.COMMITTED, 90, "the upload to be committed")
    assert Measurement.objects.count() == before + len(rows)


def test_a_confirmed_upload_is_committed_by_the_worker(services, demo, mi_user, start_worker) -> None:
    content = b"indicator,area,period,value,numerator,denominator,status\nAPP17,Sevenoaks,Oct-24,55.0,,,\n"
    upload = Upload.objects.create(filename="one.csv", content=content, size=len(content), uploaded_by=mi_user)
    load.save_preview(upload)
    start_worker()
    assert load.confirm(upload.pk, mi_user)
    wait_for(lambda: state_of(upload)[0] == Upload.State.COMMITTED, 60, "the upload to be committed")
    assert Measurement.objects.filter(unit__name="Sevenoaks", indicator__code="APP17").count() == 1
