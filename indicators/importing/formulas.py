"""Formula cells in an .xlsx workbook: a saved result is used only when it can be shown to be current.

The workbook reader (calamine) hands over each formula's saved (cached) result, never the formula. A saved
result can be stale (written by a program that does not recalculate, or edited by hand: ``=50+6`` saved as
999), missing (a file written by a library, never opened in Excel), or taken from another workbook (an
external link, whose value depends on a file we cannot see). We cannot run Excel, so we recompute what we
can and vouch for nothing else:

- numbers, ``+ - * / ^``, a trailing ``%``, brackets, references to cells of the same workbook holding plain
  numbers (an empty cell counts 0, as in Excel) or formulas we can recompute, and ``SUM`` of those;
- a formula recomputed to its saved result is used, with a warning naming the cell;
- a stale, missing, external or error result, and any formula we cannot recompute, is an error naming the
  cell that says to paste values.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.parsers import expat

from defusedxml import ElementTree
from openpyxl.formula import Tokenizer
from openpyxl.formula.tokenizer import Token
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter, range_boundaries

from indicators.analysis.numbers import quoted

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A formula element in a sheet's XML, with or without a namespace prefix: only sheets holding one are parsed.
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_EXTERNAL = re.compile(r"\[\d+\]|\[[^\]]*\.xl\w*\]", re.IGNORECASE)  # [1]Sheet1!A1 or [Book.xlsx]Sheet1!A1
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)", re.IGNORECASE)
MAX_SUM_CELLS = 10_000
FORMULA_LIMIT = 60  # characters of a formula repeated in a message


@dataclass(frozen=True)
class FormulaCell:
    sheet: str
    ref: str  # A1 style, such as D5
    formula: str  # without the leading =
    saved: str | None  # the saved result as written in the file; None when there is none
    saved_type: str  # the cell's t attribute: "n" (a number), "str", "b", "e" (an error)
    kind: str = "normal"  # or "array", "dataTable" (never recomputed)

    @property
    def row(self) -> int:
        return coordinate_from_string(self.ref)[1]

    @property
    def column(self) -> int:
        return column_index_from_string(coordinate_from_string(self.ref)[0])


@dataclass(frozen=True)
class Finding:
    """What was found about one formula cell: an error, or (when ``current``) a warning."""

    cell: FormulaCell
    message: str
    current: bool


class Unverifiable(Exception):
    """A formula (or a cell it reads) we cannot recompute."""


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the path of its XML part in the archive."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {relation.get("Id"): relation.get("Target", "") for relation in relations}
    paths = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(RELATIONSHIP), "")
        if target:
            paths[sheet.get("name", "")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            )
    return paths


def formula_cells(archive: zipfile.ZipFile, sheets: set[str]) -> list[FormulaCell]:
    """Every formula cell of the named sheets, in order, shared formulas translated to each cell."""
    found: list[FormulaCell] = []
    for name, path in _sheet_paths(archive).items():
        if name not in sheets or path not in archive.namelist():
            continue
        data = archive.read(path)
        if _HAS_FORMULA.search(data):
            found.extend(_SheetScanner(name).scan(data))
    return found


class _SheetScanner:
    """Streams a sheet's XML with expat, keeping only formula cells: a sheet of 100,000 rows is read in seconds,
    where building every element (ElementTree) took many times longer. A DOCTYPE (and so any entity) is refused,
    as defusedxml would."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.row = self.column = 0  # where we are, for cells that do not say (r is optional)
        self.ref = ""
        self.cell_type = "n"
        self.formula: tuple[str, str, list[str]] | None = None  # (t, si, text parts)
        self.value: list[str] | None = None
        self.text: list[str] | None = None  # where character data goes now
        self.shared: dict[str, tuple[str, str]] = {}  # si -> (formula, the cell it is written in)
        self.found: list[FormulaCell] = []

    def scan(self, data: bytes) -> list[FormulaCell]:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.refuse
        parser.EntityDeclHandler = self.refuse
        parser.buffer_text = True
        parser.Parse(data, True)
        return self.found

    @staticmethod
    def refuse(*args: object) -> None:
        raise ValueError("a worksheet with a DOCTYPE is not read")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "c":
            ref = attributes.get("r", "")
            if match := _CELL.fullmatch(ref):
                self.column = column_index_from_string(match[1].upper())
            else:
                self.column += 1
                ref = f"{get_column_letter(self.column)}{self.row}"
            self.ref, self.cell_type = ref, attributes.get("t", "n")
            self.formula = self.value = None
        elif tag == "row":
            self.row = int(attributes.get("r") or self.row + 1)
            self.column = 0
        elif tag == "f":
            self.formula = (attributes.get("t", "normal"), attributes.get("si", ""), [])
            self.text = self.formula[2]
        elif tag == "v":
            self.value = self.text = []

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if tag in ("f", "v"):
            self.text = None
        elif tag == "c" and self.formula is not None:
            kind, index, parts = self.formula
            text = "".join(parts)
            if kind == "shared":
                kind = "normal"
                if text:
                    self.shared[index] = (text, self.ref)
                elif index in self.shared:
                    master, origin = self.shared[index]
                    try:
                        text = Translator(f"={master}", origin=origin).translate_formula(self.ref)[1:]
                    except Exception:  # noqa: BLE001 - a formula openpyxl cannot move is not recomputed
                        text, kind = master, "untranslated"
            self.found.append(
                FormulaCell(
                    self.sheet,
                    self.ref,
                    text,
                    "".join(self.value) if self.value is not None else None,
                    self.cell_type,
                    kind,
                )
            )
            self.formula = None


