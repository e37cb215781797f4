"""The comparison matrix and the indicator page."""

from __future__ import annotations

import json
import re

import pytest
from django.db.models import Q
from django.utils import timezone

from indicators.models import Indicator, Measurement, MeasurementRevision


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


def first_column_order(html: str, caption: str) -> list[str]:
    table = html[html.index(f"<caption>{caption}</caption>") :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r'<a href="/indicators/([^/]+)/\?area=kent', body)


def unit_cells(html: str, caption: str, column: int) -> list[str]:
    table = html[html.index(f"<caption>{caption}</caption>") :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)[column] for row in body.split("<tr>")[1:]]


def test_compare_shows_every_district_and_team_with_links_to_the_indicator_page(officer_client):
    html = officer_client.get("/compare/2024-10/").content.decode()
    for name in ("Dartford", "Tunbridge Wells", "Swale Central CSWT", "Thanet EHU"):
        assert f">{name}" in html
    assert 'href="/indicators/APP17/?area=dover&amp;month=2024-10"' in html


def test_compare_sorts_server_side_by_a_unit_or_by_indicator(officer_client):
    caption = "Education Annual — districts"
    by_code = first_column_order(officer_client.get("/compare/?sort=indicator").content.decode(), caption)
    assert by_code == sorted(by_code, key=lambda code: Indicator.objects.get(code=code).printed_code.casefold())
    html = officer_client.get("/compare/?sort=dartford").content.decode()
    # Find Dartford's column by the header order.
    headers = re.findall(
        r"<th[^>]*>(?:<a[^>]*>)?([^<]+)", html[html.index(f"<caption>{caption}</caption>") :].split("</thead>")[0]
    )
    cells = unit_cells(html, caption, headers.index("Dartford"))
    ranks = [0 if "rag-RED" in c else 1 if "rag-AMBER" in c else 2 if "rag-GREEN" in c else 3 for c in cells]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1
    assert 'aria-sort="ascending"' in html


def test_compare_filters_apply_and_export_the_rows_shown(officer_client):
    page = officer_client.get("/compare/?section=Education&q=EHCP")
    assert "ICS Monthly" not in page.content.decode().split("</form>", 1)[1]
    csv_text = officer_client.get("/compare/?section=Education&q=EHCP&format=csv").content.decode()
    lines = csv_text.strip().splitlines()
    indicators = {line.split(",")[1] for line in lines[1:]}
    named = Q(code__icontains="EHCP") | Q(printed_code__icontains="EHCP") | Q(name__icontains="EHCP")
    expected = Indicator.objects.filter(named, section="Education").values_list("code", flat=True)
    assert indicators and indicators == set(expected)


def test_indicator_page_draws_charts_from_json_with_comparisons_off_until_asked(officer_client):
    response = officer_client.get("/indicators/APP17/?area=dover")
    html = response.content.decode()
    figure = json.loads(re.search(r'<script id="trend-figure" type="application/json">(.*?)</script>', html, re.S)[1])
    names = {trace["name"]: trace for trace in figure["data"]}
    assert names["Dover"].get("visible", True) is True
    assert names["Kent"]["visible"] == "legendonly" and names["Ashford"]["visible"] == "legendonly"
    assert "Target" in names and "Floor" in names
    assert any(name.startswith("England") for name in names) and any(name.startswith("Benchmark") for name in names)
    bars = json.loads(re.search(r'<script id="bar-figure" type="application/json">(.*?)</script>', html, re.S)[1])
    bar = bars["data"][0]
    assert {word for _, word in bar["customdata"]} <= {"RED", "AMBER", "GREEN", "not rated"} and len(bar["y"]) >= 6


def test_indicator_page_is_csp_safe_and_serves_plotly_from_static(officer_client):
    html = officer_client.get("/indicators/SCS13/").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or 'src="/static/js/' in tag
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "/static/js/plotly-basic.min.js" in html
    # Nothing from another site (no CDN). Not a search for the letters "cdn": the page's random CSRF
    # token sometimes holds them.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


def test_indicator_page_tables_hold_every_number(officer_client):
    html = officer_client.get("/indicators/SCS13/").content.decode()
    assert "<caption>SCS13 values for Kent, newest first</caption>" in html
    assert (
        "<caption>Targets by year (or by period, where one is set for a period alone)</caption>" in html
        and "17.5–22.5" in html
    )  # the T band
    assert "<caption>Latest value of each unit</caption>" in html


def test_indicator_page_lists_revisions(officer_client, officer):
    measurement = Measurement.objects.filter(indicator__code="APP17", unit__name="Dover").first()
    MeasurementRevision.objects.create(
        measurement=measurement,
        old_value=50,
        new_value=measurement.value,
        changed_at=timezone.now(),
        changed_by=officer,
        reason="late returns",
    )
    html = officer_client.get("/indicators/APP17/?area=dover").content.decode()
    revisions = html[html.index("<caption>Changed values, newest first</caption>") :]
    assert "late returns" in revisions and ">50<" in revisions and "officer" in revisions


@pytest.mark.parametrize(
    "url", ["/indicators/NOPE/", "/indicators/APP17/?area=nowhere", "/indicators/APP17/?month=2020-01"]
)
def test_indicator_page_404s_say_why(officer_client, url):
    response = officer_client.get(url)
    assert response.status_code == 404 and 'role="alert"' in response.content.decode()


def test_indicator_page_export(officer_client):
    response = officer_client.get("/indicators/APP17/?area=dover&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="indicator-app17-dover-2024-10.csv"'
    assert response.content.decode().count("\nDover,APP17,") == 1
