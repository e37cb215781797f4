"""An indicator leaves a scorecard through import_definitions (issue 13: Kent's annual KPI review).

Its membership ends after the year the figures have reached (``to_year``), so the scorecard's pages and
exports for that year and earlier still show it and the next year's do not; its values stay. With no
figures at all, or a membership that would only start after that year, it was never shown and goes.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from districts.models import ReportingUnit
from indicators.importing.definitions import import_path
from indicators.models import DefinitionChange, Indicator, Measurement, ScorecardMembership

from .test_definitions import INDICATOR, INDICATORS, good_set, write

pytestmark = pytest.mark.django_db

REASON = "SEND scorecard review for 2026-27"
WITHOUT_SEND = [INDICATOR, {**INDICATORS[1], "scorecards": "PERF"}]
LEAVES = "indicator FT1: leaves SEND after 2025-26 (in the memberships sheet, to_year sets another last year)"


def figure(code: str, quarter_start: date, value: str = "150") -> None:
    """The authority's figure for one quarter: the newest edition is as at that quarter's last month."""
    Measurement.objects.create(
        indicator=Indicator.objects.get(code=code),
        unit=ReportingUnit.objects.get(kind="authority"),
        period_kind="Q",
        period_start=quarter_start,
        value=Decimal(value),
    )


def send_membership() -> ScorecardMembership | None:
    return ScorecardMembership.objects.filter(scorecard__code="SEND", indicator__code="FT1").first()


def exported_codes(period: str) -> set[str]:
    out = io.StringIO()
    call_command("export_scorecard", "--scorecard", "SEND", "--area", "Shire Borough", "--period", period, stdout=out)
    return {row["indicator"] for row in csv.DictReader(io.StringIO(out.getvalue()))}


@pytest.fixture
def with_figures(tmp_path: Path) -> Path:
    """FT1 in PERF and SEND, with figures up to Q1 2025-26 (as at Jun-25)."""
    assert import_path(good_set(tmp_path / "first"), "set-up", commit=True).ok
    figure("FT1", date(2025, 1, 1), "140")
    figure("FT1", date(2025, 4, 1))
    return tmp_path


def test_leaving_ends_the_membership_after_the_year_the_figures_have_reached(with_figures: Path) -> None:
    folder = good_set(with_figures / "review", indicators=WITHOUT_SEND)
    preview = import_path(folder, REASON)
    assert preview.ok and preview.changes == [LEAVES]
    assert send_membership().to_year is None  # a preview changes nothing

    committed = import_path(folder, REASON, commit=True)
    assert committed.changes == [LEAVES] and committed.plain_counts() == {"memberships": {"left": 1}}
    membership = send_membership()
    assert (membership.from_year, membership.to_year) == (None, 2025)
    assert Measurement.objects.filter(indicator__code="FT1").count() == 2  # its values stay
    change = DefinitionChange.objects.get(what="in scorecard SEND", reason=REASON)
    assert change.changes == {"to_year": ["", "2025-26"]} and change.scorecard.code == "SEND"

    # The scorecard's export for a month of its last year still lists it; the next year's does not.
    assert "FT1" in exported_codes("Jun-25") and "FT1" in exported_codes("Mar-25")
    assert "FT1" not in exported_codes("Apr-26")
    assert "FT1" in {row["indicator"] for row in csv.DictReader(io.StringIO(export_perf("Apr-26")))}


def export_perf(period: str) -> str:
    out = io.StringIO()
    call_command("export_scorecard", "--scorecard", "PERF", "--area", "Shire Borough", "--period", period, stdout=out)
    return out.getvalue()


def test_the_scorecard_pages_show_it_in_its_years_only_and_importing_again_changes_nothing(
    with_figures: Path, officer: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    folder = good_set(with_figures / "review", indicators=WITHOUT_SEND)
    assert import_path(folder, REASON, commit=True).changes == [LEAVES]
    figure("CT1", date(2026, 4, 1), "20")  # the next year's figures arrive: an edition as at Jun-26

    client = client_for(officer)
    last_year = client.get("/scorecards/SEND/scorecard/shire-borough/2025-06/")
    next_year = client.get("/scorecards/SEND/scorecard/shire-borough/2026-06/")
    assert last_year.status_code == next_year.status_code == 200
    assert "Footfall" in last_year.content.decode() and "Footfall" not in next_year.content.decode()

    # The same files again, now the figures have reached 2026-27: it has already left, so nothing changes.
    recorded = DefinitionChange.objects.count()
    again = import_path(folder, "again", commit=True)
    assert again.ok and again.changes == []
    assert send_membership().to_year == 2025 and DefinitionChange.objects.count() == recorded


def test_naming_the_scorecard_again_reopens_it(with_figures: Path) -> None:
    import_path(good_set(with_figures / "review", indicators=WITHOUT_SEND), REASON, commit=True)
    back = import_path(good_set(with_figures / "back"), "SEND wants it back", commit=True)
    assert back.changes == ["indicator FT1: back in SEND with no last year (to_year 2025-26 → (blank))"]
    assert send_membership().to_year is None
    change = DefinitionChange.objects.get(what="in scorecard SEND", reason="SEND wants it back")
    assert change.changes == {"to_year": ["2025-26", ""]}
    assert "FT1" in exported_codes("Apr-26")


def test_with_no_figures_at_all_it_was_never_shown_and_goes(tmp_path: Path) -> None:
    import_path(good_set(tmp_path / "first"), "set-up", commit=True)
    report = import_path(good_set(tmp_path / "review", indicators=WITHOUT_SEND), REASON, commit=True)
    assert report.changes == ["indicator FT1: leaves SEND (there are no figures yet, so it is taken out)"]
    assert send_membership() is None
    change = DefinitionChange.objects.get(what="in scorecard SEND", reason=REASON)
    assert change.changes == {"scorecard": ["SEND", ""]}


def test_a_membership_that_starts_after_the_figures_goes(with_figures: Path) -> None:
    joining_later = good_set(with_figures / "later")
    write(joining_later, "memberships", [membership_row(from_year="2026-27")])
    assert import_path(joining_later, "joins SEND next year", commit=True).ok
    assert send_membership().from_year == 2026

    report = import_path(good_set(with_figures / "review", indicators=WITHOUT_SEND), REASON, commit=True)
    assert report.changes == [
        "indicator FT1: leaves SEND (it was to join from 2026-27, after the latest figures' 2025-26, "
        "so it is taken out)"
    ]
    assert send_membership() is None


def membership_row(from_year: str = "", to_year: str = "") -> dict[str, str]:
    return {
        "scorecard": "SEND",
        "indicator": "FT1",
        "section": "",
        "table": "",
        "order": "",
        "from_year": from_year,
        "to_year": to_year,
    }


def test_the_memberships_sheet_gives_the_years_and_wins(with_figures: Path) -> None:
    # A row for the indicator in the memberships sheet: its to_year, not the figures', even with the scorecard
    # gone from the indicator's own row.
    explicit = good_set(with_figures / "explicit", indicators=WITHOUT_SEND)
    write(explicit, "memberships", [membership_row(to_year="2024-25")])
    report = import_path(explicit, REASON, commit=True)
    assert report.changes == ["indicator FT1: in scorecard SEND: to_year (blank) → 2024-25"]
    assert send_membership().to_year == 2024
    assert "FT1" in exported_codes("Mar-25") and "FT1" not in exported_codes("Jun-25")

    # Without that row it has already left (before the figures' year): leaving changes nothing.
    assert import_path(good_set(with_figures / "plain", indicators=WITHOUT_SEND), "again", commit=True).changes == []
    assert send_membership().to_year == 2024

    # A row with a blank to_year reopens it.
    reopen = good_set(with_figures / "reopen", indicators=WITHOUT_SEND)
    write(reopen, "memberships", [membership_row()])
    assert import_path(reopen, "open again", commit=True).changes == [
        "indicator FT1: back in SEND with no last year (to_year 2024-25 → (blank))"
    ]
    assert send_membership().to_year is None


def test_a_last_year_after_the_figures_is_brought_back_to_them(with_figures: Path) -> None:
    planned = good_set(with_figures / "planned")
    write(planned, "memberships", [membership_row(to_year="2027-28")])
    import_path(planned, "in SEND until 2027-28", commit=True)

    report = import_path(good_set(with_figures / "review", indicators=WITHOUT_SEND), REASON, commit=True)
    assert report.changes == [LEAVES]
    assert send_membership().to_year == 2025
    change = DefinitionChange.objects.get(what="in scorecard SEND", reason=REASON)
    assert change.changes == {"to_year": ["2027-28", "2025-26"]}


def test_the_history_page_shows_the_last_year_it_left_after(with_figures: Path, mi_user: User, client_for) -> None:  # type: ignore[no-untyped-def]
    import_path(good_set(with_figures / "review", indicators=WITHOUT_SEND), REASON, mi_user, commit=True)
    page = client_for(mi_user).get("/uploads/definitions/history/").content.decode()
    assert "in scorecard SEND" in page and "to_year: — → 2025-26" in page and REASON in page


def test_the_readme_says_what_leaving_does() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    memberships = next(line for line in readme.splitlines() if line.startswith("| `memberships` |"))
    for words in (
        "its `to_year` becomes the financial year of the latest figures",
        "Before any figures",
        "already ended stays as it is",
        "naming the scorecard again reopens it",
    ):
        assert words in memberships, words