def check_formulas(
    archive: zipfile.ZipFile, sheets: Mapping[str, Sequence[Sequence[object]]], read: set[str]
) -> list[Finding]:
    """A finding for every formula cell of the sheets in ``read``; ``sheets`` (name -> calamine's rows, from A1)
    are every sheet's values, which formulas may refer to."""
    cells = formula_cells(archive, read)
    external_links = any(name.startswith("xl/externalLinks/") for name in archive.namelist())
    by_ref = {(cell.sheet, cell.ref.upper()): cell for cell in cells}
    evaluator = _Evaluator(sheets, by_ref)
    return [_finding(cell, evaluator, external_links) for cell in cells]


def _finding(cell: FormulaCell, evaluator: _Evaluator, external_links: bool) -> Finding:
    shown = quoted(f"={cell.formula}", FORMULA_LIMIT)
    paste = "Copy the cells and paste them back as values (Paste Special, Values), then upload the file again."
    if _EXTERNAL.search(cell.formula) or (external_links and "[" in cell.formula):
        return Finding(
            cell,
            f"Cell {cell.ref} holds the formula {shown}, which takes its value from another "
            f"workbook (an external link), so its saved result cannot be vouched for. {paste}",
            False,
        )
    if cell.saved is None or cell.saved == "":
        return Finding(
            cell,
            f"Cell {cell.ref} holds the formula {shown} with no saved result (the file was "
            f"written by a program, never saved by Excel). {paste}",
            False,
        )
    if cell.saved_type == "e":
        return Finding(
            cell,
            f"Cell {cell.ref} holds the formula {shown}, whose result is the error "
            f"{cell.saved}. Correct it, then paste values.",
            False,
        )
    try:
        if cell.saved_type != "n" or cell.kind != "normal":
            raise Unverifiable
        saved = float(cell.saved)
        computed = evaluator.cell(cell)
    except Exception:  # noqa: BLE001 - Unverifiable, arithmetic errors, or a formula the tokenizer cannot read
        return Finding(
            cell,
            f"Cell {cell.ref} holds the formula {shown}, whose saved result cannot be checked "
            f"here (only arithmetic on numbers and plain number cells can be). {paste}",
            False,
        )
    if not math.isclose(computed, saved, rel_tol=1e-9, abs_tol=1e-9):
        return Finding(
            cell,
            f"Cell {cell.ref} holds the formula {shown}, which gives {_number(computed)}, but "
            f"the file saved {_number(saved)}: the saved result is out of date. Open the file in "
            f"Excel and save it (so it recalculates), or paste values.",
            False,
        )
    return Finding(
        cell,
        f"Cell {cell.ref} holds the formula {shown}; its saved result {_number(saved)} was "
        "checked and is used. Paste values to keep the file as it reads.",
        True,
    )


