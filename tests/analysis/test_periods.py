"""Period labels, sequences and years: pure, no database."""

from datetime import date, datetime

import pytest

from indicators.analysis.periods import (
    Frequency,
    Period,
    PeriodError,
    PeriodKind,
    edition_period,
    last_period_of_year,
    month,
    outturn_of,
    parse_label,
    parse_month,
    parse_period,
    previous,
    same_period_last_year,
    trend,
)


@pytest.mark.parametrize(
    ("label", "kind", "start", "year_label"),
    [
        ("Oct-24", PeriodKind.MONTH, date(2024, 10, 1), "2024-25"),
        ("2024-10", PeriodKind.MONTH, date(2024, 10, 1), "2024-25"),
        ("Mar-24", PeriodKind.MONTH, date(2024, 3, 1), "2023-24"),  # March ends the financial year
        ("Apr-24", PeriodKind.MONTH, date(2024, 4, 1), "2024-25"),
        ("Q1 24-25", PeriodKind.QUARTER, date(2024, 4, 1), "2024-25"),
        ("Q2 24-25", PeriodKind.QUARTER, date(2024, 7, 1), "2024-25"),
        ("Q4 23-24", PeriodKind.QUARTER, date(2024, 1, 1), "2023-24"),
        ("Autumn 24-25", PeriodKind.TERM, date(2024, 9, 1), "2024-25"),
        ("Spring 24-25", PeriodKind.TERM, date(2025, 1, 1), "2024-25"),
        ("Summer 23-24", PeriodKind.TERM, date(2024, 4, 1), "2023-24"),  # academic year, not financial
    ],
)
def test_labels_parse_and_print_back(label: str, kind: PeriodKind, start: date, year_label: str) -> None:
    period = parse_label(label)
    assert (period.kind, period.start, period.year_label) == (kind, start, year_label)
    printed = "Oct-24" if label == "2024-10" else label  # ISO months print as the scorecard does
    assert period.label == printed


def test_iso_is_for_months_only() -> None:
    assert parse_label("Oct-24").iso == "2024-10"
    with pytest.raises(PeriodError, match="not a month"):
        _ = parse_label("Q2 24-25").iso


def test_a_year_label_is_an_outturn_on_monthly_and_quarterly_and_an_academic_year_on_annual() -> None:
    assert parse_period("2023-24", Frequency.MONTHLY) == Period(date(2023, 4, 1), PeriodKind.OUTTURN)
    assert parse_period("2023-24", Frequency.QUARTERLY) == Period(date(2023, 4, 1), PeriodKind.OUTTURN)
    assert parse_period("2023-24", Frequency.ANNUAL) == Period(date(2023, 9, 1), PeriodKind.YEAR)
    assert parse_period("2023-24", Frequency.ANNUAL).label == "2023-24"
    with pytest.raises(PeriodError, match="termly"):
        parse_period("2023-24", Frequency.TERMLY)


def test_a_spreadsheet_date_cell_is_its_month() -> None:
    assert parse_period(datetime(2024, 10, 31, 0, 0), Frequency.MONTHLY) == month(2024, 10)


