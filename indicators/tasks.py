"""Celery tasks: thin interfaces that take an id and call one function."""

from __future__ import annotations

from celery import shared_task

from indicators.importing.load import commit_upload, preview_upload


@shared_task(acks_late=True, reject_on_worker_lost=True)
def commit_upload_task(upload_id: int) -> str:
    """Load a confirmed upload. Safe to run twice: a second run finds it committed and exits."""
    return commit_upload(upload_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def preview_upload_task(upload_id: int) -> str:
    """Check a large received upload (its page shows each step). Changes no measurement; a second run finds it
    checked and exits."""
    return preview_upload(upload_id)
