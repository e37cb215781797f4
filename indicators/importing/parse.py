"""Read an uploaded spreadsheet into raw cells, safely.

Nothing here knows about indicators or units: it checks the file's size and shape,
reads every sheet (never evaluating formulas or macros: calamine reads the cached
values) and turns each sheet into records in the long shape, with the sheet, row and
column each cell came from, so validation can point at it in plain words.
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

from indicators.analysis.periods import PeriodError, parse_label, parse_year_label

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
            part for part in (
                f"sheet {self.sheet}" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column}" if self.column else "",
            ) if part
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
    if parse_year_label(text) is not None:
        return True
    try:
        parse_label(text)
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


def _xlsx_sheets(content: bytes) -> list[tuple[str, list[list[Cell]]]]:
    from python_calamine import CalamineWorkbook

    check_zip(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = []
        for name in workbook.sheet_names:
            # nrows one past the limit: enough to know the file is too long without reading it all.
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False,
                                                              nrows=settings.UPLOAD_MAX_ROWS + 2)
            sheets.append((name, cast("list[list[Cell]]", rows)))  # calamine's cells are Cells
        return sheets
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - calamine raises its own error types for damaged workbooks
        raise FileProblem(
            "The workbook could not be read: it may be damaged or cut short. Save it again from Excel "
            "as .xlsx or .csv."
        ) from None


def _csv_sheet(content: bytes, name: str) -> list[tuple[str, list[list[Cell]]]]:
    if b"\x00" in content[:8192]:
        raise FileProblem("The file is not a CSV text file (it holds binary data). Save it as .csv or .xlsx.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise FileProblem("The CSV file's text could not be read: save it as UTF-8.")
    # Every column is read as text; numbers and periods are parsed by the pipeline.
    rows: list[list[Cell]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(list(row))
            if len(rows) > settings.UPLOAD_MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise FileProblem(f"The CSV file could not be read: {error}.") from None
    return [(name, rows)]


def read_sheets(filename: str, content: bytes) -> list[tuple[str, list[list[Cell]]]]:
    """Every sheet's rows of cells. CSV is one sheet, named after the file."""
    check_size(len(content))
    if not content.strip():
        raise FileProblem("The file is empty.")
    extension = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if extension == "xlsx":
        return _xlsx_sheets(content)
    if extension == "csv":
        return _csv_sheet(content, filename)
    raise FileProblem(f"'{filename}' is neither an .xlsx nor a .csv file: upload one of those.")


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


def _long_records(sheet: str, header_number: int, header: list[str], rows: list[tuple[int, list[Cell]]],
                  parsed: ParsedFile) -> None:
    names = [h.lower() for h in header]
    missing = [c for c in LONG_REQUIRED if c not in names]
    unknown = [h for h in header if h and h.lower() not in LONG_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
        parsed.errors.append(Issue(
            f"The header has {' and '.join(parts)}. The long layout's columns are: {', '.join(LONG_COLUMNS)}.",
            sheet=sheet, row=header_number,
        ))
        return
    # Each long column's position; a column the header lacks reads from one past the widest row (None).
    width = max(len(header), *(len(row) for _, row in rows)) if rows else len(header)
    at = [names.index(name) if name in names else width for name in LONG_COLUMNS]
    indicator_at, area_at, period_at, value_at, numerator_at, denominator_at, status_at = at
    padding: list[Cell] = [None] * (width + 1)
    append = parsed.records.append
    for number, row in rows:
        row = row + padding[len(row):]  # short rows (and the missing columns) read as empty cells
        append(RawRecord(
            sheet, number, row[indicator_at], row[area_at], row[period_at], row[value_at], "period", "value",
            row[numerator_at], row[denominator_at], row[status_at], Layout.LONG,
        ))


def _wide_records(sheet: str, header_number: int, header_row: list[Cell], rows: list[tuple[int, list[Cell]]],
                  parsed: ParsedFile) -> None:
    header = [header_text(c) for c in header_row]
    names = [h.lower() for h in header]
    missing = [c for c in WIDE_FIXED if c not in names]
    period_columns = [(i, header_row[i], header[i]) for i in range(len(header))
                      if header[i] and names[i] not in WIDE_FIXED]
    unknown = [text for _, cell, text in period_columns if not looks_like_period(cell)]
    if missing or unknown or not period_columns:
        parts = []
        if missing:
            parts.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if unknown:
            parts.append(f"columns {', '.join(unknown)} that are not period labels" if len(unknown) > 1
                         else f"column {unknown[0]} that is not a period label")
        if not period_columns:
            parts.append("no period columns")
        parsed.errors.append(Issue(
            f"The header has {' and '.join(parts)}. Use either the long layout ({', '.join(LONG_COLUMNS)}) "
            "or the wide layout (indicator, area, then one column per period such as Oct-24 or Q2 24-25).",
            sheet=sheet, row=header_number,
        ))
        return
    indicator_at, area_at = names.index("indicator"), names.index("area")
    for number, row in rows:
        def at(index: int, row: list[Cell] = row) -> Cell:  # bound now: the loop moves on
            return row[index] if index < len(row) else None

        for index, period_cell, text in period_columns:
            value = at(index)
            if is_blank(value):
                continue  # an empty cell means nothing given: nothing changes
            parsed.records.append(RawRecord(
                sheet=sheet, row=number, indicator=at(indicator_at), area=at(area_at),
                period=period_cell, value=value, period_column=text, value_column=text, layout=Layout.WIDE,
            ))


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """Records from every sheet, or the file-level errors that stop it being read.

    Raises FileProblem when the file cannot be read at all.
    """
    parsed = ParsedFile()
    for sheet, rows in read_sheets(filename, content):
        kept = _trim(rows)
        if not kept:
            continue
        parsed.rows += len(kept) - 1
        if parsed.rows > settings.UPLOAD_MAX_ROWS:
            raise FileProblem(f"The file has more than {settings.UPLOAD_MAX_ROWS:,} rows, the most one upload "
                              "may hold. Split it into smaller files.")
        header_row = kept[0][1]
        header = [header_text(c) for c in header_row]
        layout = detect_layout(header_row)
        parsed.layouts.add(layout)
        if layout is Layout.LONG:
            _long_records(sheet, kept[0][0], header, kept[1:], parsed)
        else:
            _wide_records(sheet, kept[0][0], header_row, kept[1:], parsed)
    if not parsed.layouts:
        raise FileProblem("The file is empty: it has no header and no rows.")
    if not parsed.records and not parsed.errors:
        raise FileProblem("The file has a header but no values.")
    return parsed
