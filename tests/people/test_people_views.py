"""/people/: the MI team lists people, adds them, changes their roles and switches accounts off and on."""

from __future__ import annotations

import html
import logging

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators.audit_trail import AuditEvent
from scorecard.roles import MEMBERS, MI_TEAM, OFFICERS

pytestmark = pytest.mark.django_db

LIST = "/people/"
ADD = "/people/new/"
STRONG_PASSWORD = "correct-horse-battery-staple-42"


def edit_url(user: User) -> str:
    return f"/people/{user.pk}/"


def add_form(**values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "username": "newperson",
        "first_name": "New",
        "last_name": "Person",
        "email": "new.person@example.org",
        "roles": [OFFICERS],
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    return form | values


def edit_form(user: User, **values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": [group.name for group in user.groups.all()],
    }
    return form | values


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def audit_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [record.audit for record in caplog.records if record.name == "scorecard.audit"]


@pytest.fixture
def audit(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="scorecard.audit")
    return caplog


# --- who may see which page -------------------------------------------------------------------------------


def page_urls(target: User) -> list[tuple[str, str]]:
    return [
        ("get", LIST),
        ("get", ADD),
        ("post", ADD),
        ("get", edit_url(target)),
        ("post", edit_url(target)),
        ("post", edit_url(target) + "deactivate/"),
        ("post", edit_url(target) + "reactivate/"),
    ]


@pytest.mark.parametrize("role", ["officer", "member"])
def test_officers_and_members_are_refused_every_page(
    request: pytest.FixtureRequest, client_for, role: str, mi_user: User
) -> None:
    user = request.getfixturevalue(role)
    client = client_for(user)
    for method, url in page_urls(mi_user):
        assert getattr(client, method)(url).status_code == 403, (method, url)
    mi_user.refresh_from_db()
    assert mi_user.is_active


def test_anonymous_visitors_are_sent_to_log_in(client: Client, officer: User) -> None:
    for method, url in page_urls(officer):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", LIST),
        ("put", ADD),
        ("delete", "/people/{pk}/"),
        ("get", "/people/{pk}/deactivate/"),
        ("get", "/people/{pk}/reactivate/"),
    ],
)
def test_wrong_methods_are_405(client_for, mi_user: User, officer: User, method: str, url: str) -> None:
    response = getattr(client_for(mi_user), method)(url.format(pk=officer.pk))
    assert response.status_code == 405
    officer.refresh_from_db()
    assert officer.is_active


def test_a_person_with_no_role_is_refused(client_for) -> None:
    nobody = User.objects.create_user("nobody", password="pw-for-tests")
    assert client_for(nobody).get(LIST).status_code == 403


def test_the_nav_links_to_people_for_the_mi_team_only(client_for, mi_user: User, officer: User) -> None:
    assert b'href="/people/"' in client_for(mi_user).get(LIST).content
    assert b'href="/people/"' not in client_for(officer).get("/editions/").content


# --- the list -------------------------------------------------------------------------------------------------


def test_the_list_shows_each_person_with_roles_and_whether_they_can_sign_in(
    client_for, mi_user: User, officer: User, member: User
) -> None:
    member.is_active = False
    member.save(update_fields=["is_active"])
    User.objects.create_user("newcomer")  # no role, no password (as single sign-on makes them)
    response = client_for(mi_user).get(LIST)
    assert response.status_code == 200
    rows = {person.username: (roles, person.is_active) for person, roles in response.context["rows"]}
    assert rows == {
        "mi": ([MI_TEAM], True),
        "officer": ([OFFICERS], True),
        "member": ([MEMBERS], False),
        "newcomer": ([], True),
    }
    page = text(response)
    assert "switched off" in page and "no role" in page and "single sign-on" in page


def make_people(count: int, start: int) -> None:
    officers = Group.objects.get(name=OFFICERS)
    for number in range(start, start + count):
        user = User.objects.create_user(f"person{number}", email=f"person{number}@example.org")
        user.groups.add(officers)


