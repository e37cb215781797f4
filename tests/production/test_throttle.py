"""Login throttling: N failures per username and address lock that pair out for M minutes."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from scorecard import throttle

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LIMIT = 3
MINUTES = 10


@pytest.fixture(autouse=True)
def small_limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_LOCKOUT_MINUTES = MINUTES
    settings.TRUSTED_PROXY_COUNT = 0


def fail(client: Client, username: str = "officer", address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def log_in(client: Client, username: str = "officer", address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": "pw-for-tests"}, REMOTE_ADDR=address)


def test_failures_below_the_limit_just_say_the_password_is_wrong(client: Client, officer: User) -> None:
    for _ in range(LIMIT - 1):
        response = fail(client)
        assert response.status_code == 200
        assert b"did not match" in response.content
    assert log_in(client).status_code == 302


def test_the_limit_locks_out_with_a_clear_message_even_for_the_right_password(client: Client, officer: User) -> None:
    for _ in range(LIMIT - 1):
        fail(client)
    response = fail(client)
    assert response.status_code == 429
    assert f"Too many failed attempts, try again in {MINUTES} minutes".encode() in response.content
    response = log_in(client)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_minutes(client: Client, officer: User) -> None:
    for _ in range(LIMIT):
        fail(client)
    later = time.time() + MINUTES * 60 + 1
    with mock.patch("scorecard.throttle.time.time", return_value=later):
        assert throttle.minutes_locked_out("officer", "10.0.0.1") == 0
        assert log_in(client).status_code == 302


def test_minutes_left_round_up(officer: User) -> None:
    for _ in range(LIMIT):
        throttle.record_failure("officer", "10.0.0.1")
    halfway = time.time() + (MINUTES * 60) / 2 + 5
    with mock.patch("scorecard.throttle.time.time", return_value=halfway):
        assert throttle.minutes_locked_out("officer", "10.0.0.1") == MINUTES // 2


def test_another_address_or_another_username_is_not_locked_out(client: Client, officer: User) -> None:
    for _ in range(LIMIT):
        fail(client)
    assert log_in(client, address="10.0.0.2").status_code == 302
    assert throttle.minutes_locked_out("someone-else", "10.0.0.1") == 0


def test_username_case_does_not_dodge_the_count(client: Client, officer: User) -> None:
    fail(client, "officer")
    fail(client, "OFFICER")
    assert fail(client, "Officer").status_code == 429


def test_a_successful_login_clears_the_count(client: Client, officer: User) -> None:
    for _ in range(LIMIT - 1):
        fail(client)
    assert log_in(client).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert fail(client).status_code == 200


def test_the_backend_refuses_everywhere_a_password_is_checked(officer: User) -> None:
    """The admin's login goes through authenticate() too, not through our view."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT):
        assert authenticate(request, username="officer", password="wrong") is None
    assert authenticate(request, username="officer", password="pw-for-tests") is None
    # Without a request (a management command) nothing is counted or refused.
    assert authenticate(None, username="officer", password="pw-for-tests") == officer


def test_the_admin_login_is_locked_out_too(client: Client, mi_user: User) -> None:
    mi_user.is_staff = True
    mi_user.save(update_fields=["is_staff"])
    for _ in range(LIMIT):
        fail(client, "mi")
    client.post("/admin/login/", {"username": "mi", "password": "pw-for-tests"}, REMOTE_ADDR="10.0.0.1")
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_the_forwarded_address_counts(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    # The left entry is the client's own claim; only the one our proxy appended is trusted.
    assert throttle.client_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(request) == "172.18.0.5"


def test_lockout_is_logged_once(client: Client, officer: User, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="scorecard.audit"):
        for _ in range(LIMIT + 2):
            fail(client)
    locked = [r for r in caplog.records if r.getMessage() == "login.locked_out"]
    assert len(locked) == 1
    assert locked[0].audit["user"] == "officer"
