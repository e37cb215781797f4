"""Synthetic demo history: plausible, deterministic, marked, idempotent, never over real figures."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from districts.models import ReportingUnit
from indicators.analysis.periods import parse_month
from indicators.models import Measurement
from scorecard.assembly import build_scorecard
from scorecard.synthetic import generate_series


def test_generated_series_is_deterministic_bounded_and_at_printed_precision() -> None:
    real = [Decimal(v) for v in ("96.0", "98.5", "99.1", "97.0")]
    first = generate_series(real, 36, seed=7, decimals=1, percent=True)
    assert first == generate_series(real, 36, seed=7, decimals=1, percent=True)
    assert first != generate_series(real, 36, seed=8, decimals=1, percent=True)
    assert len(first) == 36 and all(Decimal(0) <= v <= Decimal(100) for v in first)
    assert all(v == v.quantize(Decimal("0.1")) for v in first)


@pytest.mark.django_db
def test_load_demo_with_synthetic_history(demo: None) -> None:
    real_before = set(Measurement.objects.values_list("pk", "value"))
    out = io.StringIO()
    call_command("load_demo", "--synthetic-history", stdout=out)
    added = Measurement.objects.filter(synthetic=True).count()
    assert added > 0 and f"{added} generated values added" in out.getvalue()
    assert real_before <= set(Measurement.objects.values_list("pk", "value"))  # real figures untouched
    kent_app17 = Measurement.objects.filter(indicator__code="APP17", unit__name="Kent", period_kind="M")
    assert kent_app17.count() == 36 + 7
    assert not kent_app17.filter(synthetic=True, period_start__gte="2024-04-01").exists()
    call_command("load_demo", "--synthetic-history", stdout=io.StringIO())
    assert Measurement.objects.filter(synthetic=True).count() == added  # idempotent
    card = build_scorecard(ReportingUnit.objects.get(name="Kent"), parse_month("Jun-24"))
    assert card.shows_synthetic  # Jun-24's seven-month trend reaches back into the generated months
    call_command("load_demo", "--remove-synthetic-history", stdout=io.StringIO())
    assert not Measurement.objects.filter(synthetic=True).exists()
