"""Celery tasks for published editions: thin interfaces that take an id and call one function."""

from __future__ import annotations

from celery import shared_task

from .pdf import make_pack


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_pack_task(version_id: int) -> str:
    """Lay out a published version's committee pack and store it. Safe to run twice: a made pack is kept."""
    return make_pack(version_id)
