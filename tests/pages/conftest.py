"""Helpers for the officer pages' tests: grow the demo data to show query counts stay fixed."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit, TeamService, UnitKind
from indicators.models import Benchmark, Indicator, Measurement, ScorecardMembership, Target


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def double_indicators() -> None:
    """A copy of every indicator, with its targets, benchmarks, every unit's values and its places in the
    scorecards (each copy just after its original): N becomes 2N on every page."""
    originals = list(Indicator.objects.all())
    for indicator in originals:
        old_pk = indicator.pk
        indicator.pk = None
        indicator.code = f"{indicator.code}-copy"
        indicator.printed_code = ""
        indicator.display_order += 1000
        indicator.save()
        for model in (Target, Benchmark, Measurement, ScorecardMembership):
            copies = list(model.objects.filter(indicator_id=old_pk))
            for copy in copies:
                copy.pk = None
                copy.indicator = indicator
                if isinstance(copy, ScorecardMembership):
                    copy.order += 1000
            model.objects.bulk_create(copies)


def add_districts(count: int = 2) -> list[ReportingUnit]:
    """New districts in an existing area, each with a social work team and Dover's values copied."""
    area = ReportingUnit.objects.get(name="South Kent")
    dover = ReportingUnit.objects.get(name="Dover")
    dover_team = ReportingUnit.objects.get(name="Dover CSWT")
    added = []
    for number in range(count):
        district = ReportingUnit.objects.create(
            name=f"Newtown {number}", kind=UnitKind.DISTRICT, area=area, display_order=500 + number
        )
        team = ReportingUnit.objects.create(
            name=f"Newtown {number} CSWT",
            kind=UnitKind.TEAM,
            service=TeamService.SOCIAL_WORK,
            display_order=600 + number,
        )
        team.districts_served.set([district])
        for source, target_unit in ((dover, district), (dover_team, team)):
            copies = list(Measurement.objects.filter(unit=source))
            for copy in copies:
                copy.pk = None
                copy.unit = target_unit
            Measurement.objects.bulk_create(copies)
        added.append(district)
    return added
