"""Sign-off before publication, and embargoed versions members cannot see until their time."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from scorecard.editions.publishing import PublishError, publish_edition
from scorecard.editions.queries import is_published
from scorecard.models import Edition, EditionVersion
from tests.editions.conftest import OCTOBER, approve_now, month_measurement, revise

APPROVE = "/editions/2024-10/approve/"


def test_the_demo_edition_carries_its_approval_before_its_publication(demo: None) -> None:
    edition = Edition.objects.filter(scorecard__is_default=True).get(month=OCTOBER.start)
    version = edition.versions.get()
    assert edition.approved_at is not None and edition.approved_at < version.published_at
    assert edition.approved_fingerprint


def test_an_unapproved_month_cannot_be_published(demo: None) -> None:
    Edition.objects.update(approved_at=None, approved_fingerprint="")
    with pytest.raises(PublishError, match="a service lead has not approved"):
        publish_edition(OCTOBER)
    with pytest.raises(CommandError, match="not published: a service lead has not approved"):
        call_command("publish", "2024-10", stdout=StringIO(), stderr=StringIO())
    assert EditionVersion.objects.of_scorecard().count() == 1


def test_a_change_to_the_figures_after_approval_needs_a_new_approval(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    revise(month_measurement("APP17", "Kent"), Decimal("80.1"))
    with pytest.raises(PublishError, match="the figures changed after they were approved"):
        publish_edition(OCTOBER)
    client = client_for(mi_user)
    review = client.get("/editions/2024-10/publish/").content.decode()
    assert "Approval out of date" in review and "An approval covers" in review
    response = client.post("/editions/2024-10/publish/", follow=True)
    assert "Not published: the figures changed after they were approved" in response.content.decode()
    approve_now()
    assert publish_edition(OCTOBER).version.number == 2


def test_commentary_written_after_approval_does_not_undo_it(demo: None) -> None:
    from scorecard.models import Commentary

    Commentary.objects.filter(indicator__code="SCS19").delete()
    assert publish_edition(OCTOBER).version.number == 2


def test_a_service_lead_approves_the_month_seeing_counts_and_red_rows(
    demo: None, service_lead: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    revise(month_measurement("APP17", "Kent"), Decimal("80.1"))
    client = client_for(service_lead)
    page = client.get(APPROVE).content.decode()
    assert "Ratings by unit" in page and "RED row" in page and "Approval out of date" in page
    response = client.post(APPROVE, follow=True)
    assert "Approved the Oct-24 figures" in response.content.decode()
    edition = Edition.objects.filter(scorecard__is_default=True).get(month=OCTOBER.start)
    assert edition.approved_by == service_lead
    assert publish_edition(OCTOBER).version.number == 2


def test_a_month_without_figures_cannot_be_approved(demo: None, service_lead: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(service_lead)
    assert "nothing to approve" in client.get("/editions/2024-11/approve/").content.decode()
    assert "Not approved" in client.post("/editions/2024-11/approve/", follow=True).content.decode()
    assert not Edition.objects.filter(scorecard__is_default=True).filter(month="2024-11-01").exists()


@pytest.mark.parametrize(("role", "status"), [("lead", 200), ("mi", 403), ("officer", 403), ("member", 403)])
def test_each_role_on_the_approve_page(demo: None, users: dict[str, User], client_for, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    client = client_for(users[role])
    assert client.get(APPROVE).status_code == status
    assert client.get("/editions/approve/?month=2024-10").status_code == (302 if status == 200 else 403)
    if status == 403:
        assert client.post(APPROVE).status_code == 403
        assert Edition.objects.filter(scorecard__is_default=True).get(month=OCTOBER.start).approved_by is None


def test_the_approve_page_needs_a_login_and_the_right_method(
    demo: None,
    client: Client,
    service_lead: User,  # type: ignore[no-untyped-def]
    client_for,
) -> None:
    response = client.get(APPROVE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    lead = client_for(service_lead)
    assert lead.put(APPROVE).status_code == 405
    assert lead.post("/editions/approve/?month=2024-10").status_code == 405


def test_the_approve_page_runs_in_a_fixed_number_of_queries(
    demo: None,
    service_lead: User,
    client_for,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,
) -> None:
    client = client_for(service_lead)
    with django_assert_max_num_queries(20):
        assert client.get(APPROVE).status_code == 200


# --- embargo --------------------------------------------------------------------------------------------


@pytest.fixture
def embargoed(demo: None) -> EditionVersion:
    """Version 2 of October, published now but shown to members only tomorrow morning."""
    tomorrow = timezone.localtime() + timedelta(days=1)
    visible_from = tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
    return publish_edition(OCTOBER, visible_from=visible_from).version


def test_an_embargoed_version_is_invisible_to_members_until_its_time(
    embargoed: EditionVersion,
    member: User,  # type: ignore[no-untyped-def]
    client_for,
) -> None:
    assert is_published(OCTOBER).number == 1
    versions = EditionVersion.objects
    assert (
        versions.version_of(OCTOBER, 2) is None and versions.version_of(OCTOBER, 2, include_embargoed=True) == embargoed
    )
    assert is_published(OCTOBER, now=embargoed.visible_from).number == 2
    client = client_for(member)
    assert "version 1" in client.get("/editions/2024-10/").content.decode()
    for url in (
        "/editions/2024-10/?version=2",
        "/editions/2024-10/pack/?version=2",
        "/editions/2024-10/dover/?version=2",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/editions/").content.decode()
    assert "version 2" not in listing and "embargoed" not in listing


def test_officers_and_mi_see_an_embargoed_version_marked(
    embargoed: EditionVersion,
    officer: User,
    mi_user: User,  # type: ignore[no-untyped-def]
    client_for,
) -> None:
    for user in (officer, mi_user):
        client = client_for(user)
        page = client.get("/editions/2024-10/").content.decode()
        assert "Embargoed until" in page and "version 2" in page
        assert "embargoed until" in client.get("/editions/").content.decode()
        assert "Embargoed until" in client.get("/editions/2024-10/pack/").content.decode()


def test_members_see_it_once_the_embargo_passes(embargoed: EditionVersion, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    EditionVersion.objects.of_scorecard().filter(pk=embargoed.pk).update(
        visible_from=timezone.now() - timedelta(minutes=1)
    )
    assert "version 2" in client_for(member).get("/editions/2024-10/").content.decode()


def test_the_publish_button_and_command_set_an_embargo_in_uk_time(demo: None, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(mi_user)
    response = client.post("/editions/2024-10/publish/", {"visible_from": "2099-07-01T10:00"}, follow=True)
    assert "Members see it from 1 July 2099 10:00" in response.content.decode()
    version = EditionVersion.objects.of_scorecard().get(number=2)
    assert timezone.localtime(version.visible_from).replace(tzinfo=None) == datetime(2099, 7, 1, 10, 0)
    assert timezone.localtime(version.visible_from).utcoffset() == timedelta(hours=1)  # British Summer Time
    out = StringIO()
    call_command("publish", "2024-10", "--visible-from", "2099-12-01 09:30", stdout=out, stderr=StringIO())
    assert "members see it from 1 December 2099 09:30" in out.getvalue()
    with pytest.raises(CommandError, match="--visible-from takes"):
        call_command("publish", "2024-10", "--visible-from", "tomorrow", stdout=StringIO(), stderr=StringIO())
