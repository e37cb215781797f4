"""A published version's units are stored one record each, so a page reads only the units it shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit
from indicators.analysis.periods import month
from indicators.models import Measurement
from scorecard.assembly import build_scorecard
from scorecard.editions.publishing import units_in_edition
from scorecard.editions.queries import is_published, provisional_keys
from scorecard.models import EditionUnit, EditionVersion

OCTOBER = month(2024, 10)


def test_publishing_keeps_each_unit_apart_and_the_document_whole(demo: None) -> None:
    version = EditionVersion.objects.of_scorecard().get(edition__month=OCTOBER.start)
    assert "units" not in version.snapshot
    units = version.units
    assert [unit["name"] for unit in units] == [unit.name for unit in units_in_edition()]  # in edition order
    assert EditionUnit.objects.filter(version=version).count() == len(units) == 13
    assert version.document() == {**version.snapshot, "units": units}
    assert version.unit("dover")["name"] == "Dover" and version.unit()["kind"] == "authority"
    assert version.unit("nowhere") is None


def test_provisional_marks_read_only_the_pages_units(demo: None) -> None:
    dover = ReportingUnit.objects.get(name="Dover")
    Measurement.objects.filter(indicator__code="SCS03", unit__name="Dover CSWT", period_start=OCTOBER.start).update(
        value=Decimal("12.3")
    )
    rows = build_scorecard(dover, OCTOBER).rows
    version = is_published(OCTOBER)
    with CaptureQueriesContext(connection) as queries:
        only_dover = provisional_keys(OCTOBER, rows, version, units=[dover])
    read = [query["sql"] for query in queries.captured_queries if "scorecard_editionunit" in query["sql"]]
    assert len(read) == 1 and f"IN ({dover.pk})" in read[0]
    assert only_dover == provisional_keys(OCTOBER, rows, version)  # the same answer as reading every unit
    team = ReportingUnit.objects.get(name="Dover CSWT")
    assert {unit_id for unit_id, _ in only_dover} == {team.pk}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_published_units_out_of_the_snapshot_and_back() -> None:
    executor = MigrationExecutor(connection)
    before, after = [("scorecard", "0003_data_version")], [("scorecard", "0004_edition_units")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    Edition = old_apps.get_model("scorecard", "Edition")
    Version = old_apps.get_model("scorecard", "EditionVersion")
    units = [
        {"id": 1, "name": "Kent", "slug": "kent", "kind": "authority", "has_data": True, "teams": [], "rows": []},
        {"id": 2, "name": "Dover", "slug": "dover", "kind": "district", "has_data": False, "teams": [], "rows": []},
    ]
    edition = Edition.objects.create(month=OCTOBER.start)
    Version.objects.create(
        edition=edition,
        number=1,
        published_at="2024-12-09T10:00:00Z",
        suppression_threshold=5,
        snapshot={"format": 1, "month": "2024-10", "units": units, "commentary": []},
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    version = new_apps.get_model("scorecard", "EditionVersion").objects.get()
    assert version.snapshot == {"format": 1, "month": "2024-10", "commentary": []}
    stored = new_apps.get_model("scorecard", "EditionUnit").objects.filter(version=version).order_by("position")
    assert [(unit.unit_id, unit.slug, unit.has_data, unit.data) for unit in stored] == [
        (1, "kent", True, units[0]),
        (2, "dover", False, units[1]),
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert old_apps.get_model("scorecard", "EditionVersion").objects.get().snapshot["units"] == units
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
