"""A corpus of bad files: each gets its own plain message, and the database is unchanged after each,
through the web upload and through import_measurements --commit."""

from __future__ import annotations

import html
import io
import os
import zipfile
from collections.abc import Callable
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
    "district_given_a_team_indicator.csv": ("SCS03 is reported for social work teams (CSWT), not for Sevenoaks", 2,
                                            "area"),
    "future_period.csv": ("Oct-30 is in the future", 2, "period"),
    "unreadable_period.csv": ("'Octember-24' is not a period label", 2, "period"),
    "wide_unknown_column.csv": ("column Notes that is not a period label", 1, ""),
    "unknown_status.csv": ("Unknown status 'maybe'", 2, "status"),
    "one_bad_row.csv": ("The value 'sixty' is not a number", 16, "value"),
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


GENERATED: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "empty": ("empty.csv", lambda: b"", "The file is empty"),
    "blank lines only": ("blank.csv", lambda: b"\r\n\r\n", "The file is empty"),
    "header only": ("header.csv", lambda: b"indicator,area,period,value\r\n", "has a header but no values"),
    "renamed binary as xlsx": ("photo.xlsx", lambda: os.urandom(4096), "not a readable .xlsx workbook"),
    "renamed binary as csv": ("photo.csv", lambda: b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(2048),
                              "holds binary data"),
    "truncated xlsx": ("cut.xlsx", lambda: good_xlsx()[: len(good_xlsx()) // 2], "not a readable .xlsx workbook"),
    "zip bomb": ("bomb.xlsx", zip_bomb, "unpacks to"),
    "not a spreadsheet": ("values.txt", lambda: b"indicator,area\n", "is neither an .xlsx nor a .csv file"),
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
    upload = assert_web_refuses(client_for(mi_user), name, (BAD / name).read_bytes(), fragment,
                                django_capture_on_commit_callbacks)
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
    before = measurements_snapshot()
    with big.open("rb") as handle:
        response = client_for(mi_user).post(reverse("upload-new"), {"file": handle})
    assert response.status_code == 400
    assert "the largest upload allowed is 20.0 MB" in response.content.decode()
    assert not Upload.objects.exists()  # an oversized file is not kept
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
