"""Shared fixtures: the demo data set and one user per role."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from scorecard.roles import MEMBERS, MI_TEAM, OFFICERS

# .ci/run sets this so a test that needs a system piece fails instead of skipping.
REQUIRE_SYSTEM_PIECES = os.environ.get("SCORECARD_REQUIRE_SYSTEM_PIECES", "").strip() not in ("", "0")


# Tests that lay out a PDF or drive Chromium take seconds each (the browser walk minutes). In one process they
# run after everything else, so the quick tests report first and a failure there is not held up behind them.
# Spread over processes (`make test` runs pytest-xdist) they go first: one process takes the long browser walk
# while the others share the rest, instead of the walk starting last and running on alone.
SLOW_MARKERS = ("browser", "pdf")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser and PDF tests last (first under xdist), keeping the order within each group (a stable sort)."""
    spread = bool(config.getoption("numprocesses", default=None))
    items.sort(key=lambda item: any(item.get_closest_marker(name) for name in SLOW_MARKERS) != spread)


def skip_or_fail(reason: str) -> None:
    """Skip with a printed reason on a machine without the piece; fail in CI, which must run it."""
    if REQUIRE_SYSTEM_PIECES:
        pytest.fail(f"required system piece missing: {reason}")
    pytest.skip(reason)


_demo_snapshot: list = []


@pytest.fixture
def demo(db: None) -> None:
    """The Kent demo data set: loaded through load_demo once a session, then restored from memory."""
    from scorecard.demo import load_demo
    from tests.demo_snapshot import capture, restore

    if _demo_snapshot:
        restore(_demo_snapshot[0])
    else:
        load_demo()
        _demo_snapshot.append(capture())


def _user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def mi_user(db: None) -> User:
    return _user("mi", MI_TEAM)


@pytest.fixture
def officer(db: None) -> User:
    return _user("officer", OFFICERS)


@pytest.fixture
def member(db: None) -> User:
    return _user("member", MEMBERS)


@pytest.fixture
def admin_client_mi(demo: None, mi_user: User, client: Client) -> Client:
    """An MI user in the Django admin (staff, as the demo's MI user is), with the demo data."""
    mi_user.is_staff = True
    mi_user.save(update_fields=["is_staff"])
    client.force_login(mi_user)
    return client


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """client_for(user) -> a Client logged in as that user."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def celery_eager_unless_worker(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Tasks run in-process by default, even when CELERY_BROKER_URL is set (.ci/run), except in
    tests marked ``worker``, which start a real worker."""
    from scorecard.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    """Tests hash many passwords: a fast hasher keeps them quick (the validators still run)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """The cache outlives a test (login throttling counts failures in it): each test starts clean."""
    from django.core.cache import cache

    cache.clear()
