"""load_demo: idempotent, validated, all or nothing; demo users refused without DEBUG."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from districts.models import ReportingUnit
from indicators.models import Indicator, Measurement, MeasurementRevision, Target
from scorecard.demo import DEMO_DIR, DemoDataError, load_demo

pytestmark = pytest.mark.django_db


def test_loading_twice_changes_nothing() -> None:
    first = load_demo()
    assert first["indicators"] == 59 and first["measurements"] == 1814
    counts = (
        ReportingUnit.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        Measurement.objects.count(),
    )
    second = load_demo()
    assert set(second.values()) == {0}
    assert (
        ReportingUnit.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        Measurement.objects.count(),
    ) == counts
    assert not MeasurementRevision.objects.exists()


def test_the_geography_has_its_real_shapes() -> None:
    load_demo()
    t_and_m = ReportingUnit.objects.get(name="Sevenoaks North & Tonbridge and Malling CSWT")
    assert {d.name for d in t_and_m.districts_served.all()} == {"Sevenoaks", "Tonbridge and Malling"}
    assert ReportingUnit.objects.get(name="Swale").serving_teams.filter(service="cswt").count() == 2
    assert ReportingUnit.objects.get(name="Dover").area.name == "South Kent"
    assert ReportingUnit.objects.get(aliases__alias__iexact="gravesend").name == "Gravesham"


def test_a_changed_value_is_revised_not_overwritten(tmp_path: Path) -> None:
    load_demo()
    changed_dir = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, changed_dir)
    path = changed_dir / "measurements.csv"
    path.write_text(path.read_text().replace("APP17,Kent,Oct-24,76.9,90,117,", "APP17,Kent,Oct-24,77.0,90,117,"))
    assert load_demo(changed_dir)["measurements"] == 1
    revision = MeasurementRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (Decimal("76.9"), Decimal("77.0"))


def test_a_bad_record_is_refused_with_its_line_and_nothing_loads(tmp_path: Path) -> None:
    bad_dir = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, bad_dir)
    path = bad_dir / "targets.csv"
    # A floor above the target of a higher-is-better indicator.
    path.write_text(path.read_text().replace("APP17,2024-25,all,60,50,", "APP17,2024-25,all,60,70,"))
    with pytest.raises(DemoDataError, match=r"targets.csv line 2: APP17 2024-25: the floor 70 is above the target"):
        load_demo(bad_dir)
    assert not Indicator.objects.exists() and not ReportingUnit.objects.exists()


@override_settings(DEBUG=True)
def test_demo_users_one_per_role() -> None:
    call_command("create_demo_users", stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())  # a second run keeps them
    assert {u.username: [g.name for g in u.groups.all()] for u in User.objects.all()} == {
        "mi": ["MI team"],
        "officer": ["Officers"],
        "member": ["Members"],
        "lead": ["Service leads"],
    }
    assert User.objects.get(username="officer").check_password("officer-demo-password")


@override_settings(DEBUG=False)
def test_demo_users_are_refused_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("create_demo_users", stdout=io.StringIO())
    assert not User.objects.exists()
