"""Writing CSV and XLSX files that are safe to open in Excel: every spreadsheet the app writes goes through here.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF is a formula to Excel and LibreOffice
(formula injection: a unit or indicator named ``=HYPERLINK(...)`` would run when the file is opened). Such
text is written as text, never as a formula; numbers stay numbers (Progress 8 values are negative):

- in CSV, the conventional leading apostrophe (``'=HYPERLINK(...)``), which spreadsheet programs read as
  "this is text" (CSV has no cell types);
- in XLSX, an explicit string cell marked with Excel's hidden quote prefix (what Excel itself stores when
  someone types ``'=1+2``): the cell shows the text exactly, without a visible apostrophe, and stays text
  when edited.

Pure Python (openpyxl, no Django), so ``indicators`` and ``scorecard`` both use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# A text cell starting with one of these is read as a formula (or splits into one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

Cell = str | int | float | Decimal | date | datetime | None
Row = Sequence[Cell]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def looks_like_formula(value: object) -> bool:
    """True for text that a spreadsheet program would take as a formula. Numbers never are."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Cell) -> str:
    """One cell as CSV text: risky text gets a leading apostrophe; numbers as plain digits (no exponent)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # trailing zeros kept: 30.0 is printed as 30.0
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def write_csv(out: SupportsWrite[str], rows: Iterable[Row]) -> None:
    """Write rows to a text stream (a file, or an HttpResponse), every cell through ``csv_text``.

    Lines end in CRLF (RFC 4180): the csv module quotes a field holding a line break only when the
    break is part of the line ending, so with a bare LF a CR inside a name would split the row."""
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_text(cell) for cell in row])


def csv_bytes(rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> WriteOnlyCell | Cell:
    """What to append for one cell: numbers as numeric cells, risky text as an explicit string cell."""
    if isinstance(value, Decimal):
        return float(value)  # a numeric cell; 78.6 stays 78.6 (shortest repr)
    if value == "":
        return None
    if looks_like_formula(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl took the leading "=" as a formula; it is text
        cell.quotePrefix = True  # Excel's own "typed with an apostrophe" mark: stays text when edited
        return cell
    return value


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Row]]]) -> bytes:
    """A workbook with one sheet per (title, rows); titles are cut to Excel's 31 characters."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([xlsx_cell(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