@pytest.mark.parametrize(
    ("label", "frequency", "message"),
    [
        ("Q2 24-25", Frequency.MONTHLY, "is a quarter, but this indicator is monthly"),
        ("Oct-24", Frequency.QUARTERLY, "is a month, but this indicator is quarterly"),
        ("Summer 23-24", Frequency.ANNUAL, "is a term"),
        ("Octember-24", Frequency.MONTHLY, "not a period label"),
        ("Foo-24", Frequency.MONTHLY, "'Foo' is not a month name"),
        ("2024-13", Frequency.MONTHLY, "there is no month 13"),
        ("Q2 24-26", Frequency.QUARTERLY, "26 does not follow 2024"),
        ("", Frequency.MONTHLY, "not a period label"),
    ],
)
def test_bad_or_wrong_kind_labels_say_why(label: str, frequency: Frequency, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(label, frequency)


def test_previous_and_same_period_last_year() -> None:
    assert previous(parse_label("Apr-24")).label == "Mar-24"
    assert previous(parse_label("Jan-24")).label == "Dec-23"
    assert previous(parse_label("Q1 24-25")).label == "Q4 23-24"
    assert previous(parse_label("Autumn 24-25")).label == "Summer 23-24"
    assert previous(parse_label("Spring 24-25")).label == "Autumn 24-25"
    assert previous(parse_label("Summer 23-24")).label == "Spring 23-24"
    assert previous(parse_period("2023-24", Frequency.ANNUAL)).label == "2022-23"
    assert same_period_last_year(parse_label("Summer 23-24")).label == "Summer 22-23"
    assert same_period_last_year(parse_label("Q2 24-25")).label == "Q2 23-24"


def test_trend_is_oldest_first_and_ends_with_the_period() -> None:
    assert [p.label for p in trend(parse_label("Oct-24"), 7)] == [
        "Apr-24",
        "May-24",
        "Jun-24",
        "Jul-24",
        "Aug-24",
        "Sep-24",
        "Oct-24",
    ]
    assert [p.label for p in trend(parse_label("Summer 23-24"), 4)] == [
        "Summer 22-23",
        "Autumn 23-24",
        "Spring 23-24",
        "Summer 23-24",
    ]


def test_outturn_and_its_stand_in() -> None:
    assert outturn_of(2023).label == "2023-24"
    assert last_period_of_year(2023, PeriodKind.MONTH).label == "Mar-24"
    assert last_period_of_year(2023, PeriodKind.QUARTER).label == "Q4 23-24"


def test_edition_period_is_the_latest_reported_on_or_before_the_month() -> None:
    october = parse_month("2024-10")
    terms = [parse_label("Summer 23-24"), parse_label("Spring 23-24")]
    assert edition_period(october, terms).label == "Summer 23-24"
    months = [parse_label("Sep-24"), parse_label("Oct-24"), parse_label("Nov-24")]
    assert edition_period(october, months).label == "Oct-24"  # a later month is not in this edition
    assert edition_period(october, [outturn_of(2023)]) is None  # an outturn is never the edition period
    assert edition_period(october, []) is None


def test_parse_month_refuses_other_kinds() -> None:
    assert parse_month("Oct-24") == parse_month("2024-10")
    with pytest.raises(PeriodError, match="Oct-24 or 2024-10"):
        parse_month("Q2 24-25")


NEXT_YEAR = date.today().year + 1


@pytest.mark.parametrize(
    ("label", "frequency", "expected"),
    [
        # Two-digit years by the pivot: 90-99 are 19xx, 00-89 are 20xx.
        ("Jan-90", Frequency.MONTHLY, month(1990, 1)),
        ("Dec-99", Frequency.MONTHLY, month(1999, 12)),
        ("Jan-00", Frequency.MONTHLY, month(2000, 1)),
        ("Oct-2024", Frequency.MONTHLY, month(2024, 10)),
        ("Oct 24", Frequency.MONTHLY, month(2024, 10)),
        ("oct-24", Frequency.MONTHLY, month(2024, 10)),
        ("1990-01", Frequency.MONTHLY, month(1990, 1)),
        ("2024-10-01", Frequency.MONTHLY, month(2024, 10)),
        (f"{NEXT_YEAR}-12", Frequency.MONTHLY, month(NEXT_YEAR, 12)),
        ("Q4 99-00", Frequency.QUARTERLY, Period(date(2000, 1, 1), PeriodKind.QUARTER)),
        ("Q1 90-91", Frequency.QUARTERLY, Period(date(1990, 4, 1), PeriodKind.QUARTER)),
        ("Autumn 99-00", Frequency.TERMLY, Period(date(1999, 9, 1), PeriodKind.TERM)),
        ("Spring 99/00", Frequency.TERMLY, Period(date(2000, 1, 1), PeriodKind.TERM)),
        ("1999-00", Frequency.ANNUAL, Period(date(1999, 9, 1), PeriodKind.YEAR)),
        ("2023/2024", Frequency.MONTHLY, Period(date(2023, 4, 1), PeriodKind.OUTTURN)),
        (datetime(1990, 1, 31), Frequency.MONTHLY, month(1990, 1)),
    ],
)
def test_every_period_form_reads_with_years_from_1990(label: object, frequency: Frequency, expected: Period) -> None:
    assert parse_period(label, frequency) == expected  # type: ignore[arg-type]
    if expected.kind is PeriodKind.MONTH:
        assert parse_period(expected.label, frequency) == expected  # the printed label reads back


def test_jan_90_is_january_1990_and_prints_back() -> None:
    period = parse_label("Jan-90")
    assert period.start == date(1990, 1, 1)
    assert period.label == "Jan-90"
    assert period.year_label == "1989-90"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Oct-0024", "'Oct-0024' is not a period we can take: the year 0024 is before 1990"),
        ("0023-11", "'0023-11' is not a period we can take: the year 0023 is before 1990"),
        ("0000-01", "the year 0000 is before 1990"),
        ("1989-12", "the year 1989 is before 1990"),
        ("Oct-1899", "the year 1899 is before 1990"),
        (f"Jan-{NEXT_YEAR + 1}", f"the year {NEXT_YEAR + 1} is after next year, {NEXT_YEAR}"),
        (f"{NEXT_YEAR + 1}-01", f"the year {NEXT_YEAR + 1} is after next year"),
        ("Oct-89", "the year 2089 is after next year"),  # 89 is below the pivot: 2089
        ("Oct-024", "not a period label"),  # three digits are no year
        ("Oct-٢٤", "not a period label"),  # Arabic-Indic digits are not read
        ("Oct-２４", "not a period label"),  # nor full-width ones
        ("Q2 89-90", "the year 2089 is after next year"),
        ("0023-24", "the year 0023 is before 1990"),
        ("x" * 100_000, "(100,000 characters) is not a period label"),
    ],
)
def test_years_outside_1990_to_next_year_are_refused_naming_the_label(label: str, message: str) -> None:
    with pytest.raises(PeriodError) as error:
        parse_period(label, Frequency.MONTHLY if not label.startswith("Q") else Frequency.QUARTERLY)
    assert message in str(error.value)
    assert len(str(error.value)) < 400  # a long label is shortened, not repeated in full


def test_a_date_cell_before_1990_is_refused() -> None:
    with pytest.raises(PeriodError, match="1899-12-31.*before 1990"):
        parse_period(datetime(1899, 12, 31), Frequency.MONTHLY)
