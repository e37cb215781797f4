"""Scorecards and the indicators in them, edited in the admin: every change asks a reason and is kept in the
definition history and the audit trail; exactly one scorecard stays the default."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from indicators.audit_trail import AuditEvent
from indicators.models import DefinitionChange, Indicator, Scorecard, ScorecardMembership

pytestmark = pytest.mark.django_db

REASON = "New scorecard agreed by DMT"


def scorecard_data(scorecard: Scorecard | None = None, **values: str) -> dict[str, str]:
    """The Scorecard admin's form as posted: the scorecard's fields, an empty memberships inline, and values."""
    data: dict[str, str] = {
        "code": "",
        "title": "",
        "organisation": "",
        "directorate": "",
        "cadence": "monthly",
        "trend_periods": "",
        "attribution": "",
        "direction": "",
        "reason": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    if scorecard is not None:
        data |= {
            name: "" if getattr(scorecard, name) is None else str(getattr(scorecard, name))
            for name in ("code", "title", "organisation", "directorate", "cadence", "trend_periods", "attribution")
        } | {"direction": scorecard.direction}
        if scorecard.is_default:
            data["is_default"] = "on"
    return data | values


def with_membership(data: dict[str, str], number: int, **values: Any) -> dict[str, str]:
    data = dict(data)
    data["memberships-TOTAL_FORMS"] = str(number + 1)
    for name, value in values.items():
        data[f"memberships-{number}-{name}"] = str(value)
    return data


def test_the_mi_team_adds_a_scorecard_with_an_indicator_and_both_are_kept(
    admin_client_mi: Client, mi_user: User
) -> None:
    indicator = Indicator.objects.get(code="APP17")
    data = scorecard_data(code="EY", title="Early Years scorecard", organisation="The council", cadence="quarterly")
    data = with_membership(data, 0, indicator=indicator.pk, section="Early years", table="Early years", order=1)
    refused = admin_client_mi.post("/admin/indicators/scorecard/add/", data)
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert not Scorecard.objects.filter(code="EY").exists() and not DefinitionChange.objects.exists()

    response = admin_client_mi.post("/admin/indicators/scorecard/add/", data | {"reason": REASON})
    assert response.status_code == 302, response.content.decode()[:3000]
    early_years = Scorecard.objects.get(code="EY")
    assert (early_years.cadence, early_years.is_default) == ("quarterly", False)
    assert early_years.memberships.get().indicator == indicator
    added = DefinitionChange.objects.get(what="scorecard EY")
    assert (added.scorecard, added.indicator, added.reason, added.user) == (early_years, None, REASON, mi_user)
    assert added.changes["title"] == ["", "Early Years scorecard"] and added.changes["code"] == ["", "EY"]
    joined = DefinitionChange.objects.get(what="in scorecard EY")
    assert (joined.indicator, joined.scorecard) == (indicator, early_years)
    assert joined.changes == {
        "scorecard": ["", "EY"],
        "section": ["", "Early years"],
        "table": ["", "Early years"],
        "order": ["", "1"],
    }
    events = AuditEvent.objects.filter(action="definition.changed", username="mi")
    assert {(e.object_type, e.object_label) for e in events} == {
        ("scorecard", str(early_years)),
        ("indicator", str(indicator)),
    }


def test_a_changed_scorecard_and_its_memberships_are_kept_with_the_reason(admin_client_mi: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    memberships = list(qpr.memberships.select_related("indicator")[:2])
    data = scorecard_data(qpr, title="Quarterly Performance Report 2025-26", reason="Renamed for 2025-26")
    data["memberships-TOTAL_FORMS"] = data["memberships-INITIAL_FORMS"] = str(qpr.memberships.count())
    for number, membership in enumerate(qpr.memberships.all()):
        for name in ("id", "indicator", "section", "table", "order", "from_year", "to_year"):
            value = getattr(membership, "indicator_id" if name == "indicator" else name)
            data[f"memberships-{number}-{name}"] = "" if value is None else str(value)
        data[f"memberships-{number}-scorecard"] = str(qpr.pk)
    data["memberships-0-to_year"] = "2025"  # the first leaves after 2025-26
    data["memberships-1-DELETE"] = "on"  # the second leaves now
    response = admin_client_mi.post(f"/admin/indicators/scorecard/{qpr.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    recorded = {(c.what, c.indicator_id): c for c in DefinitionChange.objects.filter(reason="Renamed for 2025-26")}
    assert recorded[("scorecard QPR", None)].changes == {
        "title": ["Quarterly Performance Report", "Quarterly Performance Report 2025-26"]
    }
    assert recorded[("in scorecard QPR", memberships[0].indicator_id)].changes == {"to_year": ["", "2025-26"]}
    assert recorded[("in scorecard QPR", memberships[1].indicator_id)].changes == {"scorecard": ["QPR", ""]}
    assert len(recorded) == 3
    assert not ScorecardMembership.objects.filter(pk=memberships[1].pk).exists()


def test_ticking_default_moves_it_and_both_changes_are_kept(admin_client_mi: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    response = admin_client_mi.post(
        f"/admin/indicators/scorecard/{qpr.pk}/change/",
        scorecard_data(qpr, is_default="on", reason="The QPR leads from now on"),
        follow=True,
    )
    assert response.status_code == 200
    assert "no longer the default scorecard" in response.content.decode()
    assert list(Scorecard.objects.filter(is_default=True).values_list("code", flat=True)) == ["QPR"]
    recorded = {c.what: c.changes for c in DefinitionChange.objects.filter(reason="The QPR leads from now on")}
    assert recorded == {"scorecard CYPE": {"is_default": ["yes", "no"]}, "scorecard QPR": {"is_default": ["no", "yes"]}}


def test_a_new_scorecard_ticked_default_takes_over_without_an_error(admin_client_mi: Client) -> None:
    data = scorecard_data(code="NEW", title="New", organisation="The council", is_default="on", reason="Launch")
    assert admin_client_mi.post("/admin/indicators/scorecard/add/", data).status_code == 302
    assert list(Scorecard.objects.filter(is_default=True).values_list("code", flat=True)) == ["NEW"]


def test_unticking_the_default_is_refused_with_a_clear_error(admin_client_mi: Client) -> None:
    default = Scorecard.objects.get(is_default=True)
    data = scorecard_data(default, reason="No default")
    del data["is_default"]
    response = admin_client_mi.post(f"/admin/indicators/scorecard/{default.pk}/change/", data)
    assert response.status_code == 200
    assert "Exactly one scorecard is the default" in response.content.decode()
    default.refresh_from_db()
    assert default.is_default and not DefinitionChange.objects.exists()


def test_a_scorecard_cannot_be_deleted_in_the_admin(admin_client_mi: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    response = admin_client_mi.post(f"/admin/indicators/scorecard/{qpr.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Scorecard.objects.filter(pk=qpr.pk).exists()


def membership_data(membership: ScorecardMembership, **values: str) -> dict[str, str]:
    data = {
        name: "" if getattr(membership, name) is None else str(getattr(membership, name))
        for name in ("section", "table", "order", "from_year", "to_year")
    }
    return data | {"reason": ""} | values


def test_the_mi_team_changes_a_membership_and_the_change_is_kept(admin_client_mi: Client, mi_user: User) -> None:
    membership = ScorecardMembership.objects.select_related("indicator", "scorecard").filter(scorecard__code="QPR")[0]
    url = f"/admin/indicators/scorecardmembership/{membership.pk}/change/"
    refused = admin_client_mi.post(url, membership_data(membership, to_year="2025"))
    assert refused.status_code == 200 and not DefinitionChange.objects.exists()
    response = admin_client_mi.post(url, membership_data(membership, to_year="2025", reason="Leaves the QPR in 2026"))
    assert response.status_code == 302, response.content.decode()[:3000]
    change = DefinitionChange.objects.get()
    assert (change.what, change.changes, change.indicator, change.scorecard, change.user) == (
        "in scorecard QPR",
        {"to_year": ["", "2025-26"]},
        membership.indicator,
        membership.scorecard,
        mi_user,
    )
    event = AuditEvent.objects.get(action="definition.changed")
    assert "Leaves the QPR in 2026" in event.detail and event.object_label == str(membership.indicator)


def test_the_mi_team_adds_a_membership(admin_client_mi: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    outside = Indicator.objects.exclude(memberships__scorecard=qpr).first()
    assert outside is not None
    data = {
        "scorecard": str(qpr.pk),
        "indicator": str(outside.pk),
        "section": "Added",
        "table": "Added",
        "order": "99",
        "from_year": "2025",
        "to_year": "",
        "reason": "Joins the QPR",
    }
    response = admin_client_mi.post("/admin/indicators/scorecardmembership/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = DefinitionChange.objects.get(reason="Joins the QPR")
    assert change.changes["scorecard"] == ["", "QPR"] and change.changes["from_year"] == ["", "2025-26"]


def test_the_membership_list_filters_by_scorecard_and_years(admin_client_mi: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    response = admin_client_mi.get(f"/admin/indicators/scorecardmembership/?scorecard__id__exact={qpr.pk}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == qpr.memberships.count()
    assert admin_client_mi.get("/admin/indicators/scorecard/?q=QPR").status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/admin/indicators/scorecard/", "/admin/indicators/scorecard/add/", "/admin/indicators/scorecardmembership/"],
)
def test_officers_cannot_reach_the_scorecard_admin(demo: None, officer: User, client_for, url: str) -> None:
    client = client_for(officer)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    posted = client.post(url, scorecard_data(code="X", title="X", organisation="X", reason="x"))
    assert posted.status_code == 302 and not Scorecard.objects.filter(code="X").exists()


def test_staff_without_the_mi_role_are_refused(demo: None, officer: User, client_for) -> None:
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client = client_for(officer)
    assert client.get("/admin/indicators/scorecard/").status_code == 403
    assert client.post("/admin/indicators/scorecard/add/", scorecard_data(code="X", reason="x")).status_code == 403
