"""The migration that makes today's scorecard and turns the qpr ticks into the QPR scorecard."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("indicators", "0008_scorecards_and_rating_rules"), ("districts", "0001_initial")]
AFTER = [("indicators", "0009_default_and_qpr_scorecards")]


@pytest.mark.django_db(transaction=True)
def test_existing_indicators_become_members_and_qpr_ticks_the_qpr_scorecard() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Indicator = apps.get_model("indicators", "Indicator")
    apps.get_model("districts", "ReportingUnit").objects.create(name="Shire", slug="shire", kind="authority")
    common = {
        "polarity": "H",
        "data_period": "MS",
        "frequency": "monthly",
        "reported_for": "district",
        "unit": "percent",
    }
    Indicator.objects.create(code="A1", name="A", section="S1", table="T1", display_order=2, qpr=True, **common)
    Indicator.objects.create(code="B1", name="B", section="S2", table="T2", display_order=1, **common)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Scorecard = apps.get_model("indicators", "Scorecard")
    default = Scorecard.objects.get(is_default=True)
    assert default.organisation == "Shire" and default.cadence == "monthly"
    assert [(m.indicator.code, m.section, m.table, m.order) for m in default.memberships.order_by("order")] == [
        ("B1", "S2", "T2", 1),
        ("A1", "S1", "T1", 2),
    ]
    qpr = Scorecard.objects.get(code="QPR")
    assert (qpr.cadence, qpr.direction, qpr.is_default) == ("quarterly", "trend", False)
    assert [m.indicator.code for m in qpr.memberships.all()] == ["A1"]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect


@pytest.mark.django_db(transaction=True)
def test_published_versions_take_their_scorecards_directorate() -> None:
    before = [("scorecard", "0008_editions_per_scorecard_required")]
    after = [("scorecard", "0009_version_keeps_its_directorate")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Scorecard = apps.get_model("indicators", "Scorecard")
    Edition = apps.get_model("scorecard", "Edition")
    EditionVersion = apps.get_model("scorecard", "EditionVersion")
    editions = [
        Edition.objects.create(
            scorecard=Scorecard.objects.create(code=code, title=code, organisation="Shire", directorate=directorate),
            month=date(2024, 10, 1),
        )
        for code, directorate in (("A", "Children's services"), ("B", ""))
    ]
    for edition in editions:
        EditionVersion.objects.create(
            edition=edition, number=1, published_at=timezone.now(), suppression_threshold=5, snapshot={}
        )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    versions = apps.get_model("scorecard", "EditionVersion").objects.order_by("edition__scorecard__code")
    assert [version.directorate for version in versions] == ["Children's services", ""]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect
