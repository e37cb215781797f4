"""No council's name in Python or templates: names come from the data (scorecards.csv, geography.csv).

Allowed: the demo data and its loader (scorecard/demo.py, load_demo), migrations' history, and the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = re.compile(r"Kent|CYPE")
ALLOWED = (
    "scorecard/demo_data/",
    "scorecard/demo.py",
    "scorecard/management/commands/load_demo.py",
    "tests/",
    "/migrations/",
    "bench/",
)


def occurrences() -> dict[str, int]:
    found: dict[str, int] = {}
    for pattern in ("*.py", "*.html"):
        for path in ROOT.rglob(pattern):
            relative = path.relative_to(ROOT).as_posix()
            if (
                relative.startswith((".", "node_modules"))
                or "/." in relative
                or any(allowed in f"/{relative}" or relative.startswith(allowed) for allowed in ALLOWED)
            ):
                continue
            count = sum(len(NAMES.findall(line)) > 0 for line in path.read_text(encoding="utf-8").splitlines())
            if count:
                found[relative] = count
    return found


def test_no_council_is_named_in_code_or_templates() -> None:
    found = occurrences()
    assert not found, f"a council's name in code or templates (put it in the data): {found}"
