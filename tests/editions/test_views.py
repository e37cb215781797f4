"""Every edition view for every role: success, 403, 405 and the login redirect for anonymous users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from scorecard.models import Commentary, EditionPack, EditionVersion

pytestmark = pytest.mark.django_db

READ = [
    "/editions/",
    "/editions/2024-10/",
    "/editions/2024-10/dartford/",
    "/editions/2024-10/pack/",
    "/editions/2024-10/pack.pdf",
]
CHANGES = ["/editions/2024-10/changes/"]
WRITE = ["/editions/2024-10/commentary/", "/editions/2024-10/commentary/SCS19/"]
PUBLISH = ["/editions/2024-10/publish/", "/editions/publish/?month=Oct-24"]


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions are the point here: the real layout is tested in test_pack_pdf.py."""
    monkeypatch.setattr("scorecard.editions.pdf.lay_out", lambda version: b"%PDF-1.7 test")


@pytest.fixture
def users(mi_user: User, officer: User, member: User) -> dict[str, User]:
    return {
        "mi": mi_user,
        "officer": officer,
        "member": member,
        "no role": User.objects.create_user("nobody", password="pw-for-tests"),
    }


ALLOWED = {
    "mi": READ + CHANGES + WRITE + PUBLISH,
    "officer": READ + CHANGES + WRITE,
    "member": READ,
    "no role": [],
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_reaches_exactly_its_pages(demo: None, users: dict[str, User], client_for, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users[role])
    for url in READ + CHANGES + WRITE + PUBLISH:
        response = client.get(url)
        if url in ALLOWED[role]:
            # 202: the committee pack is being prepared (the demo's was queued, never made, in the test).
            assert response.status_code in (200, 202, 302), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_anonymous_users_are_sent_to_log_in(client: Client) -> None:
    for url in READ + CHANGES + WRITE + PUBLISH:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url


WRONG_METHODS = [
    *((url, "post") for url in READ + CHANGES + ["/editions/2024-10/commentary/", "/editions/publish/"]),
    ("/editions/2024-10/publish/", "put"),
    ("/editions/2024-10/commentary/SCS19/", "delete"),
]


@pytest.mark.parametrize("role", ["mi", "officer", "member"])
def test_wrong_methods_are_refused(users: dict[str, User], client_for, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users[role])
    for url, method in WRONG_METHODS:
        assert getattr(client, method)(url).status_code == 405, (url, method)


def test_the_home_page_sends_members_to_the_editions(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(member).get("/")
    assert response.status_code == 302 and response.url == "/editions/"


def test_members_see_the_edition_and_version_on_their_pages(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    for url in ("/editions/2024-10/", "/editions/2024-10/dartford/"):
        page = client.get(url).content.decode()
        assert "October 2024" in page and "version 1" in page and "9 December 2024" in page
    assert "No data received" in client.get("/editions/2024-10/sevenoaks/").content.decode()


def test_versions_can_be_chosen_and_unknown_ones_are_404(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    assert client.get("/editions/2024-10/?version=1").status_code == 200
    for url in (
        "/editions/2024-10/?version=2",
        "/editions/2024-10/?version=x",
        "/editions/2024-11/",
        "/editions/2024-13/",
        "/editions/2024-10/nowhere/",
        "/editions/2024-11/pack.pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_publishing_from_the_button_shows_the_warnings(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    Commentary.objects.filter(indicator__code="SCS19").delete()
    client = client_for(mi_user)
    review = client.get("/editions/2024-10/publish/").content.decode()
    assert "SCS19" in review and "without commentary" in review
    response = client.post("/editions/2024-10/publish/", follow=True)
    assert response.redirect_chain[-1][0] == "/editions/2024-10/publish/"  # where the pack's progress shows
    page = response.content.decode()
    assert "Published Oct-24 as version 2" in page and "SCS19" in page and "Queued for the worker" in page
    assert EditionVersion.objects.of_scorecard().filter(number=2, published_by=mi_user).exists()


def test_publishing_a_month_without_figures_is_refused_by_the_button(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    assert "cannot be published" in client.get("/editions/2024-11/publish/").content.decode()
    response = client.post("/editions/2024-11/publish/", follow=True)
    assert "Not published" in response.content.decode()
    assert EditionVersion.objects.of_scorecard().count() == 1


def test_officers_write_and_remove_commentary(demo: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    assert "SCS19" in client.get("/editions/2024-10/commentary/").content.decode()
    response = client.post("/editions/2024-10/commentary/SCS19/", {"unit": "", "text": "Placements rose."})
    assert response.status_code == 302
    note = Commentary.objects.get(indicator__code="SCS19", unit=None)
    assert (note.text, note.author) == ("Placements rose.", officer)
    client.post("/editions/2024-10/commentary/SCS19/", {"unit": "dartford", "text": "Dartford's view."})
    assert Commentary.objects.get(indicator__code="SCS19", unit__slug="dartford").text == "Dartford's view."
    assert "Dartford&#x27;s view." in client.get("/editions/2024-10/commentary/SCS19/?unit=dartford").content.decode()
    client.post("/editions/2024-10/commentary/SCS19/", {"unit": "", "text": "  "})
    assert not Commentary.objects.filter(indicator__code="SCS19", unit=None).exists()


def test_commentary_for_an_unknown_unit_is_refused(demo: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(officer).post("/editions/2024-10/commentary/SCS19/", {"unit": "atlantis", "text": "x"})
    assert response.status_code == 400
    assert client_for(officer).get("/editions/2024-10/commentary/NOPE/").status_code == 404


def test_the_pdf_is_served_inline_with_its_name(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    from scorecard.editions.pdf import make_pack

    make_pack(EditionVersion.objects.of_scorecard().get(number=1).pk)
    response = client_for(member).get("/editions/2024-10/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="kent-county-council-cype-2024-10-v1.pdf"' in response["Content-Disposition"]


def test_the_pdf_is_a_clear_503_without_weasyprint(demo: None, member: User, client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from scorecard.editions import pdf

    monkeypatch.setattr("scorecard.editions.pdf.lay_out", lambda version: pdf.html_to_pdf("<p>x</p>"))
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)  # import now raises ImportError
    EditionPack.objects.all().delete()  # whatever the demo's publication left
    assert pdf.make_pack(EditionVersion.objects.of_scorecard().get(number=1).pk) == "failed"
    response = client_for(member).get("/editions/2024-10/pack.pdf")
    assert response.status_code == 503 and b"print it from your browser" in response.content
    assert b"cannot be made on this server" in response.content
