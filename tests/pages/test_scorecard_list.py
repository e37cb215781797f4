"""/scorecards/: every scorecard, titled from its data; each one's rows as a download, as at its own months."""

from __future__ import annotations

import csv
import io

import pytest

from indicators.models import ScorecardMembership


@pytest.mark.parametrize("role", ["officer", "mi_user"])
def test_the_list_names_each_scorecard_from_its_data(role, demo, client_for, request) -> None:
    page = client_for(request.getfixturevalue(role)).get("/scorecards/").content.decode()
    assert "Children, Young People and Education Directorate Scorecard (CYPE)" in page
    assert "Quarterly Performance Report (QPR)" in page
    assert "/scorecards/QPR/kent/2024-09/?format=csv" in page  # a quarterly scorecard's latest: September
    assert 'href="/scorecard/kent/2024-10/"' in page  # the default scorecard is today's pages


def test_a_quarterly_scorecard_downloads_as_at_a_quarters_last_month(demo, officer, client_for) -> None:
    client = client_for(officer)
    response = client.get("/scorecards/QPR/kent/2024-09/?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["indicator"] for row in rows} == set(
        ScorecardMembership.objects.filter(scorecard__code="QPR").values_list("indicator__code", flat=True)
    )
    assert client.get("/scorecards/QPR/kent/2024-10/?format=csv").status_code == 404  # not one of its months
    assert client.get("/scorecards/NEET/kent/2024-09/?format=csv").status_code == 404
    assert client.get("/scorecards/QPR/kent/2024-09/").status_code == 400


def test_members_anonymous_users_and_other_methods_are_refused(demo, member, client_for, client) -> None:
    assert client.get("/scorecards/").status_code == 302
    assert client_for(member).get("/scorecards/").status_code == 403
    assert client_for(member).get("/scorecards/QPR/kent/2024-09/?format=csv").status_code == 403


def test_post_is_not_allowed(demo, officer, client_for) -> None:
    assert client_for(officer).post("/scorecards/").status_code == 405
