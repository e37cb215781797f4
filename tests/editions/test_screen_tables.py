"""The member's edition pages on a screen (issue 12): the trend as a sparkline with its values in words,
every month one link away, each table in its own scrolling box, a headline for a unit with no data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from scorecard import sparkline
from scorecard.editions import presentation

pytestmark = pytest.mark.django_db


def first_table(html: str) -> str:
    start = html.index('<div class="table-scroll"')
    return html[start : html.index("</table>", start)]


def test_the_trend_is_a_sparkline_whose_words_name_every_month(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(member).get("/editions/2024-10/").content.decode()
    table = first_table(html)
    assert 'role="region"' in table and 'tabindex="0"' in table and 'aria-label="Education Monthly"' in table
    assert "Apr-24 to Oct-24" in table and '<th scope="col" class="num trend">' not in table
    assert '<span class="visually-hidden">Trend: Apr-24 19.9, May-24 13.7, Jun-24 30.8' in table
    assert 'href="?trend=full"' in html


def test_every_month_has_its_column_on_request(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(member).get("/editions/2024-10/?trend=full").content.decode()
    table = first_table(html)
    for label in ("Apr-24", "May-24", "Jun-24", "Jul-24", "Aug-24", "Sep-24"):
        assert f'<th scope="col" class="num trend">{label}</th>' in table
    assert 'class="sparkline"' not in table and "Show the trend as a sparkline" in html


def test_a_unit_with_no_data_has_a_headline_and_no_empty_counts(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(member).get("/editions/2024-10/sevenoaks/").content.decode()
    assert '<h2 class="no-data">No data received for Sevenoaks for October 2024</h2>' in html
    assert 'class="summary"' not in html


def value(period: str, text: str | None, suppressed: bool = False) -> dict[str, object]:
    return {
        "period": period,
        "value": text,
        "numerator": None,
        "denominator": None,
        "status": "" if text else "n/a",
        "suppressed": suppressed,
        "numerator_suppressed": False,
        "denominator_suppressed": False,
        "footnote": "",
    }


def test_a_suppressed_value_is_a_gap_in_the_drawing_and_c_in_the_words() -> None:
    row = {"decimals": 0, "trend": [value("Sep-24", "10"), value("Oct-24", "3", suppressed=True)]}
    points = presentation.spark_points(row)
    assert points[1].value is None and points[1].text == "[c]"
    drawn = sparkline.sparkline(points)
    assert "Oct-24 [c]" in drawn
    # The hidden figure leaves no trace in the drawing: it is drawn as if there were no value at all.
    assert sparkline.svg(points) == sparkline.svg([points[0], sparkline.Point("Oct-24", None, "")])


def test_the_sparkline_breaks_at_a_missing_value_and_marks_the_latest() -> None:
    points = [
        sparkline.Point("Jan", Decimal(1), "1"),
        sparkline.Point("Feb", Decimal(2), "2"),
        sparkline.Point("Mar", None, "N/A"),
        sparkline.Point("Apr", Decimal(4), "4"),
        sparkline.Point("May", Decimal(3), "3"),
    ]
    drawn = sparkline.svg(points)
    assert drawn.count("<polyline") == 2 and drawn.count('class="spark-last"') == 1
    assert 'aria-hidden="true"' in drawn
    assert sparkline.words(points) == "Jan 1, Feb 2, Mar N/A, Apr 4, May 3"
    assert sparkline.sparkline([]) == ""
