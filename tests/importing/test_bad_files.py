"""A corpus of bad files: each gets its own plain message, and the database is unchanged after each,
through the web upload and through import_measurements --commit."""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from indicators.models import Upload

from .builders import measurements_snapshot

pytestmark = pytest.mark.django_db
BAD = Path(__file__).parent / "files" / "bad"

# file in tests/importing/files/bad -> what the message must say (and where, when it is one row's)
CORPUS: dict[str, tuple[str, int | None, str]] = {
    "wrong_headers.csv": ("missing columns area, period, value and unknown columns unit, month, amount", 1, ""),
    "text_in_numbers.csv": ("The value 'about 70' is not a number", 3, "value"),
    "unknown_code.csv": ("Unknown indicator code 'SCS99'. Did you mean SCS", 3, "indicator"),
    "unknown_unit.csv": ("Unknown area 'Sevenoakes'. Did you mean Sevenoaks?", 3, "area"),
    "duplicate_rows.csv": ("APP17 for Gravesham in Oct-24 is given twice: also at row 2", 3, "period"),
    "quarter_on_monthly.csv": ("'Q2 24-25' is a quarter, but this indicator is monthly", 3, "period"),
    "blank_without_status.csv": ("The value is blank and there is no status", 2, "value"),
    "area_as_unit.csv": ("North Kent is an area, and areas hold no values", 2, "area"),
    "district_given_a_team_indicator.csv": (
        "SCS03 is reported for social work teams (CSWT), not for Sevenoaks",
        2,
        "area",
    ),
    "future_period.csv": ("'Oct-89' is not a period we can take: the year 2089 is after next year", 2, "period"),
    "unreadable_period.csv": ("'Octember-24' is not a period label", 2, "period"),
    "wide_unknown_column.csv": ("column Notes that is not a period label", 1, ""),
    "unknown_status.csv": ("Unknown status 'maybe'", 2, "status"),
    "one_bad_row.csv": ("The value 'sixty' is not a number", 16, "value"),
    # The number grammar (indicators/analysis/numbers.py): never a guess.
    "decimal_comma.csv": ("The value '76,9' has a comma that is not a thousands separator", 2, "value"),  # not 769
    "decimal_comma_small.csv": ("The value '1,5' has a comma that is not a thousands separator", 2, "value"),
    "decimal_comma_numerator.csv": (
        "The numerator '1,5' has a comma that is not a thousands separator",
        2,
        "numerator",
    ),
    "underscore.csv": ("The value '1_5' is not a number: it has an underscore", 2, "value"),  # not 15
    "arabic_indic_digit.csv": (
        "The value '٣' is not a number: it has the digit ٣ (ARABIC-INDIC DIGIT THREE)",
        2,
        "value",
    ),
    "fullwidth_digits.csv": (
        "The value '７６' is not a number: it has the digit ７ (FULLWIDTH DIGIT SEVEN)",
        2,
        "value",
    ),
    "nan_value.csv": ("The value 'NaN' is not a number", 2, "value"),
    "inf_value.csv": ("The value 'inf' is not a number", 2, "value"),
    "exponent.csv": ("The value '1e-7' is in exponent notation: write the number out in full", 2, "value"),
    "beyond_stored_places.csv": ("The value '0.0000001' has more than 6 decimal places", 2, "value"),  # not 0
    "percent_on_a_count.csv": ("The value '90%' ends in %, but this is not a percentage", 2, "value"),
    # The period grammar (indicators/analysis/periods.py): years from 1990 to next year.
    "period_year_0024.csv": ("'Oct-0024' is not a period we can take: the year 0024 is before 1990", 2, "period"),
    "period_year_0023_iso.csv": ("'0023-11' is not a period we can take: the year 0023 is before 1990", 2, "period"),
    "wide_period_year_0024.csv": (
        "APP17: 'Oct-0024' is not a period we can take: the year 0024 is before 1990",
        2,
        "Oct-0024",
    ),
    "lower_case_code.csv": ("Unknown indicator code 'eh44'. Did you mean EH44?", 2, "indicator"),  # not accepted
    "duplicate_headers.csv": ("The header names 'value' twice (columns D and E)", 1, ""),
    "wide_duplicate_period.csv": ("The header names 'Oct-24' twice (columns C and D)", 1, ""),
}

