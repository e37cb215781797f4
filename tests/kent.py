"""The printed Kent scorecard (kent_published.csv) as acceptance cases, and its named exceptions."""

from __future__ import annotations

import csv

from scorecard.demo import DEMO_DIR

# The printed document's known inconsistencies (data README): no single rule reproduces them.
EH_UNIT_CASELOAD = "X-eh-unit-avg-caseload"  # printed polarity L, but arrows and 2024-25 RAG behave as H
PROGRESS_8 = {"X-ks4-p8-all-pupils", "X-ks4-p8-fsm", "X-ks4-p8-cic", "X-ks4-p8-sen-support", "X-ks4-p8-sen-ehcp"}
DOT_EXCEPTIONS = {EH_UNIT_CASELOAD: "printed L but arrow behaves as H"} | dict.fromkeys(
    PROGRESS_8, "every Progress 8 row prints a down arrow although four improved and one is unchanged"
)
RAG_EXCEPTIONS = {EH_UNIT_CASELOAD: "printed L but the 2024-25 RAG behaves as H"}

DOT_WORDS = {"up": "improved", "down": "worsened", "same": "same", "": ""}


def published_rows() -> list[dict[str, str]]:
    with open(DEMO_DIR / "kent_published.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def qpr_ticked_codes() -> set[str]:
    """The indicators the shipped indicators.csv ticks in its old ``qpr`` column (membership of the QPR)."""
    with open(DEMO_DIR / "indicators.csv", newline="", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle) if row["qpr"].strip().lower() in ("1", "yes", "true")}
