"""How scorecard rows are grouped into the printed tables. Pure: no queries.

A scorecard has one table per printed ``Indicator.table`` in display order; on a district page
the team tables (ICS Monthly) come once per team serving the district. A matrix (area page,
comparison) has one table per printed table and reporting level, with a column per unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from districts.models import ReportingUnit, UnitKind
from indicators.models import LEVEL_TITLES, Indicator, ReportedFor
from scorecard.assembly import Scorecard, ScorecardRow

from .filters import Criteria


def table_ranks(indicators: Iterable[Indicator]) -> dict[str, int]:
    """Printed tables in the order their first indicator is displayed."""
    ranks: dict[str, int] = {}
    for indicator in sorted(indicators, key=lambda i: (i.display_order, i.code)):
        ranks.setdefault(indicator.table, len(ranks))
    return ranks


@dataclass
class Block:
    """One printed table of one unit's scorecard."""

    table: str
    unit: ReportingUnit
    rows: list[ScorecardRow] = field(default_factory=list)

    @property
    def caption(self) -> str:
        return f"{self.table} — {self.unit.name}" if self.unit.kind == UnitKind.TEAM else self.table


def scorecard_blocks(card: Scorecard, criteria: Criteria) -> list[Block]:
    """The card's rows that match, as printed tables; tables left empty by the filters are dropped."""
    ranks = table_ranks(row.indicator for row in card.rows)
    unit_rank = {unit.pk: rank for rank, unit in enumerate((card.unit, *card.teams))}
    blocks: dict[tuple[str, int], Block] = {}
    for row in card.rows:
        if criteria.matches(row):
            key = (row.indicator.table, row.unit.pk)
            blocks.setdefault(key, Block(row.indicator.table, row.unit)).rows.append(row)
    return [blocks[key] for key in sorted(blocks, key=lambda k: (ranks[k[0]], unit_rank.get(k[1], 99)))]


@dataclass
class MatrixBlock:
    """One printed table at one reporting level: indicators down, units across."""

    table: str
    level: str
    units: list[ReportingUnit]
    lines: list[tuple[Indicator, dict[int, ScorecardRow]]] = field(default_factory=list)  # unit pk -> row

    @property
    def caption(self) -> str:
        authority = next((unit for unit in self.units if unit.kind == UnitKind.AUTHORITY), None)
        if self.level == ReportedFor.AUTHORITY.value and authority is not None:
            return f"{self.table} — {authority.name} only"
        return f"{self.table} — {LEVEL_TITLES.get(self.level, self.level)}"

    @property
    def rows(self) -> list[ScorecardRow]:
        """The rows shown, for the export: indicator by indicator, unit by unit."""
        return [line[unit.pk] for _, line in self.lines for unit in self.units if unit.pk in line]


def unique_rows(cards: Iterable[Scorecard]) -> list[ScorecardRow]:
    """Every row of the cards once (a team serving two districts appears on both cards)."""
    seen: dict[tuple[int, int], ScorecardRow] = {}
    for card in cards:
        for row in card.rows:
            seen.setdefault((row.indicator.pk, row.unit.pk), row)
    return list(seen.values())


def matrix_blocks(
    rows: Sequence[ScorecardRow], units: Sequence[ReportingUnit], criteria: Criteria
) -> list[MatrixBlock]:
    """Rows grouped into matrices; ``units`` gives the column order (the authority first, if shown)."""
    order = {unit.pk: rank for rank, unit in enumerate(units)}
    by_indicator: dict[int, dict[int, ScorecardRow]] = defaultdict(dict)
    indicators: dict[int, Indicator] = {}
    for row in rows:
        if row.unit.pk in order:
            by_indicator[row.indicator.pk][row.unit.pk] = row
            indicators[row.indicator.pk] = row.indicator
    ranks = table_ranks(indicators.values())
    blocks: dict[tuple[str, str], MatrixBlock] = {}
    for indicator in sorted(indicators.values(), key=lambda i: (ranks[i.table], i.display_order, i.code)):
        line = by_indicator[indicator.pk]
        if not criteria.matches_any(line.values()):
            continue
        key = (indicator.table, indicator.reported_for)
        if key not in blocks:
            blocks[key] = MatrixBlock(indicator.table, indicator.reported_for, [])
        blocks[key].lines.append((indicator, line))
    for block in blocks.values():
        present = {pk for _, line in block.lines for pk in line}
        block.units = [unit for unit in units if unit.pk in present]
    return list(blocks.values())
