"""Health checks of the services the app depends on."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def check_database(connection: Any) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # noqa: BLE001 - a health check reports any failure, it never raises
        return f"error: {error.__class__.__name__}"


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from .celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001 - as above: reported, never raised
        return f"error: {error.__class__.__name__}"


def check_services(connection: Any) -> dict[str, str]:
    return {"database": check_database(connection), "broker": check_broker()}
