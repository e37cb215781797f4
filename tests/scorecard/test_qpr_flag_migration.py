"""The migration that removes the qpr flag: membership of the QPR scorecard says it now.

A tick the admin set after 0009 without a membership is carried over, unless the history shows the indicator
was taken out of the QPR after it was last ticked; undoing the migration ticks the QPR's members again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("indicators", "0012_definition_history_for_scorecards_and_units")]
AFTER = [("indicators", "0013_remove_indicator_qpr")]
COMMON = {"polarity": "H", "data_period": "MS", "frequency": "monthly", "reported_for": "district", "unit": "percent"}
DAY = datetime(2025, 1, 1, tzinfo=UTC)


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def back_to_latest() -> None:
    """Leave the database as the other tests expect."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_ticks_without_a_membership_join_the_qpr_unless_taken_out_since() -> None:
    apps = migrate(BEFORE)
    Indicator = apps.get_model("indicators", "Indicator")
    Scorecard = apps.get_model("indicators", "Scorecard")
    Membership = apps.get_model("indicators", "ScorecardMembership")
    Change = apps.get_model("indicators", "DefinitionChange")
    qpr = Scorecard.objects.create(code="QPR", title="Quarterly", organisation="Shire", cadence="quarterly")
    made = {
        code: Indicator.objects.create(
            code=code, name=code, section="S", table="T", display_order=order, qpr=code != "UNTICKED", **COMMON
        )
        for order, code in enumerate(["MEMBER", "TICKED", "TAKEN-OUT", "BACK-IN", "UNTICKED"], start=1)
    }
    Membership.objects.create(scorecard=qpr, indicator=made["MEMBER"], section="Q", table="Q", order=9)

    def change(code: str, days: int, what: str, changes: dict[str, list[str]]) -> None:
        Change.objects.create(
            indicator=made[code], what=what, changes=changes, reason="r", at=DAY + timedelta(days=days)
        )

    change("TICKED", 1, "definition", {"qpr": ["no", "yes"]})  # ticked in the admin after 0009
    change("TAKEN-OUT", 2, "in scorecard QPR", {"scorecard": ["QPR", ""]})  # the flag was left behind
    change("BACK-IN", 2, "in scorecard QPR", {"scorecard": ["QPR", ""]})
    change("BACK-IN", 3, "definition", {"qpr": ["yes", "no"]})
    change("BACK-IN", 4, "definition", {"qpr": ["no", "yes"]})  # ticked again after leaving

    apps = migrate(AFTER)
    Membership = apps.get_model("indicators", "ScorecardMembership")
    Change = apps.get_model("indicators", "DefinitionChange")
    members = {
        m.indicator.code: (m.section, m.table, m.order) for m in Membership.objects.filter(scorecard__code="QPR")
    }
    assert members == {"MEMBER": ("Q", "Q", 9), "TICKED": ("S", "T", 2), "BACK-IN": ("S", "T", 4)}
    carried = Change.objects.get(indicator__code="TICKED", what="in scorecard QPR")
    assert carried.scorecard.code == "QPR" and carried.changes["scorecard"] == ["", "QPR"]
    assert "qpr" not in {f.name for f in apps.get_model("indicators", "Indicator")._meta.get_fields()}

    apps = migrate(BEFORE)  # undone: the QPR's members are ticked, the others not
    ticked = set(apps.get_model("indicators", "Indicator").objects.filter(qpr=True).values_list("code", flat=True))
    assert ticked == {"MEMBER", "TICKED", "BACK-IN"}
    back_to_latest()


@pytest.mark.django_db(transaction=True)
def test_without_a_qpr_scorecard_the_ticks_go_with_the_column() -> None:
    apps = migrate(BEFORE)
    apps.get_model("indicators", "Indicator").objects.create(
        code="A1", name="A", section="S", table="T", qpr=True, **COMMON
    )
    apps = migrate(AFTER)
    assert not apps.get_model("indicators", "Scorecard").objects.exists()
    assert not apps.get_model("indicators", "ScorecardMembership").objects.exists()
    assert apps.get_model("indicators", "Indicator").objects.get().code == "A1"
    back_to_latest()
