"""Every change import_definitions commits is in the definition history (who, when, old -> new, why) and the
commit is one audit event; importing the same files again records nothing. The MI team reads it at
/uploads/definitions/history/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.audit_trail import AuditEvent
from indicators.importing.definitions import import_path
from indicators.models import DefinitionChange

from .test_definitions import GEOGRAPHY, SCORECARDS, good_set, write

pytestmark = pytest.mark.django_db

REASON = "KPI review 2025 agreed by CMT"
CHANGED_SCORECARDS = [
    SCORECARDS[0],
    {**SCORECARDS[1], "title": "SEND monthly scorecard"},
    {**SCORECARDS[1], "code": "EY", "title": "Early years", "cadence": "quarterly"},
]
CHANGED_GEOGRAPHY = [
    GEOGRAPHY[0],
    GEOGRAPHY[1],
    {**GEOGRAPHY[2], "gss_code": "E07000998"},
    {**GEOGRAPHY[3], "covers": "Northtown;Southtown"},
    {"unit": "Southtown", "kind": "district", "area": "North", "gss_code": "", "covers": "", "service": ""},
]
CHANGED_ALIASES = [{"alias": "North Town", "unit": "Southtown"}, {"alias": "S Town", "unit": "Southtown"}]
MEMBERSHIPS = [
    {
        "scorecard": "SEND",
        "indicator": "FT1",
        "section": "SEND figures",
        "table": "",
        "order": "",
        "from_year": "",
        "to_year": "2025-26",
    },
    {
        "scorecard": "EY",
        "indicator": "CT1",
        "section": "",
        "table": "",
        "order": "",
        "from_year": "2025-26",
        "to_year": "",
    },
]


def changed_set(folder: Path) -> Path:
    good_set(folder, scorecards=CHANGED_SCORECARDS, geography=CHANGED_GEOGRAPHY, aliases=CHANGED_ALIASES)
    write(folder, "memberships", MEMBERSHIPS)
    return folder


def history() -> dict[str, dict[str, list[str]]]:
    return {change.what: change.changes for change in DefinitionChange.objects.all()}


@pytest.fixture
def set_up(tmp_path: Path, mi_user: User) -> Path:
    assert import_path(good_set(tmp_path / "first"), "first set-up", mi_user, commit=True).ok
    return tmp_path


def test_a_first_set_up_records_its_scorecards_units_and_aliases(set_up: Path) -> None:
    recorded = history()
    assert recorded["scorecard PERF"]["code"] == ["", "PERF"] and recorded["scorecard PERF"]["is_default"] == [
        "",
        "yes",
    ]
    assert recorded["unit Northtown"]["area"] == ["", "North"]
    assert recorded["unit Northtown CSWT"]["covers"] == ["", "Northtown"]
    assert recorded["alias North Town"] == {"unit": ["", "Northtown"]}
    assert {change.user.get_username() for change in DefinitionChange.objects.all()} == {"mi"}
    event = AuditEvent.objects.get(action="definitions.imported")
    assert (event.username, event.detail, event.object_type) == ("mi", "first set-up", "definitions")
    assert event.counts["scorecards new"] == 2 and event.counts["units new"] == 4
    assert not AuditEvent.objects.filter(action="definition.changed").exists()  # the import is the event


def test_each_changed_thing_is_one_entry_with_old_and_new_values_and_the_reason(set_up: Path, mi_user: User) -> None:
    first = DefinitionChange.objects.count()
    report = import_path(changed_set(set_up / "second"), REASON, mi_user, commit=True)
    assert report.ok, report.errors
    new = DefinitionChange.objects.order_by("pk")[first:]
    assert {change.reason for change in new} == {REASON}
    by_what = {change.what: change for change in new}
    assert len(by_what) == len(new)  # one entry per changed thing
    assert {what: change.changes for what, change in by_what.items()} == {
        "scorecard SEND": {"title": ["SEND scorecard", "SEND monthly scorecard"]},
        "scorecard EY": {
            "code": ["", "EY"],
            "title": ["", "Early years"],
            "organisation": ["", "Shire Borough Council"],
            "cadence": ["", "quarterly"],
            "is_default": ["", "no"],
        },
        "unit Northtown": {"gss_code": ["", "E07000998"]},
        "unit Southtown": {
            "name": ["", "Southtown"],
            "kind": ["", "district"],
            "area": ["", "North"],
            "display_order": ["", "4"],
        },
        "unit Northtown CSWT": {"covers": ["Northtown", "Northtown; Southtown"]},
        "alias North Town": {"unit": ["Northtown", "Southtown"]},
        "alias S Town": {"unit": ["", "Southtown"]},
        "in scorecard SEND": {"section": ["Finance", "SEND figures"], "to_year": ["", "2025-26"]},
        "in scorecard EY": {
            "scorecard": ["", "EY"],
            "section": ["", "Finance"],
            "table": ["", "Finance"],
            "order": ["", "0"],
            "from_year": ["", "2025-26"],
        },
    }
    # What each entry is about: the record it changed, so the history can be read by scorecard or unit too.
    assert by_what["scorecard SEND"].scorecard.code == "SEND" and by_what["scorecard SEND"].indicator is None
    assert by_what["unit Southtown"].unit.name == "Southtown"
    assert by_what["alias S Town"].unit.name == "Southtown"
    membership = by_what["in scorecard SEND"]
    assert (membership.indicator.code, membership.scorecard.code) == ("FT1", "SEND")
    event = AuditEvent.objects.filter(action="definitions.imported").latest("pk")
    assert event.detail == REASON and event.counts["aliases new"] == 1 and event.counts["memberships changed"] == 1

    # The same files again: nothing changes, nothing is recorded.
    recorded, events = DefinitionChange.objects.count(), AuditEvent.objects.count()
    again = import_path(changed_set(set_up / "second"), "again", mi_user, commit=True)
    assert again.ok and again.changes == []
    assert (DefinitionChange.objects.count(), AuditEvent.objects.count()) == (recorded, events)


def test_a_preview_or_a_refused_set_records_nothing(set_up: Path, mi_user: User) -> None:
    recorded, events = DefinitionChange.objects.count(), AuditEvent.objects.count()
    assert import_path(changed_set(set_up / "second"), REASON, mi_user).ok  # a preview
    bad = changed_set(set_up / "bad")
    write(bad, "aliases", [{"alias": "Nowhere", "unit": "Atlantis"}, *CHANGED_ALIASES])
    assert not import_path(bad, REASON, mi_user, commit=True).ok
    assert (DefinitionChange.objects.count(), AuditEvent.objects.count()) == (recorded, events)


def test_the_default_moving_records_both_scorecards(set_up: Path) -> None:
    moved = [{**SCORECARDS[0], "default": "0"}, {**SCORECARDS[1], "default": "1"}]
    assert import_path(good_set(set_up / "moved", scorecards=moved), "SEND first", commit=True).ok
    recorded = DefinitionChange.objects.filter(reason="SEND first", what__startswith="scorecard ")
    assert {c.what: c.changes for c in recorded} == {
        "scorecard PERF": {"is_default": ["yes", "no"]},
        "scorecard SEND": {"is_default": ["no", "yes"]},
    }


# --- the history page ------------------------------------------------------------------------------------------


def test_the_mi_team_reads_who_changed_what_when_and_why(set_up: Path, mi_user: User, client_for) -> None:
    import_path(changed_set(set_up / "second"), REASON, mi_user, commit=True)
    client = client_for(mi_user)
    response = client.get("/uploads/definitions/history/")
    assert response.status_code == 200
    page = response.content.decode()
    for words in (
        "scorecard SEND",
        "SEND scorecard → SEND monthly scorecard",
        "unit Southtown",
        "alias North Town",
        "Northtown → Southtown",
        "to_year: — → 2025-26",
        REASON,
    ):
        assert words in page, words
    scorecards_only = client.get("/uploads/definitions/history/?about=scorecards").content.decode()
    assert "scorecard SEND" in scorecards_only and "alias North Town" not in scorecards_only
    geography = client.get("/uploads/definitions/history/?about=geography").content.decode()
    assert "alias North Town" in geography and "scorecard SEND" not in geography
    assert client.get("/uploads/definitions/history/?about=everything").status_code == 400


def test_the_history_page_takes_a_fixed_number_of_queries(set_up: Path, mi_user: User, client_for) -> None:
    client = client_for(mi_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/uploads/definitions/history/")
    import_path(changed_set(set_up / "second"), REASON, mi_user, commit=True)
    with CaptureQueriesContext(connection) as more:
        client.get("/uploads/definitions/history/")
    assert len(more) == len(few)


@pytest.mark.parametrize("role", ["officer", "member"])
def test_officers_and_members_may_not_read_it(role: str, request: pytest.FixtureRequest, client_for) -> None:
    assert client_for(request.getfixturevalue(role)).get("/uploads/definitions/history/").status_code == 403


def test_anonymous_users_log_in_and_wrong_methods_are_refused(client, mi_user: User, client_for) -> None:
    response = client.get("/uploads/definitions/history/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(mi_user).post("/uploads/definitions/history/").status_code == 405
