"""Officer pages mark what members have not seen (provisional), number footnotes, and show definition history."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from indicators.models import DefinitionChange, Indicator, Measurement

pytestmark = pytest.mark.django_db
PROVISIONAL = 'class="provisional-mark" title="Provisional: not yet published"'


def page(client: Client, user: User, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row_html(html: str, code: str) -> str:
    """The table row whose code cell links to ``code``."""
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*?/indicators/{re.escape(code)}/\?(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, code
    return match.group(0)


def test_a_published_month_marks_only_the_figures_revised_since(demo: None, officer: User, client: Client) -> None:
    html = page(client, officer, "/scorecard/kent/2024-10/")
    assert "Published to members as version 1" in html
    assert PROVISIONAL not in html  # the demo publishes October exactly as loaded
    measurement = Measurement.objects.get(indicator__code="APP17", unit__name="Kent", period_start="2024-10-01")
    measurement.value = Decimal("77.5")
    measurement.save(update_fields=["value"])
    html = page(client, officer, "/scorecard/kent/2024-10/")
    assert PROVISIONAL in row_html(html, "APP17")
    assert PROVISIONAL not in row_html(html, "SCS03")


def test_an_unpublished_month_is_provisional_throughout(demo: None, officer: User, client: Client) -> None:
    html = page(client, officer, "/scorecard/dover/2024-09/")
    assert "edition has not been published. Every figure here is provisional" in html
    assert PROVISIONAL in row_html(html, "APP17")


def test_footnotes_are_numbered_and_listed(demo: None, officer: User, client: Client) -> None:
    html = page(client, officer, "/scorecard/kent/2024-10/")
    note = Measurement.objects.get(
        indicator__code="CYPE8", unit__name="Kent", period_kind="Q", period_start="2024-07-01"
    ).footnote
    assert note, "the demo marks CYPE8's latest quarter as not yet published by the MoJ"
    assert '<sup class="footnote-mark"><a href="#footnote-1">1</a></sup>' in row_html(html, "CYPE8")
    assert f'<li id="footnote-1" value="1">{note}</li>' in html


def test_the_indicator_page_shows_definition_history(demo: None, officer: User, mi_user: User, client: Client) -> None:
    indicator = Indicator.objects.get(code="APP17")
    DefinitionChange.objects.create(
        indicator=indicator,
        what="definition",
        changes={"name": ["Old name", "New"]},
        reason="Renamed by the DfE",
        user=mi_user,
        at=timezone.now(),
    )
    html = page(client, officer, "/indicators/APP17/?area=kent")
    assert "Changes to the definition and targets" in html
    assert "Renamed by the DfE" in html and "name: Old name → New" in html
