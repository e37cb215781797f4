"""docker-compose.yml: no Docker engine here, so the file is read and every piece is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_text(service: dict[str, Any]) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_the_four_services_are_there(compose: dict[str, Any]) -> None:
    assert {"postgres", "redis", "web", "worker"} <= set(compose["services"])


def test_postgres_is_15_or_newer_with_a_data_volume_and_pg_isready(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    image, tag = postgres["image"].split(":")
    assert image == "postgres" and int(tag.split("-")[0]) >= 15
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert "pg_isready" in healthcheck_text(postgres)


def test_redis_is_7_with_a_data_volume_and_ping(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].split(":")[1].split("-")[0] == "7"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert "redis-cli ping" in healthcheck_text(redis)


def test_web_runs_gunicorn_and_checks_healthz(compose: dict[str, Any]) -> None:
    web = compose["services"]["web"]
    assert "gunicorn scorecard.wsgi:application" in command_text(web)
    assert "/healthz" in healthcheck_text(web)
    assert web["build"] == "."


def test_worker_runs_celery_and_pings_itself(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert command_text(worker).startswith("celery -A scorecard worker")
    assert "celery -A scorecard inspect ping" in healthcheck_text(worker)


@pytest.mark.parametrize("name", ["web", "worker"])
def test_app_services_share_the_media_volume_and_wait_for_their_services(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert "media:/app/media" in service["volumes"]
    assert service["environment"]["MEDIA_ROOT"] == "/app/media"
    assert service["environment"]["DEBUG"] == "false"
    assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert service["environment"]["DATABASE_URL"].startswith("postgres://")
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_before_the_app(compose: dict[str, Any]) -> None:
    assert command_text(compose["services"]["migrate"]) == "python manage.py migrate --no-input"


def test_every_service_but_the_one_shot_migration_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name


def test_named_volumes_are_declared_and_used(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    assert {"postgres-data", "redis-data", "media"} <= declared
    used = {volume.split(":")[0] for service in compose["services"].values() for volume in service.get("volumes", [])}
    assert used <= declared, "a service mounts a volume that is not declared"


def test_dockerfile_installs_pango_and_fonts_and_collects_static() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-"):
        assert package in dockerfile
    assert "collectstatic --no-input" in dockerfile
    # WeasyPrint comes from the hashed lock, with everything else, at the lock's versions.
    assert "pip install --require-hashes -r requirements/lock.txt" in dockerfile
    assert "\nweasyprint==" in (ROOT / "requirements" / "lock.txt").read_text()
    assert "USER scorecard" in dockerfile


def test_env_example_names_every_variable_compose_requires(compose: dict[str, Any]) -> None:
    example = (ROOT / ".env.example").read_text()
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB"} <= names
    # The example must never carry a real secret.
    values = dict(line.split("=", 1) for line in example.splitlines() if "=" in line and not line.startswith("#"))
    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == ""


# --- production loose ends (issue #14 item 8) ---------------------------------------------------------------


def test_gunicorn_has_an_explicit_timeout_in_the_dockerfile_and_compose(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.replace("\\\n", " ").splitlines() if line.startswith("CMD"))
    assert '"--timeout", "120"' in cmd
    assert "--timeout 120" in command_text(compose["services"]["web"])


def test_collectstatic_runs_in_the_image_and_in_make_run_and_the_readme_says_so() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic --no-input" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun: demo\n", 1)[1].split("\n\n", 1)[0]
    assert "collectstatic --no-input" in run_recipe.splitlines()[0]  # before runserver
    production = (ROOT / "README.md").read_text().split("## Running on the real services", 1)[1]
    assert "collectstatic --no-input" in production
