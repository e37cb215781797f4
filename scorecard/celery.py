"""The Celery app: tasks are thin wrappers that take an id and call one function."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

app = Celery("scorecard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks outside an app's top-level tasks.py: the committee pack (scorecard/editions/tasks.py).
app.autodiscover_tasks(["scorecard.editions"])