def test_the_list_runs_in_a_fixed_number_of_queries(client_for, mi_user: User) -> None:
    client = client_for(mi_user)
    make_people(3, start=0)
    client.get(LIST)  # warm up the session and permission caches of the first request
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    make_people(20, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 24
    assert len(many) == len(few) <= 8


# --- adding someone -------------------------------------------------------------------------------------------


def test_the_mi_team_adds_a_person_with_a_role_and_a_password(
    client_for, mi_user: User, audit: pytest.LogCaptureFixture
) -> None:
    client = client_for(mi_user)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, add_form(roles=[OFFICERS, MEMBERS]))
    assert response.status_code == 302 and response["Location"] == LIST
    person = User.objects.get(username="newperson")
    assert person.check_password(STRONG_PASSWORD)
    assert sorted(person.groups.values_list("name", flat=True)) == sorted([OFFICERS, MEMBERS])
    assert (person.email, person.get_full_name(), person.is_active) == ("new.person@example.org", "New Person", True)
    assert {
        "event": "user.created",
        "user": "mi",
        "object_type": "user",
        "object_id": str(person.pk),
        "object": "newperson",
        "roles": [OFFICERS, MEMBERS],
        "local_password": True,
    } in audit_events(audit)
    event = AuditEvent.objects.get(action="user.created")  # stored as well as logged
    assert (event.user, event.username, event.object_label) == (mi_user, "mi", "newperson")
    # The new person can log in with that password.
    login = Client().post("/accounts/login/", {"username": "newperson", "password": STRONG_PASSWORD})
    assert login.status_code == 302


@pytest.mark.parametrize("username", ["OFFICER", "Officer", "officer"])
def test_usernames_are_unique_whatever_their_capitals(client_for, mi_user: User, officer: User, username: str) -> None:
    response = client_for(mi_user).post(ADD, add_form(username=username))
    assert response.status_code == 200
    assert "That username is taken" in text(response)
    assert User.objects.filter(username__iexact="officer").count() == 1


def test_emails_are_unique_whatever_their_capitals(client_for, mi_user: User, officer: User) -> None:
    officer.email = "Officer@Example.org"
    officer.save(update_fields=["email"])
    response = client_for(mi_user).post(ADD, add_form(email="officer@EXAMPLE.org"))
    assert "Someone already has this email address" in text(response)
    assert not User.objects.filter(username="newperson").exists()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short1", "short1", "This password is too short"),
        ("password123", "password123", "This password is too common"),
        ("82736451928374", "82736451928374", "This password is entirely numeric"),
        ("newperson-x1", "newperson-x1", "too similar to the username"),
        (STRONG_PASSWORD, STRONG_PASSWORD + "!", "The two passwords differ"),
        ("", "", "Give a first password"),
    ],
)
def test_passwords_go_through_the_password_validators(
    client_for, mi_user: User, password1: str, password2: str, message: str
) -> None:
    response = client_for(mi_user).post(ADD, add_form(password1=password1, password2=password2))
    assert response.status_code == 200
    assert message in text(response)
    assert not User.objects.filter(username="newperson").exists()


def test_an_unknown_role_is_refused(client_for, mi_user: User) -> None:
    response = client_for(mi_user).post(ADD, add_form(roles=["Superheroes"]))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not User.objects.filter(username="newperson").exists()


def test_with_single_sign_on_on_the_password_may_be_left_empty_but_the_email_is_needed(
    settings, client_for, mi_user: User
) -> None:
    settings.OIDC_ENABLED = True
    client = client_for(mi_user)
    response = client.post(ADD, add_form(email="", password1="", password2=""))
    assert "This field is required" in text(response)
    response = client.post(ADD, add_form(password1="", password2=""))
    assert response.status_code == 302
    person = User.objects.get(username="newperson")
    assert not person.has_usable_password()


# --- changing someone -----------------------------------------------------------------------------------------


def test_the_mi_team_changes_a_persons_roles_and_details(
    client_for, mi_user: User, officer: User, audit: pytest.LogCaptureFixture
) -> None:
    other = Group.objects.create(name="Early years project")  # a group made in the admin, not a role
    officer.groups.add(other)
    client = client_for(mi_user)
    page = client.get(edit_url(officer))
    assert page.status_code == 200
    assert page.context["form"]["roles"].initial == [OFFICERS]
    response = client.post(edit_url(officer), edit_form(officer, roles=[MEMBERS], first_name="Olive"))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert sorted(officer.groups.values_list("name", flat=True)) == sorted([MEMBERS, "Early years project"])
    assert officer.first_name == "Olive"
    about = {"object_type": "user", "object_id": str(officer.pk), "object": "officer"}
    assert {"event": "user.changed", "user": "mi", **about, "changed": ["first_name"]} in audit_events(audit)
    assert {
        "event": "user.role_changed",
        "user": "mi",
        **about,
        "roles_added": [MEMBERS],
        "roles_removed": [OFFICERS],
    } in audit_events(audit)
    assert AuditEvent.objects.get(action="user.role_changed").detail == "roles_added: Members; roles_removed: Officers"
    # The change takes effect: the former officer no longer sees the live scorecards.
    assert not User.objects.get(pk=officer.pk).has_perm("indicators.view_scorecard")


