"""Helpers for the edition tests: simulate uploads the way the upload pipeline writes them."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from districts.models import ReportingUnit
from indicators.analysis.periods import Period, parse_month
from indicators.models import Measurement, MeasurementRevision, ReportedFor

OCTOBER = parse_month("2024-10")
# The six districts whose figures the demo data set does not ship: they arrive by upload.
UPLOADED_LATER = ("Sevenoaks", "Swale", "Thanet", "Maidstone", "Tonbridge and Malling", "Tunbridge Wells")


def revise(measurement: Measurement, value: Decimal, reason: str = "corrected by MI") -> MeasurementRevision:
    """Change a stored value and keep its revision, as the upload pipeline does."""
    revision = MeasurementRevision.objects.create(
        measurement=measurement,
        changed_at=timezone.now(),
        reason=reason,
        old_value=measurement.value,
        old_numerator=measurement.numerator,
        old_denominator=measurement.denominator,
        old_status=measurement.status,
        new_value=value,
        new_numerator=measurement.numerator,
        new_denominator=measurement.denominator,
        new_status="",
    )
    measurement.value, measurement.status = value, ""
    measurement.save(update_fields=["value", "status", "updated_at"])
    return revision


def upload_other_districts(names: tuple[str, ...] = UPLOADED_LATER, scale: Decimal = Decimal("1.1")) -> int:
    """Give each district its own district-level series: Kent's figures scaled (rates need not add up)."""
    kent = ReportingUnit.objects.authority()
    kent_rows = list(Measurement.objects.filter(unit=kent, indicator__reported_for=ReportedFor.DISTRICT))
    created = []
    for position, district in enumerate(ReportingUnit.objects.filter(name__in=names)):
        factor = scale + Decimal(position) / 100
        for row in kent_rows:
            created.append(
                Measurement(
                    indicator_id=row.indicator_id,
                    unit=district,
                    period_kind=row.period_kind,
                    period_start=row.period_start,
                    status=row.status,
                    value=None if row.value is None else (row.value * factor).quantize(Decimal("0.000001")),
                )
            )
    Measurement.objects.bulk_create(created)
    return len(created)


def month_measurement(indicator: str, unit: str, month: Period = OCTOBER) -> Measurement:
    return Measurement.objects.for_period(month).get(indicator__code=indicator, unit__name=unit)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """The default hasher takes most of a second per test user; these tests are about permissions."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def approve_now(month: Period = OCTOBER, threshold: int | None = None) -> None:
    """A service lead signs the month's figures off as they stand now (publishing needs it)."""
    from scorecard.editions.approval import approve, cards_and_figures
    from scorecard.editions.publishing import units_in_edition

    _, fingerprint = cards_and_figures(units_in_edition(), month, threshold)
    approve(month, fingerprint, None)


# The demo edition's committee pack, laid out once per test session (about 15 s of WeasyPrint) and
# stored again from memory for each test that needs it, as the demo fixture does with the data.
_demo_pack: list[bytes] = []


@pytest.fixture
def demo_pack(demo: None) -> bytes:
    """The published demo version's real committee pack, stored with it; returns the PDF bytes."""
    import hashlib

    from scorecard.editions.pdf import make_pack
    from scorecard.models import EditionPack, EditionVersion, PackStatus
    from tests.conftest import skip_or_fail

    version = EditionVersion.objects.of_scorecard().get(edition__month=OCTOBER.start, number=1)
    EditionPack.objects.filter(version=version).delete()  # queued at publication; the worker never ran in the test
    if _demo_pack:
        pdf = _demo_pack[0]
        EditionPack.objects.create(
            version=version,
            status=PackStatus.READY,
            queued_at=timezone.now(),
            finished_at=timezone.now(),
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
        )
        return pdf
    if make_pack(version.pk) != PackStatus.READY:
        skip_or_fail("the committee pack could not be laid out: " + EditionPack.objects.get(version=version).error)
    pdf = bytes(EditionPack.objects.get(version=version).pdf)
    _demo_pack.append(pdf)
    return pdf


def _skip_or_fail(reason: str) -> None:
    from tests.conftest import skip_or_fail

    skip_or_fail(reason)


def poppler(tool: str, *args: str, pdf: bytes) -> str:
    if shutil.which(tool) is None:
        _skip_or_fail(f"{tool} (poppler-utils) is not installed")
    result = subprocess.run(
        [tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout.decode("utf-8")


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, its white space collapsed (pdftotext: much faster than pypdf on a whole pack)."""
    return [" ".join(page.split()) for page in poppler("pdftotext", pdf=pdf).split("\f")[:-1]]
