"""The names pages print come from the data (the default scorecard, the authority unit), never from code."""

from __future__ import annotations

from django.contrib.auth.models import User

from districts.models import ReportingUnit, UnitKind
from indicators.models import Indicator, Scorecard
from scorecard.models import Commentary
from scorecard.names import Names, current_names


def rename_the_install() -> None:
    """Another council's install: its own scorecard and authority names."""
    Scorecard.objects.filter(is_default=True).update(
        title="Corporate Performance Report",
        organisation="Shire Borough Council",
        attribution="Figures: Shire Borough Council, under the Open Government Licence.",
    )
    ReportingUnit.objects.filter(kind=UnitKind.AUTHORITY).update(name="Shire")
    # The demo's own data names it too (areas such as North Kent, indicators' names): renamed with it.
    for model in (ReportingUnit, Indicator):
        for named in model.objects.filter(name__contains="Kent"):
            named.name = named.name.replace("Kent", "Shire")
            named.save(update_fields=["name"])
    for note in Commentary.objects.filter(text__contains="Kent"):
        note.text = note.text.replace("Kent", "Shire")
        note.save(update_fields=["text"])


def test_the_names_are_the_default_scorecards_and_the_authoritys(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    rename_the_install()
    with django_assert_num_queries(1):
        names = current_names()
    assert names == Names(
        title="Corporate Performance Report",
        organisation="Shire Borough Council",
        directorate=names.directorate,
        attribution="Figures: Shire Borough Council, under the Open Government Licence.",
        authority="Shire",
    )


def test_without_a_scorecard_the_authority_still_has_its_name(demo: None) -> None:
    Scorecard.objects.update(is_default=False)
    assert current_names() == Names(authority=ReportingUnit.objects.get(kind=UnitKind.AUTHORITY).name)


def test_pages_print_the_councils_own_names(demo: None, officer: User, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    rename_the_install()
    authority = ReportingUnit.objects.get(kind=UnitKind.AUTHORITY)
    pages = {
        officer: [f"/scorecard/{authority.slug}/2024-10/", "/compare/2024-10/"],
        mi_user: ["/editions/2024-10/commentary/", "/editions/2024-10/commentary/APP17/"],
    }
    for user, urls in pages.items():
        client = client_for(user)
        for url in urls:
            page = client.get(url).content.decode()
            assert (
                "Figures: Shire Borough Council" in page
                and "Corporate Performance Report · Shire Borough Council</title>" in page
            ), url
            assert "Kent" not in page, url
    commentary = client_for(mi_user).get("/editions/2024-10/commentary/APP17/").content.decode()
    assert "Shire (the indicator as a whole)" in commentary
    # The comparison's tables of indicators only the authority reports are captioned with its name.
    assert "— Shire only</caption>" in client_for(officer).get("/compare/2024-10/").content.decode()
