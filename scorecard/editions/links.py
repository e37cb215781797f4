"""Edition URLs within one scorecard: today's /editions/… (the default scorecard) or /scorecards/<code>/editions/…."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseRedirect
from django.urls import reverse

# The /scorecards/<code>/editions/… URL names are today's with this prefix (scorecard/editions/urls.py).
PREFIX = "definition-"


def edition_url(name: str, scorecard_code: str | None, **kwargs: Any) -> str:
    """``reverse(name)`` for today's URLs (no code), else the same page under /scorecards/<code>/editions/."""
    if scorecard_code:
        return reverse(PREFIX + name, kwargs={"scorecard_code": scorecard_code, **kwargs})
    return reverse(name, kwargs=kwargs or None)


def edition_redirect(name: str, scorecard_code: str | None, **kwargs: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(edition_url(name, scorecard_code, **kwargs))
