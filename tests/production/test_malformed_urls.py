"""No URL answers 500, whatever is put in its parameters or query string, for any role (issue #14 item 6).

The test walks every URL pattern the app has (django.urls.get_resolver(), recursively), fills each
parameter with malformed values (control characters, year 0, months that do not exist, huge numbers),
and adds malformed common query parameters, as an anonymous user, a member, an officer, a service
lead and the MI team (in the admin, as staff).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from scorecard.roles import MEMBERS, MI_TEAM, OFFICERS, SERVICE_LEADS

# A value that fits each parameter by name, so the other parameter's bad value is what the view sees.
GOOD = {
    "unit": "dover",
    "month": "2024-10",
    "code": "APP17",
    "pk": "1",
    "layout": "long",
    "file_format": "csv",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "app_label": "indicators",
    "url": "nothing-here",
}
BAD_TEXT = ["\x00", "x\ny", "a" * 300, "٣"]
BAD_BY_NAME = {
    "month": ["0000-01", "0000-12", "9999-12", "2024-13", "2024-00", "0001-01"],
    "pk": ["0", "99999999999999999999"],
    "object_id": ["0", "99999999999999999999", "-1"],
    "id": ["0", "99999999999999999999"],
    "content_type_id": ["99999999999999999999"],
}
CONTROL_QUERY = (
    "?"
    + "&".join(f"{name}=%00" for name in ("month", "area", "unit", "version", "format", "year", "q", "page"))
    + "&%01=1"
)
# Views read one or two of these each: a few combined query strings reach every view's parameters
# (format apart: an unknown format is refused before anything else is read).
BAD_QUERIES = [
    CONTROL_QUERY,
    "?month=0000-01&year=0000&version=99999999999999999999&page=99999999999999999999&unit=nowhere&area=nowhere",
    "?month=9999-12&year=99999&version=%D9%A3&area=dover&unit=dover",
    "?month=2024-13&year=%D9%A3%D9%A3%D9%A3%D9%A3&version=0",
    "?month=Oct-0024&version=-1",
    "?format=xlsx&area=nowhere",
    "?format=pdf",
]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern as a route string ('editions/<edition_month:month>/'), including the admin's."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route


def fill(route: str, values: dict[str, str]) -> str:
    """The route with each <parameter> (and the admin's two regex groups) replaced by its value."""
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "<app_label>", route)
    route = re.sub(r"\(\?P<url>\.\*\)", "<url>", route)
    return "/" + PARAMETER.sub(lambda m: quote(values.get(m["name"], GOOD.get(m["name"], "x")), safe=""), route)


def urls_to_try() -> list[str]:
    urls: list[str] = []
    for route in routes():
        names = [m["name"] for m in PARAMETER.finditer(route)]
        names += ["app_label"] if "(?P<app_label>" in route else []
        good = fill(route, {})
        urls.append(good)
        for name in names:
            urls += [fill(route, {name: bad}) for bad in BAD_TEXT + BAD_BY_NAME.get(name, [])]
        if route.startswith("admin/"):
            urls.append(good + CONTROL_QUERY)  # the admin reads its own parameters (q, o, p, _changelist_filters)
        else:
            urls += [good + query for query in BAD_QUERIES]
    return list(dict.fromkeys(urls))


def user_with(role: str | None) -> User | None:
    if role is None:
        return None
    user = User.objects.create_user(username=f"user-{role}", password="pw-for-tests", is_staff=role == MI_TEAM)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_the_walk_covers_every_view() -> None:
    urls = urls_to_try()
    for must in (
        "/editions/0000-01/",
        "/scorecard/dover/0000-01/",
        "/compare/0000-12/",
        "/indicators/%00/",
        "/editions/2024-10/commentary/%00/",
        "/indicators/APP17/" + CONTROL_QUERY,
        "/editions/2024-10/commentary/APP17/" + CONTROL_QUERY,
        "/admin/indicators/indicator/%00/change/",
        "/uploads/99999999999999999999/",
        "/people/0/",
    ):
        assert must in urls
    for page in ("/uploads/chasing/", "/editions/publish/", "/indicators/APP17/"):
        assert any(url.startswith(page + "?month=0000-01") for url in urls)
    assert len(urls) > 400


@pytest.mark.parametrize("role", [None, MEMBERS, OFFICERS, SERVICE_LEADS, MI_TEAM])
def test_no_malformed_url_answers_500(role: str | None, demo: None) -> None:
    client = Client(raise_request_exception=False)
    user = user_with(role)
    if user is not None:
        client.force_login(user)
    failures = []
    for url in urls_to_try():
        response = client.get(url)
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            failures.append(f"{url!r}: {response.status_code} {error[1]!r}" if error else f"{url!r}")
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/%00/",
        "/indicators/APP17/?area=%00",
        "/editions/2024-10/commentary/%00/",
        "/editions/2024-10/commentary/CYPE8/?unit=%00",
    ],
)
def test_control_characters_are_a_400(url: str, demo: None, client_for, mi_user: User) -> None:
    assert client_for(mi_user).get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/scorecard/kent/0000-01/",
        "/compare/0000-12/",
        "/editions/0000-01/",
        "/indicators/APP17/?month=0000-01",
        "/uploads/chasing/?month=0000-01",
        "/scorecard/kent/9999-12/",
        "/editions/2024-13/pack.pdf",
    ],
)
def test_impossible_months_are_a_404(url: str, demo: None, client_for, mi_user: User) -> None:
    assert client_for(mi_user).get(url).status_code == 404
