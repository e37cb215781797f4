"""import_definitions: validate (every problem by file, row and column) -> preview -> commit, all or nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from districts.models import ReportingUnit
from indicators.importing.definitions import import_files, import_path
from indicators.models import DefinitionChange, Indicator, Scorecard, ScorecardMembership, Target

pytestmark = pytest.mark.django_db

SCORECARDS = [
    {
        "code": "PERF",
        "title": "Quarterly performance report",
        "organisation": "Shire Borough Council",
        "directorate": "",
        "cadence": "quarterly",
        "trend_periods": "8",
        "attribution": "Figures: Shire BC.",
        "default": "1",
    },
    {
        "code": "SEND",
        "title": "SEND scorecard",
        "organisation": "Shire Borough Council",
        "directorate": "",
        "cadence": "monthly",
        "trend_periods": "",
        "attribution": "",
        "default": "0",
    },
]
GEOGRAPHY = [
    {"unit": "Shire Borough", "kind": "authority", "area": "", "gss_code": "E07000999", "covers": "", "service": ""},
    {"unit": "North", "kind": "area", "area": "", "gss_code": "", "covers": "Northtown", "service": ""},
    {"unit": "Northtown", "kind": "district", "area": "North", "gss_code": "", "covers": "", "service": ""},
    {"unit": "Northtown CSWT", "kind": "team", "area": "", "gss_code": "", "covers": "Northtown", "service": "cswt"},
]
ALIASES = [{"alias": "North Town", "unit": "Northtown"}]
INDICATOR = {
    "code": "CT1",
    "printed_code": "CT1",
    "name": "Council tax collected",
    "section": "Finance",
    "table": "Finance",
    "polarity": "H",
    "data_period": "YTD",
    "frequency": "quarterly",
    "reported_for": "authority",
    "unit": "percent",
    "decimals": "1",
    "dot_compares_with": "both",
    "definition": "",
    "source": "",
    "benchmark_label": "",
    "england_label": "",
    "notes": "",
    "scorecards": "",
    "rating": "tolerance",
    "tolerance": "10",
    "tolerance_kind": "",
    "activity": "",
}
INDICATORS = [
    INDICATOR,
    {
        **INDICATOR,
        "code": "FT1",
        "name": "Footfall",
        "data_period": "Q",
        "rating": "none",
        "tolerance": "",
        "activity": "1",
        "scorecards": "PERF;SEND",
        "dot_compares_with": "trend",
    },
]
TARGETS = [
    {"indicator": "CT1", "year": "2024-25", "target": "96", "unit": "", "lower_threshold": "", "upper_threshold": ""},
    {"indicator": "CT1", "year": "Q1 24-25", "target": "19", "unit": "", "lower_threshold": "", "upper_threshold": ""},
    {
        "indicator": "FT1",
        "year": "2024-25",
        "target": "",
        "unit": "",
        "lower_threshold": "100",
        "upper_threshold": "200",
    },
]
BENCHMARKS = [{"indicator": "CT1", "comparator": "England", "label": "England 2023-24", "value": "95.9"}]


def write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def good_set(folder: Path, **replace: list[dict[str, str]]) -> Path:
    folder.mkdir(exist_ok=True)
    sheets = {
        "scorecards": SCORECARDS,
        "geography": GEOGRAPHY,
        "aliases": ALIASES,
        "indicators": INDICATORS,
        "targets": TARGETS,
        "benchmarks": BENCHMARKS,
    } | replace
    for name, rows in sheets.items():
        write(folder, name, rows)
    return folder


def counts() -> tuple[int, ...]:
    return (
        Scorecard.objects.count(),
        ReportingUnit.objects.count(),
        Indicator.objects.count(),
        Target.objects.count(),
        ScorecardMembership.objects.count(),
        DefinitionChange.objects.count(),
    )


def test_a_good_set_previews_then_commits_and_a_second_import_changes_nothing(tmp_path: Path) -> None:
    folder = good_set(tmp_path / "defs")
    preview = import_path(folder, "first set-up")
    assert preview.ok, preview.errors
    assert "indicator CT1: added" in preview.changes and "indicator FT1: joins SEND" in preview.changes
    assert counts() == (0, 0, 0, 0, 0, 0)  # a preview changes nothing

    committed = import_path(folder, "first set-up", commit=True)
    assert committed.changes == preview.changes
    perf = Scorecard.objects.get(code="PERF")
    assert (perf.is_default, perf.cadence, perf.trend_periods, perf.organisation) == (
        True,
        "quarterly",
        8,
        "Shire Borough Council",
    )
    ct1 = Indicator.objects.get(code="CT1")
    assert (ct1.rating, ct1.tolerance, ct1.dot_compares_with) == ("tolerance", Decimal(10), "both")
    assert [m.scorecard.code for m in ct1.memberships.all()] == ["PERF"]  # blank: the default scorecard
    assert sorted(m.scorecard.code for m in Indicator.objects.get(code="FT1").memberships.all()) == ["PERF", "SEND"]
    profiled = Target.objects.get(indicator=ct1, period_start__isnull=False)
    assert (profiled.period_label, profiled.target, profiled.year) == ("Q1 24-25", Decimal(19), 2024)
    footfall = Target.objects.get(indicator__code="FT1")
    assert (footfall.target, footfall.lower_threshold, footfall.upper_threshold) == (None, 100, 200)
    assert ReportingUnit.objects.get(name="Northtown").area.name == "North"
    assert {c.reason for c in DefinitionChange.objects.all()} == {"first set-up"}
    assert DefinitionChange.objects.filter(indicator=ct1, what="target Q1 24-25").exists()

    before = counts()
    again = import_path(folder, "again", commit=True)
    assert again.ok and again.changes == [] and counts() == before


def test_a_workbook_with_the_same_sheets_imports_the_same(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in {
        "scorecards": SCORECARDS,
        "geography": GEOGRAPHY,
        "indicators": INDICATORS,
        "targets": TARGETS,
    }.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([float(v) if v.replace(".", "").isdigit() and name != "targets" else v for v in row.values()])
    workbook.create_sheet("Notes").append(["anything"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_files([("set-up.xlsx", buffer.getvalue())], "from a workbook", commit=True)
    assert report.ok, report.errors
    assert any("Notes" in warning for warning in report.warnings)
    assert Indicator.objects.get(code="CT1").decimals == 1 and Target.objects.count() == 3
    assert import_files([("set-up.xlsx", buffer.getvalue())], "again", commit=True).changes == []


def test_an_indicator_leaves_a_scorecard_and_keeps_everything_else(tmp_path: Path) -> None:
    """Before any figures it was never shown, so its membership goes; with figures it ends after their
    year instead (test_leaving_a_scorecard.py)."""
    import_path(good_set(tmp_path / "defs"), "set-up", commit=True)
    fewer = [INDICATOR, {**INDICATORS[1], "scorecards": "PERF"}]
    report = import_path(good_set(tmp_path / "defs", indicators=fewer), "SEND review 2025", commit=True)
    assert report.changes == ["indicator FT1: leaves SEND (there are no figures yet, so it is taken out)"]
    assert [m.scorecard.code for m in Indicator.objects.get(code="FT1").memberships.all()] == ["PERF"]
    assert (
        Indicator.objects.get(code="FT1").name == "Footfall" and Target.objects.filter(indicator__code="FT1").exists()
    )
    assert DefinitionChange.objects.filter(what="in scorecard SEND", reason="SEND review 2025").exists()
    assert import_path(good_set(tmp_path / "defs", indicators=fewer), "again", commit=True).changes == []


def test_the_old_qpr_column_means_membership_of_the_scorecard_coded_qpr(tmp_path: Path) -> None:
    """``qpr`` 1 joins the QPR scorecard (besides the default); there is no flag left to store."""
    qpr = {**SCORECARDS[1], "code": "QPR", "title": "Quarterly Performance Report", "cadence": "quarterly"}
    indicators = [{**INDICATOR, "qpr": "1"}, {**INDICATORS[1], "qpr": "0"}]
    folder = good_set(tmp_path / "defs", scorecards=[*SCORECARDS, qpr], indicators=indicators)
    report = import_path(folder, "set-up", commit=True)
    assert report.ok, report.errors
    assert sorted(m.scorecard.code for m in Indicator.objects.get(code="CT1").memberships.all()) == ["PERF", "QPR"]
    assert not ScorecardMembership.objects.filter(scorecard__code="QPR", indicator__code="FT1").exists()
    assert not any("qpr" in change.changes for change in DefinitionChange.objects.all())
    assert import_path(folder, "again", commit=True).changes == []

    # Unticked again: CT1 leaves the QPR (its values stay).
    unticked = [{**INDICATOR, "qpr": "0"}, INDICATORS[1]]
    folder = good_set(tmp_path / "defs", scorecards=[*SCORECARDS, qpr], indicators=unticked)
    assert import_path(folder, "review", commit=True).changes == [
        "indicator CT1: leaves QPR (there are no figures yet, so it is taken out)"
    ]


def test_a_qpr_tick_without_a_qpr_scorecard_is_refused_on_its_column(tmp_path: Path) -> None:
    indicators = [{**INDICATOR, "qpr": "1"}, {**INDICATORS[1], "qpr": ""}]
    refused = import_path(good_set(tmp_path / "defs", indicators=indicators), "no QPR", commit=True)
    assert counts() == (0, 0, 0, 0, 0, 0)
    assert [str(issue) for issue in refused.errors] == [
        "sheet indicators.csv, row 2, column qpr: The scorecard QPR is not defined: add it to the scorecards sheet."
    ]


def test_a_bad_set_is_refused_with_a_message_per_problem_and_changes_nothing(tmp_path: Path) -> None:
    bad_indicators = [
        {**INDICATOR, "polarity": "X"},  # unknown polarity
        {**INDICATOR, "code": "FL1", "rating": "floor", "tolerance": "5"},  # a tolerance on a floor indicator
        {**INDICATOR, "code": "SC1", "rating": "", "tolerance": "", "scorecards": "NEET"},  # undefined scorecard
        INDICATORS[1],
    ]
    bad_geography = [
        *GEOGRAPHY,
        {"unit": "Southtown", "kind": "district", "area": "South", "gss_code": "", "covers": "", "service": ""},
    ]  # its area is missing
    bad_targets = [
        *TARGETS,
        {
            "indicator": "NOPE1",
            "year": "2024-25",
            "target": "5",
            "unit": "",
            "lower_threshold": "",
            "upper_threshold": "",
        },
    ]  # an unknown indicator
    folder = good_set(tmp_path / "bad", indicators=bad_indicators, geography=bad_geography, targets=bad_targets)
    report = import_path(folder, "bad", commit=True)
    shown = [str(issue) for issue in report.errors]
    assert "sheet indicators.csv, row 2, column polarity: 'X' is not a polarity: use one of H, L, T." in shown
    assert (
        "sheet indicators.csv, row 3, column tolerance: FL1: a tolerance is only for the tolerance rules, "
        "not for the floor rule."
    ) in shown
    assert (
        "sheet indicators.csv, row 4, column scorecards: The scorecard NEET is not defined: add it to the "
        "scorecards sheet."
    ) in shown
    assert (
        "sheet geography.csv, row 6, column area: The area 'South' is not in the geography: add a row for it "
        "with kind area."
    ) in shown
    assert (
        "sheet targets.csv, row 5, column indicator: There is no indicator NOPE1: add it to the indicators "
        "sheet before giving it a target."
    ) in shown
    assert len(shown) == 5, "\n".join(shown)
    assert counts() == (0, 0, 0, 0, 0, 0)
    assert report.changes == []


def test_a_rule_the_model_refuses_late_still_changes_nothing(tmp_path: Path) -> None:
    """A problem only the models see (a gss code too long) refuses the whole set, like a checked one."""
    geography = [{**GEOGRAPHY[0], "gss_code": "E0700099999"}, *GEOGRAPHY[1:]]
    report = import_path(good_set(tmp_path / "defs", geography=geography), "set-up", commit=True)
    assert not report.ok and "Shire Borough" not in str(report.changes)
    assert any("geography.csv line 2" in str(issue) for issue in report.errors)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_the_command_previews_commits_and_refuses(tmp_path: Path) -> None:
    folder = good_set(tmp_path / "defs")
    out = io.StringIO()
    call_command("import_definitions", str(folder), stdout=out)
    assert "indicator CT1: added" in out.getvalue() and "run again with --commit" in out.getvalue()
    assert Indicator.objects.count() == 0
    call_command("import_definitions", str(folder), "--commit", "--reason", "new council", stdout=io.StringIO())
    assert Indicator.objects.count() == 2
    assert set(DefinitionChange.objects.values_list("reason", flat=True)) == {"new council"}
    write(folder, "indicators", [{**INDICATOR, "polarity": "Q"}])
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_definitions", str(folder), "--commit", stdout=io.StringIO(), stderr=err)
    assert "column polarity" in err.getvalue()
