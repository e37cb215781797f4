"""The committee pack is made once, at publication, by the worker, and stored with the version (issue #12 item 2).

The layout itself is replaced by a stand-in that names the version (the real one is read back in
test_pack_pdf.py); during requests it is replaced by one that fails the test, to prove that no
request ever lays a pack out.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from scorecard.editions import pdf
from scorecard.editions.publishing import PublishError, publish_edition
from scorecard.models import EditionPack, EditionVersion, PackStatus

from .conftest import OCTOBER, approve_now, month_measurement, revise

pytestmark = pytest.mark.django_db


def fake_layout(version: EditionVersion) -> bytes:
    return f"%PDF-1.7 pack of version {version.number} on {version.paper}".encode()


def no_layout(*args: object) -> bytes:
    raise AssertionError("the committee pack was laid out during a request")


@pytest.fixture
def layout(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker's layout, fast; returns the version numbers it laid out, in order."""
    laid_out: list[int] = []

    def layout(version: EditionVersion) -> bytes:
        laid_out.append(version.number)
        return fake_layout(version)

    monkeypatch.setattr("scorecard.editions.pdf.lay_out", layout)
    return laid_out


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The broker: records the version ids queued for the worker instead of running them."""
    ids: list[int] = []
    monkeypatch.setattr("scorecard.editions.tasks.make_pack_task.delay", ids.append)
    return ids


def publish_now(user: User | None = None, **options: object) -> EditionVersion:
    approve_now()
    return publish_edition(OCTOBER, user=user, **options).version  # type: ignore[arg-type]


def test_publishing_queues_the_pack_and_the_worker_stores_it_once(
    demo: None, layout: list[int], queued: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_now()
    assert queued == [version.pk]  # queued once the publication committed, not laid out in it
    pack = EditionPack.objects.get(version=version)
    assert pack.status == PackStatus.QUEUED and layout == []
    assert pdf.make_pack(version.pk) == PackStatus.READY  # what the worker runs
    pack.refresh_from_db()
    assert bytes(pack.pdf) == fake_layout(version) and pack.size == len(fake_layout(version))
    assert pack.sha256 == hashlib.sha256(fake_layout(version)).hexdigest()
    # Run again (a redelivered task): the stored pack is kept, not made again.
    assert pdf.make_pack(version.pk) == PackStatus.READY and layout == [2]


def test_in_eager_mode_the_pack_is_made_in_process_at_publication(
    demo: None, layout: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_now()
    assert layout == [version.number] and EditionPack.objects.get(version=version).is_ready


def test_pack_pdf_serves_the_stored_bytes_without_layout_even_after_a_revision(
    demo: None,
    member: User,
    client_for,
    layout: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_now()
    stored = EditionPack.objects.get(version=version)
    monkeypatch.setattr("scorecard.editions.pdf.lay_out", no_layout)
    monkeypatch.setattr("scorecard.editions.pdf.html_to_pdf", no_layout)
    client = client_for(member)
    first = client.get(f"/editions/2024-10/pack.pdf?version={version.number}")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content == fake_layout(version) and first["ETag"] == f'"{stored.sha256}"'
    assert hashlib.sha256(first.content).hexdigest() == stored.sha256
    revise(month_measurement("APP17", "Dartford"), Decimal("58.4"))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.get("/editions/2024-10/pack.pdf")  # the latest version: this one
    assert again.content == first.content
    stored.refresh_from_db()
    assert stored.sha256 == hashlib.sha256(first.content).hexdigest()


def test_republishing_makes_a_new_version_with_its_own_pack(
    demo: None, member: User, client_for, layout: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        second = publish_now()
    with django_capture_on_commit_callbacks(execute=True):
        third = publish_now(paper="A3")
    assert (second.number, third.number) == (2, 3) and layout == [2, 3]
    assert third.paper == "A3" and 'class="pack paper-A3"' in pdf.pack_html(third)
    client = client_for(member)
    assert client.get("/editions/2024-10/pack.pdf?version=2").content == fake_layout(second)
    assert client.get("/editions/2024-10/pack.pdf?version=3").content == fake_layout(third)
    assert EditionPack.objects.get(version=second).sha256 != EditionPack.objects.get(version=third).sha256


def test_a_paper_size_other_than_a4_or_a3_is_refused(demo: None) -> None:
    approve_now()
    with pytest.raises(PublishError, match="A4 or A3"):
        publish_edition(OCTOBER, paper="Letter")


def test_a_version_published_before_packs_were_stored_is_prepared_by_the_worker_not_the_request(
    demo: None,
    member: User,
    client_for,
    queued: list[int],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    version = EditionVersion.objects.of_scorecard().get(number=1)
    EditionPack.objects.filter(version=version).delete()  # as a version published before this change has none
    monkeypatch.setattr("scorecard.editions.pdf.lay_out", no_layout)
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/editions/2024-10/pack.pdf")
    assert response.status_code == 202 and response["Retry-After"] == "10"
    page = response.content.decode()
    assert "being prepared" in page and 'js/refresh.js" data-seconds="10"' in page
    assert queued == [version.pk]
    assert EditionPack.objects.get(version=version).status == PackStatus.QUEUED
    # Asked again while it is queued: still being prepared, not queued twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/editions/2024-10/pack.pdf").status_code == 202
    assert queued == [version.pk]


def test_a_lost_task_is_queued_again_and_a_failure_says_so(
    demo: None, member: User, client_for, queued: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    version = EditionVersion.objects.of_scorecard().get(number=1)
    EditionPack.objects.filter(version=version).delete()
    # Queued at publication, long ago, and the worker never ran it (its message was lost).
    pack = EditionPack.objects.create(
        version=version, status=PackStatus.QUEUED, queued_at=timezone.now() - pdf.STALE_AFTER - timedelta(minutes=1)
    )
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/editions/2024-10/pack.pdf").status_code == 202
    assert queued == [version.pk]
    EditionPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.FAILED, finished_at=timezone.now(), error="the layout ran out of memory"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/editions/2024-10/pack.pdf")
    assert response.status_code == 503 and b"ran out of memory" in response.content
    assert queued == [version.pk]  # not retried on every refresh
    EditionPack.objects.filter(pk=pack.pk).update(finished_at=timezone.now() - pdf.RETRY_FAILED_AFTER * 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/editions/2024-10/pack.pdf").status_code == 202
    assert queued == [version.pk, version.pk]


def test_the_publish_page_shows_each_versions_pack_progress(
    demo: None, mi_user: User, client_for, layout: list[int], queued: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    approve_now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/editions/2024-10/publish/", {"paper": "A3"}, follow=True)
    assert response.redirect_chain[-1][0] == "/editions/2024-10/publish/"
    page = response.content.decode()
    assert "Published Oct-24 as version 2" in page and "Queued for the worker" in page
    assert "js/refresh.js" in page
    version = EditionVersion.objects.of_scorecard().get(number=2)
    assert version.paper == "A3" and queued == [version.pk]
    pdf.make_pack(version.pk)
    EditionPack.objects.filter(version__number=1).update(status=PackStatus.MAKING, started_at=timezone.now())
    page = client.get("/editions/2024-10/publish/").content.decode()
    assert 'href="/editions/2024-10/pack.pdf?version=2">PDF</a> (A3' in page
    assert "Being laid out by the worker" in page and "js/refresh.js" in page
    EditionPack.objects.filter(version__number=1).update(status=PackStatus.READY)
    assert "js/refresh.js" not in client.get("/editions/2024-10/publish/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("member", 202), ("officer", 202), ("mi", 202), ("nobody", 403)])
def test_each_role_gets_the_preparing_page_or_403(
    demo: None, role: str, status: int, client_for, queued: list[int], mi_user: User, officer: User, member: User
) -> None:  # type: ignore[no-untyped-def]
    users = {
        "member": member,
        "officer": officer,
        "mi": mi_user,
        "nobody": User.objects.create_user("nobody", password="pw-for-tests"),
    }
    EditionPack.objects.all().delete()
    client = client_for(users[role])
    assert client.get("/editions/2024-10/pack.pdf").status_code == status
    assert client.post("/editions/2024-10/pack.pdf").status_code == 405


def test_the_publish_command_takes_the_paper_and_says_what_became_of_the_pack(
    demo: None, layout: list[int], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    approve_now()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish", "2024-10", "--paper", "A3", stdout=out, stderr=StringIO())
    version = EditionVersion.objects.of_scorecard().get(number=2)
    assert version.paper == "A3" and layout == [2]
    # In a test the commit is simulated after the command returns, so the command saw the pack queued.
    assert "Committee pack (A3): queued." in out.getvalue()


def test_a_broker_that_cannot_be_reached_leaves_the_version_published_and_the_pack_failed_with_the_reason(
    demo: None, member: User, client_for, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def broker_down(version_id: int) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr("scorecard.editions.tasks.make_pack_task.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_now()
    assert EditionVersion.objects.of_scorecard().filter(pk=version.pk).exists()
    pack = EditionPack.objects.get(version=version)
    assert pack.status == PackStatus.FAILED and "the worker could not be reached" in pack.error
    response = client_for(member).get("/editions/2024-10/pack.pdf")
    assert response.status_code == 503 and b"could not be reached" in response.content
