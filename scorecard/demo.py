"""The demo data set: Kent CYPE Directorate Scorecard, October 2024 (Open Government Licence).

Loading goes the way any council's MI team sets up and fills a scorecard: the definitions through
``import_definitions`` (scorecards.csv, geography.csv, …), then the values through the upload pipeline.
It is idempotent (a second run changes nothing), every record passes the same validation as the
admin and the uploads, a bad row is refused with its file and line, and nothing is half-loaded.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from indicators.analysis.periods import parse_period
from indicators.importing.definitions import import_path
from indicators.importing.load import commit_upload, queue_checked
from indicators.importing.preview import check_upload
from indicators.models import Measurement, Upload

from .editions.publishing import publish_demo_editions

DEMO_DIR = Path(__file__).resolve().parent / "demo_data" / "kent-cype-2024-10"
ATTRIBUTION = (
    "Demo figures: Kent County Council, Children, Young People and Education Directorate Scorecard, "
    "October 2024 (published 9 December 2024), under the Open Government Licence."
)
DEMO_REASON = "demo data loaded (load_demo)"
CYPE8_PROVISIONAL = ("CYPE8", "Q2 24-25", "Provisional: not yet published by the Ministry of Justice")
# Who the audit trail says loaded the demo's values (approval and publication are by the system).
DEMO_ACTOR = "demo"


class DemoDataError(Exception):
    pass


def load_definitions(directory: Path = DEMO_DIR) -> dict[str, int]:
    """The scorecards, geography, aliases, indicators, targets and benchmarks, through ``import_definitions``
    (the path any council's MI team uses). Returns how many records of each kind were added or changed."""
    # All or nothing: an error keeps nothing. The shipped set is the starting point, so it writes no history.
    report = import_path(directory, reason=DEMO_REASON, commit=True, history=False)
    if not report.ok:
        raise DemoDataError(
            "; ".join(
                f"{issue.sheet} line {issue.row}: {issue.message}" if issue.row else str(issue)
                for issue in report.errors
            )
        )
    return {what: sum(hows.values()) for what, hows in report.plain_counts().items()}


def load_footnotes() -> int:
    """The printed scorecard marks CYPE8's latest quarter as not yet published by the Ministry of Justice."""
    quarter = parse_period(CYPE8_PROVISIONAL[1], "quarterly")
    return (
        Measurement.objects.for_period(quarter)
        .filter(indicator__code=CYPE8_PROVISIONAL[0])
        .exclude(footnote=CYPE8_PROVISIONAL[2])
        .update(footnote=CYPE8_PROVISIONAL[2])
    )


def load_measurements(directory: Path = DEMO_DIR) -> int:
    """The shipped values, through the upload pipeline (import_measurements' path): checked, previewed, then
    committed; a value that differs from what is stored is revised, never overwritten silently. Returns how many
    values were added or changed (nothing to change: no upload is recorded)."""
    path = directory / "measurements.csv"
    content = path.read_bytes()
    report = check_upload(path.name, content)
    if not report.ok:
        raise DemoDataError(
            "; ".join(
                f"{path.name} line {issue.row}: {issue.message}" if issue.row else str(issue) for issue in report.errors
            )
        )
    changed = report.diff.counts["new"] + report.diff.counts["changed"]
    if not changed:
        return 0
    upload = queue_checked(path.name, content, report, DEMO_ACTOR)
    if commit_upload(upload.pk) != Upload.State.COMMITTED:
        upload.refresh_from_db(fields=["errors"])
        raise DemoDataError("; ".join(str(error.get("message")) for error in upload.errors) or "the load failed")
    return changed


@transaction.atomic
def load_demo(directory: Path = DEMO_DIR) -> dict[str, int]:
    """Load every demo file; all or nothing. Returns how many records each step changed."""
    definitions = load_definitions(directory)
    return {
        "scorecards": definitions.get("scorecards", 0),
        "units": definitions.get("units", 0) + definitions.get("aliases", 0),
        "indicators": definitions.get("indicators", 0),
        "memberships": definitions.get("memberships", 0),
        "targets": definitions.get("targets", 0),
        "benchmarks": definitions.get("benchmarks", 0),
        "measurements": load_measurements(directory),
        "footnotes": load_footnotes(),
        # The default scorecard's October 2024 edition with its commentary, and the quarterly report's as at
        # September 2024, each approved and published once; their packs are titled from scorecards.csv.
        "edition": publish_demo_editions(),
    }
