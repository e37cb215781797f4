"""Every page but the health check and the login page asks an anonymous visitor to log in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db
OPEN_PAGES = {"healthz", "login"}
SAMPLE_ARGUMENTS = {
    "unit": "dover",
    "month": "2024-10",
    "code": "APP17",
    "pk": 1,
    "layout": "long",
    "file_format": "csv",
    "scorecard_code": "QPR",
}


def named_patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = "", outer: tuple[str, ...] = ()
) -> Iterator[tuple[str, list[str]]]:
    """Each named page with its parameters, an include's own (/scorecards/<scorecard_code>/editions/…) too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin has its own login, tested in test_admin.py
            inner = (*outer, *pattern.pattern.regex.groupindex)
            yield from named_patterns(pattern.url_patterns, pattern.namespace or namespace, inner)
        elif pattern.name:
            yield pattern.name, [*outer, *pattern.pattern.regex.groupindex]


def test_every_page_but_the_open_ones_needs_a_login(demo: None, client: Client) -> None:
    checked = 0
    for name, parameters in named_patterns(get_resolver().url_patterns):
        url = reverse(name, kwargs={parameter: SAMPLE_ARGUMENTS[parameter] for parameter in parameters})
        response = client.get(url)
        if name in OPEN_PAGES:
            assert response.status_code == 200, url
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
        checked += 1
    assert checked >= 30  # the walk really found the pages
