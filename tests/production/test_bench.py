"""`make bench`'s generator and report, at a tiny size (the benchmark itself is not part of the tests)."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.generate import Size, generate
from bench.run import markdown
from districts.models import ReportingUnit
from indicators.models import Measurement
from scorecard.models import EditionUnit, EditionVersion

from ..conftest import skip_or_fail


@pytest.fixture
def postgresql(db: None) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the benchmark generates its data with PostgreSQL's COPY: set DATABASE_URL=postgres://…")


def test_the_generator_fills_a_fresh_database_and_publishes_its_month(postgresql: None) -> None:
    counts = generate(Size("tiny", districts=3, teams=6, indicators=20))
    assert counts["districts"] == ReportingUnit.objects.districts().count() == 3
    assert counts["values"] == Measurement.objects.count() > 0
    version = EditionVersion.objects.get()
    assert EditionUnit.objects.filter(version=version).count() == 1 + 3  # the authority and each district
    # A second run replaces the data, and publishes afresh as version 1. (Each run commits on its own;
    # inside the test's one transaction, the deferred foreign-key checks must run before TRUNCATE.)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    generate(Size("tiny", districts=2, teams=4, indicators=20))
    assert ReportingUnit.objects.districts().count() == 2 and EditionVersion.objects.get().number == 1


def test_the_report_names_every_figure_and_the_acceptance_verdicts() -> None:
    figure = {"median_ms": 30.0, "floor_ms": 15.0, "ratio": 2.0, "queries": 6}
    results = {
        "when": "2026-11-22T12:00:00+00:00",
        "machine": {"cpus": 2, "python": "3.11.7"},
        "sizes": {
            "region": {
                "counts": {"districts": 150, "teams": 300, "indicators": 100, "values": 1_500_000},
                "generate_s": 30,
                "seconds": 200,
                "figures": {
                    "district scorecard: assembly": figure,
                    "district scorecard: page": {**figure, "median_ms": 160.0, "ratio": 10.7},
                    "district scorecard: page, cold cache": {**figure, "median_ms": 240.0, "ratio": 16.0},
                    "upload 100k rows: end to end": {
                        **figure,
                        "preview_ms": 1.0,
                        "commit_ms": 2.0,
                        "commit_ratio": 2.9,
                    },
                },
            }
        },
    }
    report = markdown(results)
    assert "| district scorecard: page, cold cache | 240.0 | 15.0 | 16.00× | 6 |" in report
    assert "- district scorecard assembly within 3× of raw SQL: 2.00 (met)" in report
    assert "- district scorecard page median < 150 ms: 160.00 (NOT met)" in report
    assert "first view after a write, cache cold: 240.00 ms" in report
    assert "- (no goal) the 100k-row upload end to end (preview, then commit) against parse + COPY: 2.00×" in report
