"""On the real services (PostgreSQL, Redis, a Celery worker process): publishing has the worker lay the
committee pack out and store it; the web then serves the stored bytes and never lays a pack out."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import User

from scorecard.editions.publishing import publish_edition
from scorecard.models import EditionPack, PackStatus
from tests.importing.test_worker import services, start_worker, wait_for  # noqa: F401 (fixtures)

from .conftest import OCTOBER, approve_now, poppler

pytestmark = [pytest.mark.worker, pytest.mark.pdf, pytest.mark.django_db(transaction=True)]


def no_layout(*args: object) -> bytes:
    raise AssertionError("the committee pack was laid out during a request")


def test_the_worker_lays_out_and_stores_the_pack_at_publication(
    services: None,
    demo: None,
    mi_user: User,
    member: User,
    client_for,
    start_worker,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    start_worker()
    approve_now()
    version = publish_edition(OCTOBER, user=mi_user).version  # committed: the task goes to the broker
    wait_for(
        lambda: EditionPack.objects.filter(version=version).exclude(status__in=["queued", "making"]).exists(),
        300,
        "the worker to lay out the committee pack",
    )
    stored = EditionPack.objects.get(version=version)
    assert stored.status == PackStatus.READY, stored.error
    monkeypatch.setattr("scorecard.editions.pdf.lay_out", no_layout)
    monkeypatch.setattr("scorecard.editions.pdf.html_to_pdf", no_layout)
    response = client_for(member).get(f"/editions/2024-10/pack.pdf?version={version.number}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256
    assert "Tagged:          yes" in poppler("pdfinfo", pdf=response.content)
