"""Editions per scorecard (#13 item 2): each scorecard publishes its own editions, as at its own months, with its own
sign-off and commentary, at /scorecards/<code>/editions/… (today's /editions/… being the default scorecard's), and
members see every scorecard's published editions."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import parse_month
from indicators.models import AuditEvent, Indicator, Measurement, Scorecard, ScorecardMembership
from scorecard.editions.approval import approval_state, approve, cards_and_figures
from scorecard.editions.commentary import save_commentary
from scorecard.editions.publishing import PublishError, publish_edition, units_in_edition
from scorecard.editions.queries import is_published
from scorecard.models import Commentary, Edition, EditionVersion
from scorecard.roles import SERVICE_LEADS

from .conftest import OCTOBER, month_measurement, revise

pytestmark = pytest.mark.django_db
SEPTEMBER = parse_month("2024-09")

QPR_READ = [
    "/scorecards/QPR/editions/",
    "/scorecards/QPR/editions/2024-09/",
    "/scorecards/QPR/editions/2024-09/dartford/",
    "/scorecards/QPR/editions/2024-09/pack/",
    "/scorecards/QPR/editions/2024-09/pack.pdf",
]
QPR_CHANGES = ["/scorecards/QPR/editions/2024-09/changes/"]
QPR_WRITE = ["/scorecards/QPR/editions/2024-09/commentary/", "/scorecards/QPR/editions/2024-09/commentary/SCS19/"]
QPR_PUBLISH = ["/scorecards/QPR/editions/2024-09/publish/", "/scorecards/QPR/editions/publish/?month=Sep-24"]
QPR_APPROVE = ["/scorecards/QPR/editions/2024-09/approve/", "/scorecards/QPR/editions/approve/?month=Sep-24"]
ALL = QPR_READ + QPR_CHANGES + QPR_WRITE + QPR_PUBLISH + QPR_APPROVE
ALLOWED = {
    "mi": QPR_READ + QPR_CHANGES + QPR_WRITE + QPR_PUBLISH,
    "lead": QPR_READ + QPR_CHANGES + QPR_APPROVE,
    "officer": QPR_READ + QPR_CHANGES + QPR_WRITE,
    "member": QPR_READ,
    "no role": [],
}


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scorecard.editions.pdf.lay_out", lambda version: b"%PDF-1.7 test")


@pytest.fixture
def service_lead(db: None) -> User:
    user = User.objects.create_user(username="lead", password="pw-for-tests")
    user.groups.add(Group.objects.get(name=SERVICE_LEADS))
    return user


@pytest.fixture
def users(mi_user: User, service_lead: User, officer: User, member: User) -> dict[str, User]:
    return {
        "mi": mi_user,
        "lead": service_lead,
        "officer": officer,
        "member": member,
        "no role": User.objects.create_user("nobody"),
    }


def qpr() -> Scorecard:
    return Scorecard.objects.get(code="QPR")


def test_the_demo_publishes_the_default_scorecard_and_the_quarterly_report(demo: None) -> None:
    cype = EditionVersion.objects.of_scorecard().get()
    quarterly = EditionVersion.objects.of_scorecard(qpr()).get()
    assert (cype.edition.month, quarterly.edition.month) == (OCTOBER.start, SEPTEMBER.start)
    assert quarterly.edition.approved_at is not None
    assert (quarterly.title, quarterly.organisation) == (qpr().title, qpr().organisation)
    members = set(ScorecardMembership.objects.filter(scorecard=qpr()).values_list("indicator__code", flat=True))
    authority = next(unit for unit in quarterly.units if unit["kind"] == UnitKind.AUTHORITY)
    assert {row["code"] for row in authority["rows"]} <= members
    from scorecard.demo import load_demo

    load_demo()  # idempotent
    assert EditionVersion.objects.count() == 2


def test_two_scorecards_publishing_the_same_month_keep_apart(demo: None, mi_user: User) -> None:
    quarterly = qpr()
    Scorecard.objects.filter(pk=quarterly.pk).update(cadence="monthly")
    quarterly.refresh_from_db()
    units = units_in_edition()
    # Sign-off: approving one scorecard's October says nothing of the other's.
    _, fingerprint = cards_and_figures(units, OCTOBER, scorecard=quarterly)
    with pytest.raises(PublishError, match="not approved"):
        publish_edition(OCTOBER, scorecard=quarterly)
    approve(OCTOBER, fingerprint, mi_user, scorecard=quarterly)
    default = Edition.objects.get(scorecard__is_default=True, month=OCTOBER.start)
    assert default.approved_by is None  # the demo's approval, untouched
    # Commentary: written for one scorecard's edition only.
    indicator = Indicator.objects.get(code="SCS19")
    save_commentary(quarterly, OCTOBER, indicator, None, "The report's own view.", mi_user)
    assert Commentary.objects.get(scorecard=quarterly).text == "The report's own view."
    assert Commentary.objects.get(scorecard__is_default=True, indicator=indicator, unit=None).text != (
        "The report's own view."
    )
    version = publish_edition(OCTOBER, scorecard=quarterly, user=mi_user).version
    assert version.number == 1 and version.edition.scorecard == quarterly
    assert [item["text"] for item in version.snapshot["commentary"]] == ["The report's own view."]
    assert EditionVersion.objects.of_scorecard().get(edition__month=OCTOBER.start).number == 1
    assert Edition.objects.filter(month=OCTOBER.start).count() == 2
    assert is_published(OCTOBER).edition.scorecard.is_default
    assert is_published(OCTOBER, quarterly) == version
    # Every audit event names the scorecard.
    events = AuditEvent.objects.filter(action__in=["edition.approved", "edition.published"]).order_by("-pk")[:2]
    assert all("QPR" in event.object_id for event in events)


def test_a_quarterly_scorecard_publishes_only_as_at_its_quarters_last_months(demo: None) -> None:
    with pytest.raises(PublishError, match=r"June, September, December and March.*October 2024"):
        publish_edition(OCTOBER, scorecard=qpr())
    with pytest.raises(CommandError, match="June, September, December and March"):
        call_command("publish", "--scorecard", "QPR", "2024-10", stdout=StringIO())
    with pytest.raises(CommandError, match="no scorecard 'NOPE'"):
        call_command("publish", "--scorecard", "NOPE", "2024-09", stdout=StringIO())
    assert EditionVersion.objects.count() == 2


def test_the_commands_approve_and_publish_one_scorecard(demo: None) -> None:
    revise(month_measurement("SCS19", "Kent", SEPTEMBER), Decimal("80.1"))  # one of the report's figures
    with pytest.raises(CommandError, match="approve them again"):
        call_command("publish", "--scorecard", "qpr", "Sep-24", stdout=StringIO())
    out = StringIO()
    call_command("approve", "--scorecard", "QPR", "Sep-24", stdout=out)
    assert "Quarterly Performance Report" in out.getvalue()
    call_command("publish", "--scorecard", "QPR", "Sep-24", stdout=out)
    assert "version 2" in out.getvalue()
    assert EditionVersion.objects.of_scorecard(qpr()).count() == 2
    assert EditionVersion.objects.of_scorecard().count() == 1


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_reaches_exactly_its_pages_in_every_scorecard(demo: None, users, client_for, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users[role])
    for url in ALL:
        response = client.get(url)
        if url in ALLOWED[role]:
            assert response.status_code in (200, 202, 302), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


@pytest.mark.parametrize("role", ["mi", "lead", "officer", "member"])
def test_wrong_methods_are_refused_in_every_scorecard(users, client_for, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users[role])
    for url in [*QPR_READ, *QPR_CHANGES, "/scorecards/QPR/editions/publish/", "/scorecards/QPR/editions/approve/"]:
        assert client.post(url).status_code == 405, url
    assert client.put("/scorecards/QPR/editions/2024-09/publish/").status_code == 405
    assert client.put("/scorecards/QPR/editions/2024-09/approve/").status_code == 405
    assert client.delete("/scorecards/QPR/editions/2024-09/commentary/SCS19/").status_code == 405


def test_members_see_every_scorecards_published_editions(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    page = client.get("/editions/").content.decode()
    cype, quarterly = Scorecard.objects.get(is_default=True), qpr()
    assert page.index(cype.title) < page.index(quarterly.title)  # grouped, the default first
    assert 'href="/editions/2024-10/"' in page and 'href="/scorecards/QPR/editions/2024-09/"' in page
    assert "As at September 2024" in page
    one = client.get("/scorecards/QPR/editions/").content.decode()
    assert "/scorecards/QPR/editions/2024-09/" in one and "/editions/2024-10/" not in one
    assert client.get("/scorecards/NOPE/editions/").status_code == 404
    assert client.get("/scorecards/QPR/editions/2024-10/").status_code == 404  # not its edition
    assert client.get("/editions/2024-09/").status_code == 404  # the default scorecard published none


def test_links_in_a_scorecards_edition_stay_in_it(demo: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    for url in QPR_READ[1:4] + QPR_CHANGES:
        page = client.get(url).content.decode()
        links = [link for link in re.findall(r'href="(/[^"]*editions[^"]*)"', page) if link != "/editions/"]
        assert links and all(link.startswith("/scorecards/QPR/editions/") for link in links), (url, links)
    page = client.get("/scorecards/QPR/editions/2024-09/").content.decode()
    assert qpr().title in page and "As at September 2024" in page
    pack = client.get("/scorecards/QPR/editions/2024-09/pack/").content.decode()
    assert qpr().title in pack and qpr().organisation in pack and "As at September 2024" in pack


def test_the_mi_pages_work_per_scorecard_and_show_its_months(
    demo: None, mi_user: User, service_lead: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    page = client.get("/scorecards/QPR/editions/2024-09/publish/").content.decode()
    assert qpr().title in page and "Approved" in page
    months = re.findall(r'href="/scorecards/QPR/editions/(\d{4}-\d{2})/publish/"', page)
    assert months and all(int(month[5:]) in (3, 6, 9, 12) for month in months)
    refused = client.get("/scorecards/QPR/editions/2024-11/publish/").content.decode()
    assert "June, September, December and March" in refused
    assert (
        client.get("/scorecards/QPR/editions/publish/?month=Sep-24").url == "/scorecards/QPR/editions/2024-09/publish/"
    )
    assert (
        client.get("/editions/publish/?month=Sep-24&scorecard=QPR").url == "/scorecards/QPR/editions/2024-09/publish/"
    )
    assert client.get("/editions/publish/?month=Sep-24&scorecard=NOPE").url == "/editions/"
    # A service lead approves, then the MI team publishes, through the buttons.
    revise(month_measurement("SCS19", "Kent", SEPTEMBER), Decimal("80.1"))
    assert (
        "approve them again" in client.post("/scorecards/QPR/editions/2024-09/publish/", follow=True).content.decode()
    )
    lead = client_for(service_lead)
    assert lead.get("/editions/approve/?month=Oct-24&scorecard=CYPE").url == "/editions/2024-10/approve/"
    approval_page = lead.get("/scorecards/QPR/editions/2024-09/approve/").content.decode()
    assert qpr().title in approval_page and "/scorecards/QPR/editions/2024-06/approve/" in approval_page
    lead.post("/scorecards/QPR/editions/2024-09/approve/")
    edition = Edition.objects.get(scorecard=qpr(), month=SEPTEMBER.start)
    assert edition.approved_by == service_lead
    client = client_for(mi_user)
    _, fingerprint = cards_and_figures(units_in_edition(), SEPTEMBER, scorecard=qpr())
    assert approval_state(edition, fingerprint) == "approved"
    response = client.post("/scorecards/QPR/editions/2024-09/publish/")
    assert response.url == "/scorecards/QPR/editions/2024-09/publish/"
    assert EditionVersion.objects.of_scorecard(qpr()).filter(number=2, published_by=mi_user).exists()
    # Commentary in the scorecard's edition, back to its own list.
    response = client.post("/scorecards/QPR/editions/2024-09/commentary/SCS19/", {"unit": "", "text": "QPR view."})
    assert response.url == "/scorecards/QPR/editions/2024-09/commentary/"
    assert Commentary.objects.get(scorecard=qpr(), month=SEPTEMBER.start).text == "QPR view."
    assert client.get("/scorecards/QPR/editions/2024-10/commentary/").status_code == 404  # not one of its months


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


MEMBER_PAGES = [
    "/editions/",
    "/scorecards/QPR/editions/",
    "/scorecards/QPR/editions/2024-09/",
    "/scorecards/QPR/editions/2024-09/dartford/",
    "/scorecards/QPR/editions/2024-09/pack/",
]


def test_member_pages_of_any_scorecard_run_in_a_fixed_number_of_queries(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    before = {url: count_queries(client, url) for url in MEMBER_PAGES}
    # More scorecards with editions, more indicators in the QPR, more districts: the same queries.
    area = ReportingUnit.objects.filter(kind=UnitKind.AREA).first()
    ReportingUnit.objects.create(name="Medway", kind=UnitKind.DISTRICT, area=area, display_order=99)
    template = Indicator.objects.get(code="APP17")
    for number in range(3):
        template.pk, template.code = None, f"NEW{number}"
        template.save()
        ScorecardMembership.objects.create(scorecard=qpr(), indicator=template, section="New", table="New")
        Measurement.objects.create(
            indicator=template,
            unit=ReportingUnit.objects.authority(),
            period_kind="M",
            period_start=SEPTEMBER.start,
            value=Decimal("50"),
        )
    for code in ("EXTRA1", "EXTRA2"):
        extra = Scorecard.objects.create(code=code, title=f"Extra {code}", organisation="Somewhere", cadence="monthly")
        ScorecardMembership.objects.create(scorecard=extra, indicator=template, section="New", table="New")
        _, fingerprint = cards_and_figures(units_in_edition(), SEPTEMBER, scorecard=extra)
        approve(SEPTEMBER, fingerprint, None, scorecard=extra)
        publish_edition(SEPTEMBER, scorecard=extra)
    _, fingerprint = cards_and_figures(units_in_edition(), SEPTEMBER, scorecard=qpr())
    approve(SEPTEMBER, fingerprint, None, scorecard=qpr())
    publish_edition(SEPTEMBER, scorecard=qpr())
    after = {url: count_queries(client, url) for url in MEMBER_PAGES}
    assert after == before
    listing = client.get("/editions/").content.decode()
    assert "Extra EXTRA2" in listing and "/scorecards/EXTRA1/editions/2024-09/" in listing
    assert "Medway" in client.get("/scorecards/QPR/editions/2024-09/pack/").content.decode()
