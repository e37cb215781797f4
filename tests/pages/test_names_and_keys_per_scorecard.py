"""Each scorecard's pages print its own names (a published version's as published), a key that says how their
rows were judged, and a trend's words for rows whose direction is a trend."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from indicators.analysis.periods import parse_month
from indicators.models import Scorecard
from scorecard.editions import pdf
from scorecard.editions.approval import approve, cards_and_figures
from scorecard.editions.publishing import publish_edition, units_in_edition
from scorecard.models import EditionVersion

MAIDSTONE = Path(__file__).resolve().parent.parent / "fixtures" / "maidstone-2022-24"
QPR_ONLY = "The Quarterly Performance Report's indicators are those the scorecard ticks for it."


def title_of(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match
    return match.group(1)


def footer_of(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_qpr_pages_print_the_qprs_names_and_cype_pages_cypes(
    demo: None, officer: User, member: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    qpr = Scorecard.objects.get(code="QPR")
    default = Scorecard.objects.get(is_default=True)
    officer_pages = {
        qpr: [
            "/scorecards/QPR/scorecard/kent/2024-09/",
            "/scorecards/QPR/compare/2024-09/",
            "/indicators/SCS13/?scorecard=QPR",
        ],
        default: ["/scorecard/kent/2024-10/", "/compare/2024-10/", "/indicators/APP17/"],
    }
    client: Client = client_for(officer)
    for scorecard, urls in officer_pages.items():
        other = qpr if scorecard == default else default
        for url in urls:
            html = client.get(url).content.decode()
            assert title_of(html).endswith(f"· {scorecard.title} · {scorecard.organisation}"), url
            assert scorecard.title in header_of(html), url
            assert other.title not in header_of(html), url
            assert escape(scorecard.attribution) in footer_of(html), url
            assert (escape(QPR_ONLY) in footer_of(html)) == (scorecard == qpr), url


def test_published_pages_print_the_versions_names_as_published(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    version = EditionVersion.objects.get(edition__scorecard__code="QPR")
    # The scorecard renamed after publication: the version's names stand.
    Scorecard.objects.filter(code="QPR").update(title="Renamed since", attribution="Renamed attribution")
    client: Client = client_for(member)
    for url in ("/scorecards/QPR/editions/2024-09/", "/scorecards/QPR/editions/2024-09/maidstone/"):
        html = client.get(url).content.decode()
        assert title_of(html).endswith(f"· {version.title} · {version.organisation}"), url
        assert version.title in header_of(html) and escape(version.attribution) in footer_of(html), url
        assert "Renamed" not in html, url
        assert footer_of(html).count(escape(version.attribution)) == 1, url  # one footer, not the default's as well
    default_version = EditionVersion.objects.get(edition__scorecard__is_default=True)
    html = client.get("/editions/2024-10/").content.decode()
    assert escape(default_version.attribution) in footer_of(html) and escape(QPR_ONLY) not in html


def test_the_names_cost_no_query_where_the_view_loaded_its_scorecard(
    demo: None, officer: User, member: User, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def no_lookup() -> None:
        raise AssertionError("the default scorecard's names were looked up")

    monkeypatch.setattr("scorecard.names.current_names", no_lookup)
    for user, url in (
        (officer, "/scorecards/QPR/scorecard/kent/2024-09/"),
        (officer, "/scorecard/kent/2024-10/"),
        (officer, "/indicators/SCS13/?scorecard=QPR"),
        (member, "/scorecards/QPR/editions/2024-09/"),
        (member, "/editions/2024-10/"),
    ):
        assert client_for(user).get(url).status_code == 200, url


def test_the_pack_cover_prints_the_directorate_as_published(demo: None) -> None:
    version = EditionVersion.objects.select_related("edition__scorecard").get(edition__scorecard__code="QPR")
    published = version.directorate
    assert published and published == version.edition.scorecard.directorate
    Scorecard.objects.filter(code="QPR").update(directorate="Reorganised since")
    version = EditionVersion.objects.select_related("edition__scorecard").get(pk=version.pk)
    html = pdf.pack_html(version, None, "QPR")
    assert f'<p class="cover-directorate">{published}</p>' in html and "Reorganised since" not in html


def dot_cells(html: str) -> list[str]:
    return re.findall(r'<span class="dot dot-\w+" title="([^"]+)"', html)


def test_trend_rows_read_improving_worsening_or_no_clear_trend_everywhere(
    demo: None, officer: User, member: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    trend_words = {"improving", "worsening", "no clear trend"}
    officer_client: Client = client_for(officer)
    page = officer_client.get("/scorecards/QPR/scorecard/kent/2024-09/").content.decode()
    words = dot_cells(page[page.index("<table") :])
    assert words and set(words) <= trend_words and "no clear trend" in words
    assert "no clear trend</span>" in page  # printed beside the arrow, not only on hover
    assert "By the trend" in page and "same (at the printed precision)" not in page  # the key
    matrix = officer_client.get("/scorecards/QPR/compare/2024-09/").content.decode()
    assert set(dot_cells(matrix[matrix.index("<table") :])) <= trend_words
    cype = officer_client.get("/scorecard/kent/2024-10/").content.decode()
    assert "no clear trend" not in cype and set(dot_cells(cype)) <= {"improved", "worsened", "same"}

    member_client: Client = client_for(member)
    edition = member_client.get("/scorecards/QPR/editions/2024-09/").content.decode()
    printed = re.findall(r'<span class="dot-word">([^<]+)</span>', edition)
    assert printed and set(printed) <= trend_words and "no clear trend" in printed
    assert "By the trend" in edition
    pack = member_client.get("/scorecards/QPR/editions/2024-09/pack/").content.decode()
    arrows = re.findall(r'<td class="dot dot-trend">[↑↓↔] ([a-z ]+)', pack)
    assert arrows and set(arrows) <= trend_words
    assert 'class="dot">' not in pack  # every QPR row is judged by its trend
    cype_edition = member_client.get("/editions/2024-10/").content.decode()
    assert "no clear trend" not in cype_edition and "By the trend" not in cype_edition


def test_the_kent_keys_keep_the_floor_wording(demo: None, officer: User, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    floor = (
        '<span class="rag rag-RED">RED</span> floor standard not achieved',
        '<span class="rag rag-AMBER">AMBER</span> floor achieved but target not met',
        '<span class="rag rag-GREEN">GREEN</span> target achieved',
    )
    page = client_for(officer).get("/scorecard/kent/2024-10/").content.decode()
    edition = client_for(member).get("/editions/2024-10/").content.decode()
    pack = client_for(member).get("/editions/2024-10/pack/").content.decode()
    for html in (page, edition, pack):
        assert all(words in html for words in floor)
        assert "tolerance" not in html.lower() and "Floor and target" not in html


@pytest.fixture
def maidstone(db: None) -> Scorecard:
    call_command("import_definitions", str(MAIDSTONE), "--commit", "--reason", "set-up", stdout=io.StringIO())
    call_command("import_measurements", str(MAIDSTONE / "measurements.csv"), "--commit", stdout=io.StringIO())
    return Scorecard.objects.get(is_default=True)


def test_a_tolerance_council_s_keys_describe_its_rules(
    maidstone: Scorecard, officer: User, member: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    month = parse_month("2023-12")
    _, fingerprint = cards_and_figures(units_in_edition(), month, scorecard=maidstone)
    approve(month, fingerprint, None, scorecard=maidstone)
    publish_edition(month, scorecard=maidstone)
    page = client_for(officer).get("/scorecard/maidstone-borough/2023-12/").content.decode()
    edition = client_for(member).get("/editions/2023-12/").content.decode()
    pack = client_for(member).get("/editions/2023-12/pack/").content.decode()
    for html in (page, edition, pack):
        assert '<span class="rag rag-AMBER">AMBER</span> target missed, but within 10 % of it' in html
        assert '<span class="rag rag-RED">RED</span> target missed by more than 10 %' in html
        assert '<span class="rag rag-GREEN">GREEN</span> target met' in html
        assert "data only" in html.lower() and "not rated: shown for information" in html
        assert "floor" not in html.lower() and "Kent" not in html
        assert "a second arrow" in html  # its direction method is both


def test_a_scorecards_page_is_provisional_by_its_own_edition_not_the_default_ones(  # type: ignore[no-untyped-def]
    demo: None, officer: User, client_for
) -> None:
    """The demo publishes the QPR as at September 2024 and the default scorecard only as at October 2024."""
    client: Client = client_for(officer)
    unpublished = "the September 2024 edition has not been published"
    qpr = client.get("/scorecards/QPR/scorecard/kent/2024-09/").content.decode()
    assert unpublished not in qpr
    assert "Published to members as version 1" in qpr
    # Its figures are those the QPR published: none is marked provisional (the key's sample mark aside).
    assert qpr.count('class="provisional-mark"') == 1
    assert unpublished in client.get("/scorecard/kent/2024-09/").content.decode()
