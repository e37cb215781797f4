"""With DEBUG off, every HTML page renders whether or not collectstatic has run (issue #14 item 6).

WhiteNoise's manifest storage raised "Missing staticfiles manifest entry" (a 500 on every page) before
collectstatic; scorecard/static_storage.py gives the plain names until there is a manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.test import Client, override_settings

PAGES = [
    "/scorecard/kent/",
    "/scorecard/dover/2024-10/",
    "/compare/",
    "/indicators/APP17/?area=dover",
    "/uploads/",
    "/uploads/new/",
    "/uploads/chasing/",
    "/uploads/targets/",
    "/editions/",
    "/editions/2024-10/",
    "/editions/2024-10/pack/",
    "/editions/2024-10/publish/",
    "/people/",
    "/admin/",
    "/scorecard/nowhere/",
]
STATUS = {"/scorecard/nowhere/": 404}


def storage(backend: str, root: Path) -> dict[str, object]:
    return {
        "DEBUG": False,
        "STATIC_ROOT": root,
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": backend},
        },
    }


@pytest.fixture
def mi_staff(mi_user: User) -> User:
    mi_user.is_staff = True
    mi_user.save(update_fields=["is_staff"])
    return mi_user


def test_every_page_renders_before_collectstatic(demo: None, mi_staff: User, tmp_path: Path) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(mi_staff)
    with override_settings(**storage("scorecard.static_storage.StaticFilesStorage", tmp_path)):
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == STATUS.get(url, 200), url
        assert '/static/css/scorecard.css"' in client.get("/scorecard/kent/").content.decode()
        assert Client().get("/accounts/login/").status_code == 200


def test_whitenoises_own_manifest_storage_is_what_failed(demo: None, mi_staff: User, tmp_path: Path) -> None:
    """The test above tests something: the storage it replaces answers 500 on the same pages."""
    client = Client(raise_request_exception=False)
    client.force_login(mi_staff)
    with override_settings(**storage("whitenoise.storage.CompressedManifestStaticFilesStorage", tmp_path)):
        assert client.get("/scorecard/kent/").status_code == 500


def test_after_collectstatic_the_names_are_hashed(demo: None, mi_staff: User, tmp_path: Path) -> None:
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "x", "paths": {"css/scorecard.css": "css/scorecard.0123456789ab.css"}})
    )
    client = Client()
    client.force_login(mi_staff)
    with override_settings(**storage("scorecard.static_storage.StaticFilesStorage", tmp_path)):
        assert "/static/css/scorecard.0123456789ab.css" in client.get("/scorecard/kent/").content.decode()


def test_check_deploy_says_when_collectstatic_has_not_run(tmp_path: Path) -> None:
    with override_settings(DEBUG=False, STATIC_COLLECTED=False, STATIC_ROOT=tmp_path):
        assert "scorecard.W001" in [message.id for message in run_checks(include_deployment_checks=True)]
    with override_settings(DEBUG=False, STATIC_COLLECTED=True):
        assert "scorecard.W001" not in [message.id for message in run_checks(include_deployment_checks=True)]
