"""Production settings pass `check --deploy`; pages carry a strict CSP; refusals are logged."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from scorecard.audit_log import JsonFormatter, PlainFormatter, log_event

ROOT = Path(__file__).resolve().parents[2]


def run_check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "scorecard.example.org",
    "TRUST_X_FORWARDED_PROTO": "true",
    "LOG_FORMAT": "json",
}


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    # Production runs collectstatic first (the Dockerfile, `make run`): here, a static root that has its manifest.
    (tmp_path / "staticfiles.json").write_text('{"version": "1.1", "paths": {}}')
    result = run_check_deploy(**PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_when_collectstatic_has_not_run(tmp_path: Path) -> None:
    result = run_check_deploy(**PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0 and "scorecard.W001" in result.stdout + result.stderr


def test_check_deploy_fails_with_development_settings() -> None:
    """The test above can fail: the development defaults are not fit to deploy."""
    result = run_check_deploy(DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "SECRET_KEY"}, "DEBUG": "false"},
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client: Client, officer: User) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]  # plotly injects inline styles
    assert {"'self'", "data:", "blob:"} <= set(policy["img-src"])
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_a_refusal_renders_403_and_is_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    nobody = User.objects.create_user("no-role", password="pw-for-tests")
    client.force_login(nobody)
    with caplog.at_level("INFO", logger="scorecard.audit"):
        response = client.get("/")  # the home page refuses a user without a role
    assert response.status_code == 403
    assert "You can’t see this page" in response.content.decode()
    refusals = [r for r in caplog.records if r.name == "scorecard.audit" and r.getMessage() == "permission.denied"]
    assert len(refusals) == 1
    assert refusals[0].audit == {
        "event": "permission.denied",
        "user": "no-role",
        "method": "GET",
        "path": "/",
        "reason": "Your account has no role yet: ask the MI team to add you to one.",
    }


def record_of(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    return next(r for r in caplog.records if r.name == "scorecard.audit")


def test_log_event_as_json_lines(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="scorecard.audit"):
        log_event("upload.committed", "mi", upload_id=7, rows=100_000, month=None)
    line = JsonFormatter().format(record_of(caplog))
    assert "\n" not in line
    data = json.loads(line)
    assert data["logger"] == "scorecard.audit" and data["level"] == "INFO"
    assert data["event"] == data["message"] == "upload.committed"
    assert (data["user"], data["upload_id"], data["rows"], data["month"]) == ("mi", 7, 100_000, None)
    assert data["time"].endswith("+00:00")


def test_log_event_fields_cannot_overwrite_the_record(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="scorecard.audit"):
        log_event("edition.published", None, level="forged", when=object())
    data = json.loads(JsonFormatter().format(record_of(caplog)))
    assert data["level"] == "INFO" and data["user"] is None and data["when"].startswith("<object")


@pytest.mark.django_db
def test_log_event_plain_text_and_users(caplog: pytest.LogCaptureFixture, officer: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    with caplog.at_level("INFO", logger="scorecard.audit"):
        log_event("edition.published", officer, month="2024-10")
        log_event("permission.denied", AnonymousUser())
    first, second = [r for r in caplog.records if r.name == "scorecard.audit"]
    assert (
        PlainFormatter("%(message)s").format(first)
        == "edition.published event=edition.published user=officer month=2024-10"
    )
    assert second.audit["user"] == "anonymous"