def test_no_one_takes_the_mi_team_role_off_themselves(client_for, mi_user: User) -> None:
    response = client_for(mi_user).post(edit_url(mi_user), edit_form(mi_user, roles=[OFFICERS]))
    assert response.status_code == 200
    assert "You can't take the MI team role off yourself" in text(response)
    assert list(mi_user.groups.values_list("name", flat=True)) == [MI_TEAM]


def test_the_mi_team_may_change_their_own_details(client_for, mi_user: User) -> None:
    response = client_for(mi_user).post(
        edit_url(mi_user), edit_form(mi_user, roles=[MI_TEAM, OFFICERS], email="mi@example.org")
    )
    assert response.status_code == 302
    mi_user.refresh_from_db()
    assert mi_user.email == "mi@example.org"


def test_only_a_superuser_changes_a_superuser(client_for, mi_user: User) -> None:
    admin = User.objects.create_superuser("admin", password="pw-for-tests")
    client = client_for(mi_user)
    assert client.get(edit_url(admin)).status_code == 403
    assert client.post(edit_url(admin) + "deactivate/").status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


def test_an_unknown_person_is_404(client_for, mi_user: User) -> None:
    assert client_for(mi_user).get("/people/99999/").status_code == 404


# --- switching accounts off and on ----------------------------------------------------------------------------


def test_switching_an_account_off_stops_its_owner_at_once_and_on_again_lets_them_back(
    client_for, mi_user: User, officer: User, audit: pytest.LogCaptureFixture
) -> None:
    officers_browser = Client()
    officers_browser.force_login(officer)
    assert officers_browser.get("/editions/").status_code == 200

    response = client_for(mi_user).post(edit_url(officer) + "deactivate/")
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    assert User.objects.filter(pk=officer.pk).exists()  # never deleted
    assert officers_browser.get("/editions/").status_code == 302  # their session no longer counts
    assert Client().post("/accounts/login/", {"username": "officer", "password": "pw-for-tests"}).status_code == 200

    response = client_for(mi_user).post(edit_url(officer) + "reactivate/")
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active
    events = [event["event"] for event in audit_events(audit)]
    assert events.count("user.deactivated") == 1 and events.count("user.reactivated") == 1


def test_no_one_switches_their_own_account_off(client_for, mi_user: User) -> None:
    client = client_for(mi_user)
    response = client.post(edit_url(mi_user) + "deactivate/", follow=True)
    assert "You can't switch off your own account" in text(response)
    mi_user.refresh_from_db()
    assert mi_user.is_active


# --- the admin's user pages -----------------------------------------------------------------------------------


def test_the_admins_user_pages_are_for_superusers_only(client_for, mi_user: User) -> None:
    # auth.change_user in the admin would let a staff member tick "superuser" on their own account.
    mi_user.is_staff = True
    mi_user.save(update_fields=["is_staff"])
    client = client_for(mi_user)
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/auth/user/{mi_user.pk}/change/").status_code == 403
    superuser = User.objects.create_superuser("admin", password="pw-for-tests")
    assert client_for(superuser).get("/admin/auth/user/").status_code == 200


# --- the MI role opens the admin ------------------------------------------------------------------------------


def test_someone_added_to_the_mi_team_can_use_the_admin(client_for, mi_user: User) -> None:
    response = client_for(mi_user).post(ADD, add_form(roles=[MI_TEAM]))
    assert response.status_code == 302
    person = User.objects.get(username="newperson")
    assert person.is_staff
    browser = Client()
    browser.force_login(person)
    assert browser.get("/admin/").status_code == 200
    assert browser.get("/admin/indicators/indicator/").status_code == 200


def test_giving_and_taking_the_mi_role_gives_and_takes_the_admin(client_for, mi_user: User, officer: User) -> None:
    browser = Client()
    browser.force_login(officer)
    assert browser.get("/admin/").status_code == 302  # to the admin's login: not staff
    client = client_for(mi_user)
    assert client.post(edit_url(officer), edit_form(officer, roles=[OFFICERS, MI_TEAM])).status_code == 302
    officer.refresh_from_db()
    assert officer.is_staff and browser.get("/admin/").status_code == 200
    assert client.post(edit_url(officer), edit_form(officer, roles=[OFFICERS])).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_staff
    assert browser.get("/admin/").status_code == 302


def test_a_superuser_keeps_the_admin_without_the_mi_role(client_for, mi_user: User) -> None:
    admin = User.objects.create_superuser("root", password="pw-for-tests")
    admin.groups.add(Group.objects.get(name=MI_TEAM))
    mi_user.is_superuser = True  # only a superuser may change a superuser
    mi_user.save(update_fields=["is_superuser"])
    assert client_for(mi_user).post(edit_url(admin), edit_form(admin, roles=[])).status_code == 302
    admin.refresh_from_db()
    assert admin.is_staff
