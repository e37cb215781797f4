"""Read an uploaded spreadsheet into raw cells, safely.

Nothing here knows about indicators or units: it checks the file's size and shape,
reads every sheet (never evaluating formulas or macros: calamine reads the cached
values) and turns each sheet into records in the long shape, with the sheet, row and
column each cell came from, so validation can point at it in plain words.

A file says what it is, or is refused saying what it seems to be: an .xls, an .ods or a
password-protected workbook each get their own message; a CSV is read as UTF-8 (with or
without a BOM), UTF-16 (with a BOM) or Windows-1252, and is refused when it holds NUL bytes,
ends inside a quoted cell, or separates its columns with semicolons or tabs. In a workbook,
a hidden sheet holding data is an error (nobody checked what it says), and so is a formula
whose saved result cannot be vouched for (formulas.py); a formula recomputed to its saved
result is a warning. A header naming a column twice is an error.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import cast

from django.conf import settings

from indicators.analysis.numbers import listed, quoted, shortened
from indicators.analysis.periods import PeriodError, YearRangeError, parse_label, parse_year_label

from .formulas import check_formulas

LONG_COLUMNS = ("indicator", "area", "period", "value", "numerator", "denominator", "status")
LONG_REQUIRED = ("indicator", "area", "period", "value")
WIDE_FIXED = ("indicator", "area")

# What a sheet's cell holds: calamine also gives time and timedelta for cells formatted as times.
Cell = str | int | float | bool | date | datetime | time | timedelta | None


class Layout(StrEnum):
    LONG = "long"
    WIDE = "wide"


class FileProblem(Exception):
    """The file as a whole cannot be read: too big, not a spreadsheet, no usable header."""


@dataclass(frozen=True)
class Issue:
    """An error or warning, with where it is (sheet, spreadsheet row, column name)."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"sheet {self.sheet}" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class RawRecord:
    """One value's cells as found in the file. Wide records carry no numerator or denominator."""

    sheet: str
    row: int
    indicator: Cell
    area: Cell
    period: Cell
    value: Cell
    period_column: str  # where the period came from: "period", or the wide column's header
    value_column: str
    numerator: Cell = None
    denominator: Cell = None
    status: Cell = None
    layout: Layout = Layout.LONG


@dataclass
class ParsedFile:
    records: list[RawRecord] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    layouts: set[Layout] = field(default_factory=set)
    rows: int = 0
    warnings: list[Issue] = field(default_factory=list)


Rows = list[list[Cell]]


@dataclass
class ReadFile:
    """Every sheet read (visible sheets only), with what reading found: hidden data, formulas."""

    sheets: list[tuple[str, Rows]] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    refused_rows: set[tuple[str, int]] = field(default_factory=set)  # (sheet, row) holding a refused formula


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def header_text(cell: Cell) -> str:
    if isinstance(cell, datetime | date):
        return f"{cell:%Y-%m}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


def looks_like_period(cell: Cell) -> bool:
    if isinstance(cell, datetime | date):
        return True
    text = header_text(cell)
    try:
        if parse_year_label(text) is not None:
            return True
        parse_label(text)
    except YearRangeError:
        return True  # a period's shape, refused for its year cell by cell, saying why (Oct-0024)
    except PeriodError:
        return False
    return True


# --- the file as a whole -------------------------------------------------------------------


def file_size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.0f} KB"


