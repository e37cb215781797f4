"""/healthz: for load balancers and docker, without a login."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_broker(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_BROKER_URL = ""


def test_ok_with_the_database_and_no_broker_in_eager_mode(client: Client, no_broker: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_503_when_the_database_fails(client: Client, no_broker: None) -> None:
    broken = mock.MagicMock()
    broken.cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError("gone")
    with mock.patch("scorecard.views.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error: OperationalError"


def test_503_when_the_broker_is_unreachable(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/13"
    with mock.patch("scorecard.health.check_broker", return_value="error: OperationalError"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error: OperationalError"


@pytest.mark.worker
def test_broker_ok_against_the_real_redis(client: Client) -> None:
    if not settings.CELERY_BROKER_URL:
        skip_or_fail("CELERY_BROKER_URL is not set: no broker to check")
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
    assert response.status_code == 200


def test_needs_no_login_and_does_not_redirect(client: Client, no_broker: None) -> None:
    response = client.get("/healthz", follow=False)
    assert response.status_code == 200
    assert "Location" not in response


def test_post_is_405(client: Client, no_broker: None) -> None:
    assert client.post("/healthz").status_code == 405
