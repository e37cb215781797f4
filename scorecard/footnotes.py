"""A page's footnotes, shared by the live pages (scorecard/pages) and the published ones (scorecard/editions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Footnotes:
    """A page's footnotes, numbered in the order they are first shown; the same text keeps its number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def mark(self, value: Mapping[str, Any] | None) -> int | None:
        """The number of a frozen value's footnote (None when it has none)."""
        return self.number((value or {}).get("footnote") or "")

    def number(self, text: str) -> int | None:
        if not text:
            return None
        return self.numbers.setdefault(text, len(self.numbers) + 1)

    def listed(self) -> list[tuple[int, str]]:
        return [(number, text) for text, number in self.numbers.items()]