def check_size(size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise FileProblem(
            f"The file is {file_size(size)}; the largest upload allowed is {file_size(limit)}. "
            "Split it into smaller files."
        )


def check_zip(content: bytes) -> None:
    """Refuse an .xlsx whose sheets would inflate beyond the limits, before any reader sees it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileProblem(
            "The file is not a readable .xlsx workbook (it may be damaged, cut short, or another kind of file "
            "renamed to .xlsx). Save it again from Excel as .xlsx or .csv."
        ) from None
    with archive:
        members = archive.infolist()
        declared = sum(member.file_size for member in members)
        compressed = sum(member.compress_size for member in members)
    if declared > settings.UPLOAD_MAX_UNCOMPRESSED_BYTES:
        raise FileProblem(
            f"The workbook unpacks to {file_size(declared)}, more than the "
            f"{file_size(settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)} allowed."
        )
    if compressed and declared / compressed > settings.UPLOAD_MAX_COMPRESSION_RATIO:
        raise FileProblem(
            f"The workbook unpacks to {declared / compressed:.0f} times its size (at most "
            f"{settings.UPLOAD_MAX_COMPRESSION_RATIO} allowed): it is not an ordinary spreadsheet."
        )


FORMULA_WARNINGS = 20  # formula cells warned about one by one; the rest are counted in one warning
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an .xls, or an encrypted .xlsx
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx keeps its workbook in
ZIP_SIGNATURE = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
XLS_MESSAGE = (
    "This is an old-style Excel workbook (.xls), which cannot be read here. Open it in Excel and save it "
    "as .xlsx (Excel Workbook), then upload that."
)
ODS_MESSAGE = (
    "This is an OpenDocument spreadsheet (.ods, from LibreOffice or OpenOffice), which cannot be read "
    "here. Save it as .xlsx (Excel 2007-365) and upload that."
)
ENCRYPTED_MESSAGE = (
    "The workbook is protected with a password (it is encrypted), so it cannot be read. Open it in "
    "Excel, remove the password (File, Info, Protect Workbook, Encrypt with Password: clear it), "
    "save it and upload it again."
)


def sniff(content: bytes) -> str | None:
    """What the bytes say the file is, when it is one of the kinds refused by name: "xls", "ods", "encrypted"."""
    if content.startswith(OLE_SIGNATURE):
        return "encrypted" if ENCRYPTED_STREAM in content else "xls"
    if content.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if (
                    "mimetype" in archive.namelist()
                    and archive.getinfo("mimetype").file_size < 200
                    and archive.read("mimetype").startswith(ODS_MIMETYPE)
                ):
                    return "ods"
        except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError):
            return None
    return None


def _xlsx_sheets(content: bytes) -> ReadFile:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    check_zip(content)
    read = ReadFile()
    all_rows: dict[str, Rows] = {}
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        for metadata in workbook.sheets_metadata:
            name = metadata.name
            # nrows one past the limit: enough to know the file is too long without reading it all.
            rows = cast(
                Rows,
                workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=settings.UPLOAD_MAX_ROWS + 2),
            )
            all_rows[name] = rows
            if metadata.visible == SheetVisibleEnum.Visible:
                read.sheets.append((name, rows))
            elif not all(_is_blank_row(row) for row in rows):
                very = metadata.visible == SheetVisibleEnum.VeryHidden
                read.errors.append(
                    Issue(
                        f"The sheet {quoted(name)} is {'very hidden (only a macro can show it)' if very else 'hidden'} "
                        "and holds data, which nobody can see to check. Unhide it and check it, or delete it, then "
                        "upload the file again.",
                        sheet=name,
                    )
                )
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - calamine raises its own error types for damaged workbooks
        raise FileProblem(
            "The workbook could not be read: it may be damaged or cut short. Save it again from Excel as .xlsx or .csv."
        ) from None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            findings = check_formulas(archive, all_rows, {name for name, _ in read.sheets})
    except Exception:  # noqa: BLE001 - XML that calamine read but we cannot (a DOCTYPE, an entity): refused
        raise FileProblem(
            "The workbook's formulas could not be read: it may be damaged or not written by a spreadsheet program. "
            "Save it again from Excel as .xlsx, or as .csv."
        ) from None
    headers = {name: next((row for row in rows if not _is_blank_row(row)), []) for name, rows in read.sheets}
    current = 0
    for finding in findings:
        cell = finding.cell
        header = headers.get(cell.sheet, [])
        column = header_text(header[cell.column - 1]) if 0 < cell.column <= len(header) else ""
        issue = Issue(finding.message, sheet=cell.sheet, row=cell.row, column=column)
        if finding.current:
            current += 1
            if current <= FORMULA_WARNINGS:
                read.warnings.append(issue)
        else:
            read.errors.append(issue)
            read.refused_rows.add((cell.sheet, cell.row))  # its other cells would only add noise to the error
    if current > FORMULA_WARNINGS:  # one warning per cell for the first few; then how many more
        read.warnings.append(
            Issue(
                f"{current - FORMULA_WARNINGS:,} more cells hold formulas whose saved results "
                "were checked and are used. Paste values to keep the file as it reads."
            )
        )
    return read


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _binary(text: str | bytes, index: int) -> FileProblem:
    line = (text[:index].count("\n") if isinstance(text, str) else text[:index].count(b"\n")) + 1
    return FileProblem(
        f"The file is not a CSV text file: it holds binary data (a NUL byte on line {line:,}). "
        "Save it as CSV UTF-8 (comma delimited) or as .xlsx."
    )


def _csv_text(content: bytes) -> str:
    """The file's text: UTF-16 with a BOM, UTF-8 with or without one, else Windows-1252. NUL is refused."""
    if content.startswith(UTF16_BOMS):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem("The file starts as UTF-16 text but is not: save it as CSV UTF-8.") from None
        if (index := text.find("\x00")) >= 0:
            raise _binary(text, index)
        return text
    if (index := content.find(b"\x00")) >= 0:
        raise _binary(content, index)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("The CSV file's text could not be read: save it as CSV UTF-8.")


def _csv_sheet(content: bytes, name: str) -> ReadFile:
    text = _csv_text(content)
    # Every column is read as text; numbers and periods are parsed by the pipeline.
    rows: list[list[Cell]] = []
    # strict: a file ending inside a quoted cell (…,"1) is an error, not a cell holding the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    started = 1  # the line the row being read starts on
    try:
        for row in reader:
            rows.append(list(row))
            started = reader.line_num + 1
            if len(rows) > settings.UPLOAD_MAX_ROWS + 1:
                break
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise FileProblem(
                f'The file ends inside a quoted cell: the quote (") opened on line {started:,} is '
                "never closed. Correct that line, or save the file again as CSV."
            ) from None
        raise FileProblem(f"The CSV file could not be read at line {reader.line_num:,}: {error}.") from None
    _check_delimiter(rows)
    return ReadFile(sheets=[(name, rows)])


def _check_delimiter(rows: list[list[Cell]]) -> None:
    """A header read as one column because the columns are separated by something else than commas."""
    header = next((row for row in rows if not _is_blank_row(row)), None)
    if header is None or len(header) != 1:
        return
    found = [(text.count(mark), words) for mark, words in DELIMITERS.items() if (text := str(header[0])).count(mark)]
    if found:
        words = max(found)[1]
        raise FileProblem(
            f"The file's columns are separated by {words}, not commas. Save it as CSV (comma "
            "delimited), or as .xlsx, and upload that."
        )


def read_file(filename: str, content: bytes) -> ReadFile:
    """Every visible sheet's rows of cells, and what reading found. CSV is one sheet, named after the file.

    Raises FileProblem when the file cannot be read at all."""
    check_size(len(content))
    if not content.strip():
        raise FileProblem("The file is empty.")
    extension = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    kind = sniff(content)
    if kind == "encrypted":
        raise FileProblem(ENCRYPTED_MESSAGE)
    if kind == "xls" or (extension == "xls" and kind is None and not content.startswith(ZIP_SIGNATURE)):
        raise FileProblem(XLS_MESSAGE)
    if kind == "ods" or extension == "ods":
        raise FileProblem(ODS_MESSAGE)
    if extension == "xlsx":
        return _xlsx_sheets(content)
    if extension == "csv":
        if content.startswith(ZIP_SIGNATURE):
            raise FileProblem(
                "This is not CSV text: it looks like an .xlsx workbook with a .csv name. Rename it "
                "to .xlsx, or save it from Excel as CSV UTF-8 (comma delimited)."
            )
        return _csv_sheet(content, filename)
    raise FileProblem(f"{quoted(filename)} is neither an .xlsx nor a .csv file: upload one of those.")


def read_sheets(filename: str, content: bytes) -> list[tuple[str, list[list[Cell]]]]:
    """Every visible sheet's rows of cells, refusing (FileProblem) a file whose reading found an error."""
    read = read_file(filename, content)
    if read.errors:
        raise FileProblem(
            " ".join(str(issue) for issue in read.errors[:3])
            + (f" (and {len(read.errors) - 3:,} more)" if len(read.errors) > 3 else "")
        )
    return read.sheets


# --- sheets into records ---------------------------------------------------------------------


def _is_blank_row(row: list[Cell]) -> bool:
    try:
        return not "".join(row).strip()  # type: ignore[arg-type]  # a row of text (every CSV row): fast
    except TypeError:  # numbers, dates or empty cells from a workbook
        return all(is_blank(c) for c in row)


def _trim(rows: list[list[Cell]]) -> list[tuple[int, list[Cell]]]:
    """Rows with their spreadsheet row numbers (1-based), leaving out blank rows."""
    return [(number, row) for number, row in enumerate(rows, start=1) if not _is_blank_row(row)]


def detect_layout(header_row: Sequence[Cell]) -> Layout:
    """Long when a long-only column is there; wide when period columns are; long otherwise, so a
    wrong header is reported against the long layout's columns."""
    names = {header_text(cell).lower() for cell in header_row}
    if names & (set(LONG_COLUMNS) - set(WIDE_FIXED)):
        return Layout.LONG
    if any(looks_like_period(cell) for cell in header_row if header_text(cell).lower() not in WIDE_FIXED):
        return Layout.WIDE
    return Layout.LONG


def _long_records(
    sheet: str, header_number: int, header: list[str], rows: list[tuple[int, list[Cell]]], parsed: ParsedFile
) -> None:
    names = [h.lower() for h in header]
    missing = [c for c in LONG_REQUIRED if c not in names]
    unknown = [h for h in header if h and h.lower() not in LONG_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column{'s' if len(unknown) > 1 else ''} {listed(unknown)}")
        parsed.errors.append(
            Issue(
                f"The header has {' and '.join(parts)}. The long layout's columns are: {', '.join(LONG_COLUMNS)}.",
                sheet=sheet,
                row=header_number,
            )
        )
        return
    # Each long column's position; a column the header lacks reads from one past the widest row (None).
    width = max(len(header), *(len(row) for _, row in rows)) if rows else len(header)
    at = [names.index(name) if name in names else width for name in LONG_COLUMNS]
    indicator_at, area_at, period_at, value_at, numerator_at, denominator_at, status_at = at
    padding: list[Cell] = [None] * (width + 1)
    append = parsed.records.append
    for number, row in rows:
        row = row + padding[len(row) :]  # short rows (and the missing columns) read as empty cells
        append(
            RawRecord(
                sheet,
                number,
                row[indicator_at],
                row[area_at],
                row[period_at],
                row[value_at],
                "period",
                "value",
                row[numerator_at],
                row[denominator_at],
                row[status_at],
                Layout.LONG,
            )
        )


def _wide_records(
    sheet: str, header_number: int, header_row: list[Cell], rows: list[tuple[int, list[Cell]]], parsed: ParsedFile
) -> None:
    header = [header_text(c) for c in header_row]
    names = [h.lower() for h in header]
    missing = [c for c in WIDE_FIXED if c not in names]
    period_columns = [
        (i, header_row[i], header[i]) for i in range(len(header)) if header[i] and names[i] not in WIDE_FIXED
    ]
    unknown = [text for _, cell, text in period_columns if not looks_like_period(cell)]
    if missing or unknown or not period_columns:
        parts = []
        if missing:
            parts.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if unknown:
            parts.append(
                f"columns {listed(unknown)} that are not period labels"
                if len(unknown) > 1
                else f"column {shortened(unknown[0])} that is not a period label"
            )
        if not period_columns:
            parts.append("no period columns")
        parsed.errors.append(
            Issue(
                f"The header has {' and '.join(parts)}. Use either the long layout ({', '.join(LONG_COLUMNS)}) "
                "or the wide layout (indicator, area, then one column per period such as Oct-24 or Q2 24-25).",
                sheet=sheet,
                row=header_number,
            )
        )
        return
    indicator_at, area_at = names.index("indicator"), names.index("area")
    for number, row in rows:

        def at(index: int, row: list[Cell] = row) -> Cell:  # bound now: the loop moves on
            return row[index] if index < len(row) else None

        for index, period_cell, text in period_columns:
            value = at(index)
            if is_blank(value):
                continue  # an empty cell means nothing given: nothing changes
            parsed.records.append(
                RawRecord(
                    sheet=sheet,
                    row=number,
                    indicator=at(indicator_at),
                    area=at(area_at),
                    period=period_cell,
                    value=value,
                    period_column=text,
                    value_column=text,
                    layout=Layout.WIDE,
                )
            )


def column_letters(number: int) -> str:
    """A column's letters as a spreadsheet shows them: 1 -> A, 27 -> AA (a CSV may be wider than Excel)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def repeated_columns(header: list[str]) -> list[str]:
    """Each column name the header gives more than once (ignoring case and spacing), with where: "value twice
    (columns D and E)"."""
    places: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        if name:
            places.setdefault(" ".join(name.split()).lower(), []).append(index)
    repeated = [at for at in places.values() if len(at) > 1]
    return [
        f"{quoted(header[at[0]])} {'twice' if len(at) == 2 else f'{len(at):,} times'} (columns "
        f"{', '.join(column_letters(i + 1) for i in at[: min(len(at) - 1, 4)])}"
        f"{' …' if len(at) > 5 else ''} and {column_letters(at[-1] + 1)})"
        for at in repeated[:10]
    ] + ([f"{len(repeated) - 10:,} more"] if len(repeated) > 10 else [])


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """Records from every sheet, or the file-level errors that stop it being read.

    Raises FileProblem when the file cannot be read at all.
    """
    read = read_file(filename, content)
    parsed = ParsedFile(errors=read.errors, warnings=read.warnings)
    for sheet, rows in read.sheets:
        kept = _trim(rows)
        if read.refused_rows:
            kept = kept[:1] + [(number, row) for number, row in kept[1:] if (sheet, number) not in read.refused_rows]
        if not kept:
            continue
        parsed.rows += len(kept) - 1
        if parsed.rows > settings.UPLOAD_MAX_ROWS:
            raise FileProblem(
                f"The file has more than {settings.UPLOAD_MAX_ROWS:,} rows, the most one upload "
                "may hold. Split it into smaller files."
            )
        header_row = kept[0][1]
        header = [header_text(c) for c in header_row]
        layout = detect_layout(header_row)
        parsed.layouts.add(layout)
        if twice := repeated_columns(header):
            parsed.errors.append(
                Issue(
                    f"The header names {'; '.join(twice)}: each column may appear once, or it is not clear which "
                    "one holds the values. Remove or rename the extra column.",
                    sheet=sheet,
                    row=kept[0][0],
                )
            )
            continue
        if layout is Layout.LONG:
            _long_records(sheet, kept[0][0], header, kept[1:], parsed)
        else:
            _wide_records(sheet, kept[0][0], header_row, kept[1:], parsed)
    if not parsed.layouts and not parsed.errors:  # (a hidden sheet's data is an error, not an empty file)
        raise FileProblem("The file is empty: it has no header and no rows.")
    if not parsed.records and not parsed.errors:
        raise FileProblem("The file has a header but no values.")
    return parsed
