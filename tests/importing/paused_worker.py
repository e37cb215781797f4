"""The Celery app for the test that kills a worker mid-commit: the scorecard's own, with a pause inside the
commit's writing transaction (after the values are written, before it commits), so the test can kill the
worker there. The pause lives here, not in the app's code:

    PAUSE_INSIDE_THE_WRITE_SECONDS=120 celery -A tests.importing.paused_worker worker …

PAUSE_AFTER_THE_CHECK_SECONDS pauses a preview instead, after the file is checked and before it is saved.
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery import signals

from scorecard.celery import app

__all__ = ["app"]


@signals.worker_init.connect
def pause_inside_the_write(**kwargs: Any) -> None:
    """In the worker's main process, before its pool starts: the pool's processes inherit the patch."""
    import django

    django.setup()
    from indicators.importing import load

    if seconds := float(os.environ.get("PAUSE_INSIDE_THE_WRITE_SECONDS", "0")):
        write = load._write_staged

        def write_then_pause(*args: Any, **options: Any) -> Any:
            applied = write(*args, **options)
            time.sleep(seconds)
            return applied

        load._write_staged = write_then_pause
    if check_seconds := float(os.environ.get("PAUSE_AFTER_THE_CHECK_SECONDS", "0")):
        check = load.check_upload

        def check_then_pause(*args: Any, **options: Any) -> Any:
            report = check(*args, **options)
            time.sleep(check_seconds)  # checked, not yet saved
            return report

        load.check_upload = check_then_pause