# files in tests/importing/files/bad that cannot be read at all -> what the message must say
UNREADABLE: dict[str, str] = {
    "unterminated_quote.csv": 'The file ends inside a quoted cell: the quote (") opened on line 2 is never closed',
    "semicolons.csv": "The file's columns are separated by semicolons (;), not commas",
    "tabs.csv": "The file's columns are separated by tabs, not commas",
}


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_xlsx() -> bytes:
    return xlsx_bytes([["indicator", "area", "period", "value"], ["APP17", "Sevenoaks", "Oct-24", 55.0]])


def zip_bomb() -> bytes:
    """A real workbook whose sheet is many MB of repeated XML that compresses to almost nothing."""
    source = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                rows = b'<row><c t="inlineStr"><is><t>APP17</t></is></c></row>' * 600_000
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            bomb.writestr(member.filename, data)
    return out.getvalue()


def data_workbook(value: object = 55.0, **saved: str) -> bytes:
    """A one-row workbook (value in D2); ``saved`` gives formula cells the saved results Excel would write
    (openpyxl writes a formula with none)."""
    return with_saved_results(
        xlsx_bytes([["indicator", "area", "period", "value"], ["APP17", "Sevenoaks", "Oct-24", value]]), saved
    )


def with_saved_results(content: bytes, saved: dict[str, str], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each named formula cell's saved result filled in (and ``extra`` parts added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                for ref, value in saved.items():
                    data = re.sub(
                        rb'(<c r="%s"[^>]*><f>[^<]*</f>)<v ?/>' % ref.encode(), rb"\1<v>%s</v>" % value.encode(), data
                    )
            target.writestr(member.filename, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def with_sheet(state: str) -> bytes:
    """A good visible sheet, and a second sheet in ``state`` (hidden or veryHidden) holding a value."""
    workbook = Workbook()
    workbook.active.append(["indicator", "area", "period", "value"])
    workbook.active.append(["APP17", "Sevenoaks", "Oct-24", 55.0])
    old = workbook.create_sheet("Old")
    old.append(["indicator", "area", "period", "value"])
    old.append(["APP17", "Sevenoaks", "Sep-24", 99.0])
    old.sheet_state = state
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def external_link() -> bytes:
    """A value taken from another workbook: the formula names it [1], and the workbook carries the link part."""
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><externalBook/></externalLink>'
    )
    return with_saved_results(
        xlsx_bytes([["indicator", "area", "period", "value"], ["APP17", "Sevenoaks", "Oct-24", "=[1]Sheet1!A1"]]),
        {"D2": "55"},
        {"xl/externalLinks/externalLink1.xml": link},
    )


def ods() -> bytes:
    """An OpenDocument spreadsheet (what LibreOffice saves): a zip whose first member names its type."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
    return out.getvalue()


def xls() -> bytes:
    """The start of an old-style .xls: a compound file (OLE) holding a Workbook stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + "Workbook".encode("utf-16-le").ljust(128, b"\x00") + bytes(384)


def encrypted_xlsx() -> bytes:
    """A real password-protected workbook, as Excel writes one (an encrypted package in a compound file)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good_xlsx())).encrypt("secret", out)
    return out.getvalue()


def nul_after_8_kb() -> bytes:
    rows = b"APP17,Sevenoaks,Oct-24,55.0\n" * 400
    return b"indicator,area,period,value\n" + rows + b"APP17,Sevenoaks,Sep-24,5\x000\n"


LONG_CODE = "X" * 100_000

GENERATED: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "empty": ("empty.csv", lambda: b"", "The file is empty"),
    "blank lines only": ("blank.csv", lambda: b"\r\n\r\n", "The file is empty"),
    "header only": ("header.csv", lambda: b"indicator,area,period,value\r\n", "has a header but no values"),
    "renamed binary as xlsx": ("photo.xlsx", lambda: os.urandom(4096), "not a readable .xlsx workbook"),
    "renamed binary as csv": (
        "photo.csv",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(2048),
        "holds binary data",
    ),
    "truncated xlsx": ("cut.xlsx", lambda: good_xlsx()[: len(good_xlsx()) // 2], "not a readable .xlsx workbook"),
    "zip bomb": ("bomb.xlsx", zip_bomb, "unpacks to"),
    "not a spreadsheet": ("values.txt", lambda: b"indicator,area\n", "is neither an .xlsx nor a .csv file"),
    "NUL after the first 8 KB": ("nul.csv", nul_after_8_kb, "holds binary data (a NUL byte on line 402)"),
    "UTF-16 without a BOM": (
        "utf16.csv",
        lambda: "indicator,area,period,value\n".encode("utf-16-le"),
        "holds binary data (a NUL byte on line 1)",
    ),
    "a 100,000-character code": (
        "long.csv",
        lambda: f"indicator,area,period,value\n{LONG_CODE},Kent,Oct-24,5\n".encode(),
        "Unknown indicator code '" + "X" * 40 + "…' (100,000 characters).",
    ),
    "a 100,000-character column name": (
        "wide.csv",
        lambda: f"indicator,area,period,value,{LONG_CODE}\n".encode() + b"APP17,Sevenoaks,Oct-24,55.0,1\n",
        "unknown column " + "X" * 40 + "… (100,000 characters).",
    ),
    "1e-7 in a number cell": (
        "tiny.xlsx",
        lambda: data_workbook(1e-07),
        "The value '1e-07' has more than 6 decimal places",
    ),  # not stored as 0.000000
    "a decimal comma in a text cell": (
        "comma.xlsx",
        lambda: data_workbook("76,9"),
        "The value '76,9' has a comma that is not a thousands separator",
    ),
    ".xlsx renamed .csv": ("book.csv", good_xlsx, "it looks like an .xlsx workbook with a .csv name"),
    ".ods renamed .xlsx": ("sheet.xlsx", ods, "This is an OpenDocument spreadsheet (.ods"),
    ".ods": ("sheet.ods", ods, "Save it as .xlsx"),
    ".xls": ("sheet.xls", xls, "This is an old-style Excel workbook (.xls)"),
    ".xls renamed .xlsx": ("sheet.xlsx", xls, "save it as .xlsx (Excel Workbook)"),
    "password-protected .xlsx": ("locked.xlsx", encrypted_xlsx, "protected with a password"),
    "hidden sheet with data": ("hidden.xlsx", lambda: with_sheet("hidden"), "The sheet 'Old' is hidden and holds data"),
    "very hidden sheet with data": (
        "very.xlsx",
        lambda: with_sheet("veryHidden"),
        "The sheet 'Old' is very hidden (only a macro can show it) and holds data",
    ),
    "stale formula": (
        "stale.xlsx",
        lambda: data_workbook("=50+6", D2="999"),
        "Cell D2 holds the formula '=50+6', which gives 56, but the file saved 999",
    ),
    "stale formula on a cell": (
        "stale_ref.xlsx",
        lambda: with_saved_results(
            xlsx_bytes(
                [
                    ["indicator", "area", "period", "value", ""],
                    ["APP17", "Sevenoaks", "Oct-24", "=E3*2"],
                    [None, None, None, None, 30],
                ]
            ),
            {"D2": "50"},
        ),
        "Cell D2 holds the formula '=E3*2', which gives 60, but the file saved 50",
    ),
    "external link": ("linked.xlsx", external_link, "which takes its value from another workbook (an external link)"),
    "formula with no saved result": (
        "unsaved.xlsx",
        lambda: data_workbook("=50+6"),
        "Cell D2 holds the formula '=50+6' with no saved result",
    ),
    "formula that cannot be checked": (
        "average.xlsx",
        lambda: data_workbook("=AVERAGE(50,60)", D2="55"),
        ("Cell D2 holds the formula '=AVERAGE(50,60)', whose saved result cannot be checked here"),
    ),
}


def assert_command_refuses(path: Path, fragment: str) -> None:
    before = measurements_snapshot()
    with pytest.raises(CommandError):
        call_command("import_measurements", str(path), "--commit", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert fragment in err.getvalue(), err.getvalue()
    assert measurements_snapshot() == before


def assert_web_refuses(client, name: str, content: bytes, fragment: str, capture) -> Upload:  # type: ignore[no-untyped-def]
    before = measurements_snapshot()
    response = client.post(reverse("upload-new"), {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert response.status_code == 200
    upload = Upload.objects.latest("pk")
    assert upload.state == Upload.State.INVALID
    assert fragment in html.unescape(response.content.decode()), [e["message"] for e in upload.errors]
    with capture(execute=True):
        client.post(reverse("upload-detail", args=[upload.pk]), {"action": "confirm"})
    upload.refresh_from_db()
    assert upload.state == Upload.State.INVALID  # a file with any error cannot be confirmed
    assert measurements_snapshot() == before
    return upload


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_bad_file_gets_its_message_and_changes_nothing(
    demo, mi_user, client_for, django_capture_on_commit_callbacks, name: str
) -> None:
    fragment, row, column = CORPUS[name]
    assert_command_refuses(BAD / name, fragment)
    upload = assert_web_refuses(
        client_for(mi_user), name, (BAD / name).read_bytes(), fragment, django_capture_on_commit_callbacks
    )
    located = next(e for e in upload.errors if fragment in e["message"])
    assert (located["sheet"], located["row"], located["column"]) == (name, row, column)


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_each_unreadable_file_gets_its_message_and_changes_nothing(
    demo, mi_user, client_for, django_capture_on_commit_callbacks, tmp_path: Path, case: str
) -> None:
    name, build, fragment = GENERATED[case]
    content = build()
    (tmp_path / name).write_bytes(content)
    assert_command_refuses(tmp_path / name, fragment)
    assert_web_refuses(client_for(mi_user), name, content, fragment, django_capture_on_commit_callbacks)


def test_the_zip_bomb_is_refused_before_any_reader_sees_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    from indicators.importing.parse import FileProblem, read_sheets

    def must_not_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader was handed a zip bomb")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", must_not_open)
    bomb = zip_bomb()
    assert len(bomb) < 1_000_000
    with pytest.raises(FileProblem, match="unpacks to"):
        read_sheets("bomb.xlsx", bomb)


def test_a_50_mb_file_is_refused_with_the_limit(demo, mi_user, client_for, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(b"indicator,area,period,value\n")
        line = b"APP17,Sevenoaks,Oct-24,55.0\n"
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size >= 50 * 1024 * 1024
    assert_command_refuses_size(big)
    before, uploads = measurements_snapshot(), Upload.objects.count()
    with big.open("rb") as handle:
        response = client_for(mi_user).post(reverse("upload-new"), {"file": handle})
    assert response.status_code == 400
    assert "the largest upload allowed is 20.0 MB" in response.content.decode()
    assert Upload.objects.count() == uploads  # an oversized file is not kept
    assert measurements_snapshot() == before


def assert_command_refuses_size(path: Path) -> None:
    before = measurements_snapshot()
    with pytest.raises(CommandError, match=r"the largest upload allowed is 20\.0 MB"):
        call_command("import_measurements", str(path), "--commit")
    assert measurements_snapshot() == before


def test_too_many_rows(demo, settings, tmp_path: Path) -> None:
    settings.UPLOAD_MAX_ROWS = 10
    rows = "".join(f"APP17,Sevenoaks,{m}-24,50.{i},,,\n" for i, m in enumerate(["Apr", "May", "Jun", "Jul"] * 3))
    path = tmp_path / "long.csv"
    path.write_text("indicator,area,period,value,numerator,denominator,status\n" + rows)
    assert_command_refuses(path, "more than 10 rows")


def test_uncompressed_size_limit(demo, settings, tmp_path: Path) -> None:
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 1000
    path = tmp_path / "ok.xlsx"
    path.write_bytes(good_xlsx())
    assert_command_refuses(path, "more than the 1 KB allowed")


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_each_unreadable_corpus_file_gets_its_message_and_changes_nothing(
    demo, mi_user, client_for, django_capture_on_commit_callbacks, name: str
) -> None:
    assert_command_refuses(BAD / name, UNREADABLE[name])
    assert_web_refuses(
        client_for(mi_user), name, (BAD / name).read_bytes(), UNREADABLE[name], django_capture_on_commit_callbacks
    )


def test_a_long_cell_is_not_repeated_in_full(demo) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.preview import check_file

    report = check_file(
        "long.csv", f"indicator,area,period,value\n{LONG_CODE},{LONG_CODE},{LONG_CODE},{LONG_CODE}\n".encode()
    )
    assert len(report.errors) == 3  # the code, the area and the value (the period waits for the indicator)
    assert all(len(error.message) < 300 for error in report.errors), [e.message for e in report.errors]


GOOD = Path(__file__).parent / "files" / "good"


@pytest.mark.parametrize("name", ["utf16_with_bom.csv", "utf8_with_bom.csv", "thousands_and_percent.csv"])
def test_text_files_in_utf16_or_with_a_bom_are_read(demo, mi_user, client_for, name: str) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.preview import check_file

    report = check_file(name, (GOOD / name).read_bytes())
    assert report.ok, [str(e) for e in report.errors]
    values = {item.period.label: item.value for item in report.values}
    assert values["Oct-24"] in (Decimal("55.5"), Decimal("1234.5"))
    if name.startswith("thousands"):
        assert values == {"Oct-24": Decimal("1234.5"), "Sep-24": Decimal("76.9")}  # 76.9% on a percentage
    out = io.StringIO()
    call_command("import_measurements", str(GOOD / name), stdout=out)  # a dry run: checked, nothing written
    response = client_for(mi_user).post(
        reverse("upload-new"), {"file": SimpleUploadedFile(name, (GOOD / name).read_bytes())}, follow=True
    )
    assert Upload.objects.latest("pk").state == Upload.State.PREVIEWED, response.content.decode()[:2000]


def test_a_current_formula_result_is_used_with_a_warning_naming_the_cell(demo, mi_user, client_for) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.preview import check_file

    content = data_workbook("=50+6.5", D2="56.5")
    report = check_file("current.xlsx", content)
    assert report.ok, [str(e) for e in report.errors]
    assert [item.value for item in report.values] == [Decimal("56.5")]
    warning = next(w for w in report.warnings if "formula" in w.message)
    assert (warning.sheet, warning.row, warning.column) == ("Sheet", 2, "value")
    assert "Cell D2 holds the formula '=50+6.5'; its saved result 56.5 was checked and is used" in warning.message
    response = client_for(mi_user).post(
        reverse("upload-new"), {"file": SimpleUploadedFile("current.xlsx", content)}, follow=True
    )
    assert Upload.objects.latest("pk").state == Upload.State.PREVIEWED
    assert "Cell D2 holds the formula" in html.unescape(response.content.decode())


def test_a_stale_formula_is_one_error_at_its_cell_and_its_value_goes_no_further(demo) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.preview import check_file

    report = check_file("stale.xlsx", data_workbook("=50+6", D2="999"))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("Sheet", 2, "value")]
    assert not report.values and not report.warnings  # no "999% is over 100%": 999 is never read


@pytest.mark.parametrize(
    ("formula", "cells", "saved"),
    [
        ("=(10+2)*3-4/2^2", {}, "35"),
        ("=-2^2", {}, "4"),  # Excel: negation before powers
        ("=50%", {}, "0.5"),
        ("=SUM(E2:F2)/2", {"E2": 40, "F2": 71}, "55.5"),
        ("=E2+'Other sheet'!A1", {"E2": 40}, "55"),
        ("=E2+F2", {"E2": 40}, "40"),  # an empty cell counts 0
    ],
)
def test_formulas_that_can_be_recomputed(formula: str, cells: dict[str, object], saved: str) -> None:
    from indicators.importing.parse import read_file

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["indicator", "area", "period", "value"])
    sheet.append(["APP17", "Sevenoaks", "Oct-24", formula])
    for ref, value in cells.items():
        sheet[ref] = value
    workbook.create_sheet("Other sheet")["A1"] = 15
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_file("f.xlsx", with_saved_results(buffer.getvalue(), {"D2": saved}))
    assert not read.errors, [str(e) for e in read.errors]
    assert len(read.warnings) == 1 and "was checked and is used" in read.warnings[0].message


def test_a_month_after_this_one_is_in_the_future(demo) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from indicators.importing.preview import check_file

    report = check_file(
        "soon.csv", b"indicator,area,period,value\nAPP17,Sevenoaks,Dec-24,55.0\n", today=date(2024, 11, 15)
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "period", "Dec-24 is in the future: a period cannot start after this month.")
    ]


def test_jan_90_is_january_1990_not_the_future(demo) -> None:  # type: ignore[no-untyped-def]
    from indicators.analysis.periods import month
    from indicators.importing.preview import check_file

    report = check_file("old.csv", b"indicator,area,period,value\nAPP17,Sevenoaks,Jan-90,55.0\n")
    assert report.ok, [str(e) for e in report.errors]
    assert [item.period for item in report.values] == [month(1990, 1)]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (
            'APP17,2025-26,all,"60,5",50,,,,,',
            "target",
            "The target '60,5' has a comma that is not a thousands separator",
        ),
        ("APP17,2025-26,all,60,1_5,,,,,", "floor", "The floor '1_5' is not a number: it has an underscore"),
        ("APP17,2025-26,all,６０,50,,,,,", "target", "it has the digit ６ (FULLWIDTH DIGIT SIX)"),
        ("APP17,0024,all,60,50,,,,,", "year", "'0024' is not a period we can take: the year 0024 is before 1990"),
        ("APP17,0024-25,all,60,50,,,,,", "year", "the year 0024 is before 1990"),
        ("APP17,２０２５,all,60,50,,,,,", "year", "'２０２５' is not a year"),
        ("eh44,2025-26,all,60,50,,,,,", "indicator", "Unknown indicator code 'eh44'. Did you mean EH44?"),
    ],
)
def test_the_targets_upload_uses_the_same_grammar(demo, line: str, column: str, message: str) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.targets import check_targets

    header = "indicator,year,applies_to,target,floor,band_low,band_high,floor_band_low,floor_band_high,source"
    checked = check_targets("targets.csv", f"{header}\n{line}\n".encode())
    assert not checked.rows
    assert [(e.row, e.column) for e in checked.errors if message in e.message] == [(2, column)], [
        str(e) for e in checked.errors
    ]


def test_the_targets_upload_refuses_a_duplicate_column_and_a_hidden_sheet(demo) -> None:  # type: ignore[no-untyped-def]
    from indicators.importing.targets import check_targets

    duplicate = check_targets("t.csv", b"indicator,year,target,target\nAPP17,2025-26,60,70\n")
    assert "The header names 'target' twice (columns C and D)" in duplicate.errors[0].message
    hidden = check_targets("t.xlsx", with_sheet("hidden"))
    assert any("The sheet 'Old' is hidden and holds data" in e.message for e in hidden.errors)


def test_shared_formulas_are_checked_cell_by_cell() -> None:
    """Excel writes a filled-down formula once, shared by the cells below it: each is recomputed where it is."""
    from indicators.importing.parse import read_file

    content = xlsx_bytes(
        [
            ["indicator", "area", "period", "value", "half"],
            ["APP17", "Sevenoaks", "Oct-24", "=E2*2", 30],
            ["APP17", "Sevenoaks", "Sep-24", "=E3*2", 40],
            ["APP17", "Sevenoaks", "Aug-24", "=E4*2", 20],
        ]
    )
    content = with_saved_results(content, {"D2": "60", "D3": "80", "D4": "99"})
    shared = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(shared, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>E2*2</f>", b'<f t="shared" ref="D2:D4" si="0">E2*2</f>')
                data = data.replace(b"<f>E3*2</f>", b'<f t="shared" si="0"/>').replace(
                    b"<f>E4*2</f>", b'<f t="shared" si="0"/>'
                )
            target.writestr(member.filename, data)
    read = read_file("shared.xlsx", shared.getvalue())
    assert [w.row for w in read.warnings] == [2, 3]
    assert [e.row for e in read.errors] == [4]
    assert read.errors[0].message.startswith("Cell D4 holds the formula '=E4*2', which gives 40, but the file saved 99")


def test_a_sheet_declaring_entities_is_refused_not_expanded() -> None:
    from indicators.importing.parse import FileProblem, read_file

    content = with_saved_results(data_workbook("=50+6", D2="56"), {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "55">]><worksheet', 1)
            target.writestr(member.filename, data)
    with pytest.raises(FileProblem, match="The workbook's formulas could not be read"):
        read_file("entity.xlsx", out.getvalue())


def test_many_current_formulas_are_warned_about_one_by_one_then_counted() -> None:
    from indicators.importing.parse import FORMULA_WARNINGS, read_file

    rows: list[list[object]] = [["indicator", "area", "period", "value", "base"]]
    saved = {}
    for row in range(2, FORMULA_WARNINGS + 7):
        rows.append(["APP17", "Sevenoaks", "Oct-24", f"=E{row}+1", row])
        saved[f"D{row}"] = str(row + 1)
    read = read_file("many.xlsx", with_saved_results(xlsx_bytes(rows), saved))
    assert not read.errors
    assert [w.row for w in read.warnings[:FORMULA_WARNINGS]] == list(range(2, FORMULA_WARNINGS + 2))
    assert read.warnings[-1].message.startswith("5 more cells hold formulas whose saved results were checked")
    assert len(read.warnings) == FORMULA_WARNINGS + 1
