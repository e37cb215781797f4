"""What officers' pages ask: is a month published, which figures are provisional, what changed since."""

from __future__ import annotations

from decimal import Decimal

import pytest

from districts.models import ReportingUnit
from indicators.analysis.periods import parse_month
from scorecard.assembly import build_scorecard
from scorecard.editions.publishing import publish_edition
from scorecard.editions.queries import changes_since, is_published, provisional_keys

from .conftest import OCTOBER, approve_now, month_measurement, revise

pytestmark = pytest.mark.django_db


def test_is_published_gives_the_latest_version(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        assert is_published(OCTOBER).number == 1
    approve_now()
    publish_edition(OCTOBER)
    assert is_published(OCTOBER).number == 2
    assert is_published(parse_month("Sep-24")) is None


def test_nothing_is_provisional_right_after_publication(demo: None) -> None:
    rows = build_scorecard(ReportingUnit.objects.get(name="Dartford"), OCTOBER).rows
    assert provisional_keys(OCTOBER, rows) == set()


def test_a_revised_figure_is_provisional_until_republished(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    dartford = ReportingUnit.objects.get(name="Dartford")
    measurement = month_measurement("APP17", "Dartford")
    revise(measurement, Decimal("58.4"))
    rows = build_scorecard(dartford, OCTOBER).rows
    with django_assert_num_queries(2):  # the version, then the published units' rows
        assert provisional_keys(OCTOBER, rows) == {(dartford.pk, measurement.indicator_id)}
    approve_now()
    publish_edition(OCTOBER)
    assert provisional_keys(OCTOBER, rows) == set()


def test_everything_is_provisional_in_an_unpublished_month(demo: None) -> None:
    rows = build_scorecard(ReportingUnit.objects.authority(), parse_month("Sep-24")).rows
    assert provisional_keys(parse_month("Sep-24"), rows) == {(row.unit.pk, row.indicator.pk) for row in rows}


def test_changes_since_lists_revisions_of_printed_figures_only(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    version = is_published(OCTOBER)
    assert changes_since(version) == []
    revise(month_measurement("APP17", "Dartford"), Decimal("58.4"))
    revise(month_measurement("APP17", "Kent", parse_month("Jun-24")), Decimal("31.0"))  # in Kent's trend
    with django_assert_num_queries(1):
        changes = changes_since(version)
    assert [(c.indicator, c.unit, c.period, c.old, c.new) for c in changes] == [
        ("APP17", "Kent", "Jun-24", "30.8", "31"),
        ("APP17", "Dartford", "Oct-24", "66.7", "58.4"),
    ]
    approve_now()
    newer = publish_edition(OCTOBER).version
    assert changes_since(newer) == []
