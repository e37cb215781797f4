"""Who may open the officer pages: officers and the MI team; members get 403; anonymous users log in."""

from __future__ import annotations

import pytest

PAGES = [
    "/scorecard/kent/",
    "/scorecard/dover/2024-10/",
    "/scorecard/north-kent/",
    "/scorecard/dover-cswt/",
    "/scorecard/dover-cswt/2024-10/",
    "/indicators/SCS03/?area=swale",
    "/indicators/APP17/?area=dover",
    "/compare/",
    "/compare/2024-10/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["officer", "mi_user"])
def test_officers_and_mi_team_see_the_page(url, role, demo, client_for, request):
    response = client_for(request.getfixturevalue(role)).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_members_are_refused(url, demo, member, client_for):
    assert client_for(member).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_log_in(url, demo, client):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_post_is_not_allowed(url, demo, officer, client_for):
    assert client_for(officer).post(url).status_code == 405


def test_members_cannot_download_exports_either(demo, member, client_for):
    assert client_for(member).get("/scorecard/dover/?format=csv").status_code == 403


def test_home_sends_officers_to_the_kent_scorecard(demo, officer, client_for):
    response = client_for(officer).get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/scorecard/kent/"
