"""PostgreSQL compares and writes an upload set-based (indicators/importing/staging.py); SQLite in Python.
Both must give the same preview, warnings and writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from indicators.importing import load, staging
from indicators.importing.preview import (
    check_file,
    diff,
    existing_for,
    figures_of,
    jump_warnings,
    staged_diff,
    staged_jump_warnings,
)
from indicators.models import Measurement, MeasurementRevision
from tests.conftest import skip_or_fail

from .builders import generate_rows, long_csv

pytestmark = pytest.mark.django_db


def stored_lines() -> tuple[str, str]:
    """Long and wide lines for stored monthly values: some tripled (a jump), some the same, some moved a little."""
    long_lines, wide_lines = [], []
    stored = (
        Measurement.objects.filter(period_kind="M", value__isnull=False)
        .select_related("indicator", "unit")
        .order_by("pk")[:90]
    )
    for number, measurement in enumerate(stored):
        value = measurement.value
        new = {0: value * 3, 1: value, 2: value + 1}[number % 3]
        line = f"{measurement.indicator.code},{measurement.unit.name},{measurement.period.label},{new:f}"
        (long_lines if number < 60 else wide_lines).append(line)
    return "".join(f"{line},,,\n" for line in long_lines), "".join(line + "\n" for line in wide_lines)


def files() -> list[tuple[str, bytes]]:
    long_text, wide_lines = stored_lines()
    new_rows = long_csv(generate_rows()[:300])  # values for districts with none stored
    wide_files = []  # one file a value: each wide file here has a single period column
    for line in wide_lines.splitlines()[:5]:
        code, area, period, value = line.split(",")
        wide_files.append((f"wide-{code}.csv", f"indicator,area,{period}\n{code},{area},{value}\n".encode()))
    return [("long.csv", new_rows + long_text.encode()), *wide_files]


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the set-based upload path runs on PostgreSQL only")


def test_the_set_based_preview_agrees_with_the_portable_one(postgresql, demo) -> None:
    for number, (filename, content) in enumerate(files()):
        report = check_file(filename, content)
        assert report.ok, report.errors[:3]
        portable = diff(report.values, existing_for(report.values))
        touched = {change.item.key for change in (*portable.new, *portable.changed)}
        with transaction.atomic():
            staging.stage(report.values)
            staged = staged_diff(report.values)
            staged_warnings = [w.message for w in staged_jump_warnings(report.values)]
        assert staged.counts == portable.counts
        assert [c.as_dict() for c in staged.changed] == [c.as_dict() for c in portable.changed]
        assert [c.as_dict() for c in staged.new] == [c.as_dict() for c in portable.new]
        assert staged_warnings == [w.message for w in jump_warnings(report.values, touched)]
        if number == 0:  # the long file: new values, changed ones and unchanged ones, and some jumps
            assert staged.new and staged.changed and staged.unchanged and staged_warnings


def test_the_set_based_path_finds_jumps(postgresql, demo) -> None:
    content = files()[0][1]
    report = check_file("long.csv", content)
    with transaction.atomic():
        staging.stage(report.values)
        assert any("far outside" in w.message for w in staged_jump_warnings(report.values))


def test_the_set_based_write_stores_what_the_preview_showed_with_revisions(postgresql, demo, mi_user) -> None:
    for filename, content in files():
        report = check_file(filename, content)
        expected = diff(report.values, existing_for(report.values))
        revisions_before = MeasurementRevision.objects.count()
        with transaction.atomic():
            applied = load.apply_values(report.values, reason="test", user=mi_user)
        assert applied.as_dict() == expected.counts
        assert MeasurementRevision.objects.count() - revisions_before == len(expected.changed)
        now = existing_for(report.values)
        for change in (*expected.new, *expected.changed):
            assert figures_of(now[change.item.key]) == change.new
        for change in expected.changed:
            revision = MeasurementRevision.objects.filter(measurement=now[change.item.key]).latest("pk")
            assert (revision.old_value, revision.new_value) == (change.old[0], change.new[0])
            assert revision.changed_by == mi_user and revision.reason == "test"
        # Applying the same values again changes nothing.
        with transaction.atomic():
            assert load.apply_values(report.values, reason="again").as_dict() == {
                "new": 0,
                "changed": 0,
                "unchanged": len(report.values),
            }


def test_the_wide_layout_keeps_the_stored_ratio_on_the_set_based_path(postgresql, demo) -> None:
    stored = (
        Measurement.objects.filter(numerator__isnull=False, period_kind="M").select_related("indicator", "unit").first()
    )
    content = (
        f"indicator,area,{stored.period.label}\n{stored.indicator.code},{stored.unit.name},{stored.value + 1:f}\n"
    ).encode()
    report = check_file("w.csv", content)
    with transaction.atomic():
        load.apply_values(report.values, reason="wide")
    stored_after = Measurement.objects.get(pk=stored.pk)
    assert stored_after.value == stored.value + 1
    assert (stored_after.numerator, stored_after.denominator) == (stored.numerator, stored.denominator)
    assert Decimal(stored_after.numerator) > 0
