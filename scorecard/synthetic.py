"""Synthetic history for the demo: three years of generated values before April 2024.

The real demo data has at most seven monthly points, too few for statistical
process control (limits need 13). ``load_demo --synthetic-history`` adds
generated values so the SPC view can be seen and tried; every one is stored
with ``synthetic=True`` and marked as such wherever it is shown.
"""

from __future__ import annotations

import random
import statistics
import zlib
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

from indicators.analysis import periods
from indicators.analysis.numbers import round_half_up
from indicators.analysis.periods import Period, PeriodKind
from indicators.models import Indicator, Measurement

YEARS_OF_HISTORY = 3
FIRST_REAL_MONTH = periods.month(2024, 4)


def generate_series(real: list[Decimal], length: int, *, seed: int, decimals: int, percent: bool) -> list[Decimal]:
    """``length`` plausible values to put before ``real`` (oldest first).

    A mean-reverting random walk around the real values' mean, with their
    month-to-month spread, and one level shift a year in, so that the SPC
    rules have something to find. Deterministic for a seed.
    """
    rng = random.Random(seed)
    floats = [float(v) for v in real]
    centre = statistics.fmean(floats)
    moving_ranges = [abs(b - a) for a, b in pairwise(floats)]
    spread = statistics.fmean(moving_ranges) / 1.128 if moving_ranges and any(moving_ranges) else 0.0
    spread = spread or max(abs(centre) * 0.05, 0.5)
    shift = rng.choice((-1.5, 1.5)) * spread
    values: list[Decimal] = []
    current = centre + shift
    for index in range(length):
        level = centre + (shift if index < length // 3 else 0.0)
        current = level + 0.5 * (current - level) + rng.gauss(0, spread * 0.8)
        bounded = min(max(current, 0.0), 100.0) if percent else max(current, 0.0) if centre >= 0 else current
        values.append(round_half_up(Decimal(repr(bounded)), decimals))
    return values


def history_periods(kind: PeriodKind, first_real: Period) -> list[Period]:
    count = YEARS_OF_HISTORY * periods.periods_per_year(kind)
    return [periods.shift(first_real, -offset) for offset in range(count, 0, -1)]


def add_synthetic_history() -> int:
    """Generate history for every monthly and quarterly series with real values. Idempotent."""
    indicators = {i.pk: i for i in Indicator.objects.filter(frequency__in=("monthly", "quarterly"))}
    series: dict[tuple[int, int], list[Measurement]] = defaultdict(list)
    for measurement in Measurement.objects.filter(indicator_id__in=indicators, period_kind__in=("M", "Q")).order_by(
        "period_start"
    ):
        series[(measurement.indicator_id, measurement.unit_id)].append(measurement)
    new: list[Measurement] = []
    for (indicator_id, unit_id), measured in series.items():
        real = [m.value for m in measured if m.value is not None and not m.synthetic]
        if not real:
            continue  # all N/A: nothing to imitate
        indicator = indicators[indicator_id]
        first = min(m.period for m in measured if not m.synthetic)
        stored = {m.period for m in measured}
        history = history_periods(first.kind, first)
        generated = generate_series(
            real,
            len(history),
            seed=zlib.crc32(f"{indicator.code}/{unit_id}".encode()),
            decimals=indicator.decimals,
            percent=indicator.unit == "percent",
        )
        new.extend(
            Measurement(
                indicator_id=indicator_id,
                unit_id=unit_id,
                period_kind=period.kind.value,
                period_start=period.start,
                value=value,
                synthetic=True,
            )
            for period, value in zip(history, generated, strict=True)
            if period not in stored
        )
    Measurement.objects.bulk_create(new, batch_size=2000)
    return len(new)


def remove_synthetic_history() -> int:
    deleted, _ = Measurement.objects.filter(synthetic=True).delete()
    return deleted