def _number(value: float) -> str:
    return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class _Evaluator:
    """Recomputes the small part of Excel's formula language listed in the module's docstring."""

    def __init__(
        self, sheets: Mapping[str, Sequence[Sequence[object]]], formulas: dict[tuple[str, str], FormulaCell]
    ) -> None:
        self.sheets = sheets
        self.formulas = formulas
        self.done: dict[tuple[str, str], float] = {}
        self.running: set[tuple[str, str]] = set()

    def cell(self, cell: FormulaCell) -> float:
        key = (cell.sheet, cell.ref.upper())
        if key in self.done:
            return self.done[key]
        if key in self.running or cell.kind != "normal":
            raise Unverifiable  # a circular reference, or an array formula
        self.running.add(key)
        try:
            tokens = [t for t in Tokenizer(f"={cell.formula}").items if t.type != Token.WSPACE]
            parser = _Parser(tokens, cell.sheet, self.value)
            result = parser.expression()
            if parser.position != len(tokens):
                raise Unverifiable
        finally:
            self.running.discard(key)
        self.done[key] = result
        return result

    def value(self, sheet: str, column: int, row: int) -> float:
        """A referenced cell's number (row and column from 1)."""
        formula = self.formulas.get((sheet, f"{get_column_letter(column)}{row}"))
        if formula is not None:
            return self.cell(formula)
        rows = self.sheets.get(sheet)
        if rows is None:
            raise Unverifiable  # a sheet we do not have
        value = rows[row - 1][column - 1] if row <= len(rows) and column <= len(rows[row - 1]) else None
        if value is None or value == "":
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Unverifiable  # text, a date or a boolean
        return float(value)


class _Parser:
    """Recursive descent over openpyxl's tokens, with Excel's precedence: negation, %, ^, * and /, + and -."""

    def __init__(self, tokens: list[Token], sheet: str, value: Callable[[str, int, int], float]) -> None:
        self.tokens = tokens
        self.position = 0
        self.sheet = sheet
        self.value = value

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise Unverifiable
        self.position += 1
        return token

    def expression(self) -> float:
        result = self.term()
        while (token := self.peek()) is not None and token.type == Token.OP_IN and token.value in "+-":
            self.take()
            result = result + self.term() if token.value == "+" else result - self.term()
        return result

    def term(self) -> float:
        result = self.power()
        while (token := self.peek()) is not None and token.type == Token.OP_IN and token.value in "*/":
            self.take()
            result = result * self.power() if token.value == "*" else result / self.power()
        return result

    def power(self) -> float:
        result = self.unary()
        while (token := self.peek()) is not None and token.type == Token.OP_IN and token.value == "^":
            self.take()
            result = float(result ** self.unary())
        return result

    def unary(self) -> float:
        token = self.peek()
        if token is not None and token.type == Token.OP_PRE:
            self.take()
            return -self.unary() if token.value == "-" else self.unary()
        result = self.primary()
        while (token := self.peek()) is not None and token.type == Token.OP_POST and token.value == "%":
            self.take()
            result /= 100
        return result

    def primary(self) -> float:
        token = self.take()
        if token.type == Token.OPERAND and token.subtype == Token.NUMBER:
            return float(token.value)
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            cells = self.cells(token.value)
            if len(cells) != 1:
                raise Unverifiable
            return self.value(*cells[0])
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            result = self.expression()
            closing = self.take()
            if closing.type != Token.PAREN or closing.subtype != Token.CLOSE:
                raise Unverifiable
            return result
        if token.type == Token.FUNC and token.subtype == Token.OPEN and token.value.upper() == "SUM(":
            return self.sum()
        raise Unverifiable

    def sum(self) -> float:
        total = 0.0
        while True:
            token = self.peek()
            if token is not None and token.type == Token.OPERAND and token.subtype == Token.RANGE:
                self.take()
                total += sum(self.value(*cell) for cell in self.cells(token.value))
            else:
                total += self.expression()
            separator = self.take()
            if separator.type == Token.FUNC and separator.subtype == Token.CLOSE:
                return total
            if separator.type != Token.SEP or separator.subtype != Token.ARG:
                raise Unverifiable

    def cells(self, reference: str) -> list[tuple[str, int, int]]:
        """(sheet, column, row) of every cell a reference names: A1, $B$2, Sheet2!A1:B3, 'My sheet'!C4."""
        sheet, _, where = reference.rpartition("!")
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else (sheet or self.sheet)
        if ":" in where:
            first, _, last = where.partition(":")
            if not (_CELL.fullmatch(first) and _CELL.fullmatch(last)):
                raise Unverifiable  # whole columns or rows, names
            low_column, low_row, high_column, high_row = range_boundaries(where.replace("$", ""))
            count = (high_column - low_column + 1) * (high_row - low_row + 1)  # type: ignore[operator]
            if count > MAX_SUM_CELLS:
                raise Unverifiable
            return [
                (sheet, column, row)
                for row in range(low_row, high_row + 1)  # type: ignore[arg-type]
                for column in range(low_column, high_column + 1)
            ]  # type: ignore[arg-type]
        match = _CELL.fullmatch(where)
        if not match:
            raise Unverifiable  # a defined name
        return [(sheet, column_index_from_string(match[1].upper()), int(match[2]))]
