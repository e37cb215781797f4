"""import_measurements FILE [--commit]: the web upload's pipeline from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.audit_trail import record
from indicators.importing.load import commit_upload
from indicators.importing.parse import FileProblem, check_size
from indicators.importing.preview import Report, check_upload
from indicators.models import Upload

SHOWN_CHANGES = 200


class Command(BaseCommand):
    help = "Check a measurements spreadsheet (.xlsx or .csv) and print the preview; with --commit, load it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx or .csv file in the long or wide layout")
        parser.add_argument("--commit", action="store_true", help="load the values (all or nothing)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            check_size(path.stat().st_size)  # before reading a huge file into memory
        except FileProblem as problem:
            raise CommandError(str(problem)) from None
        content = path.read_bytes()
        report = check_upload(path.name, content)
        self.print_preview(report)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} error(s): nothing was changed.")
        if not options["commit"]:
            self.stdout.write("Nothing changed: run again with --commit to load these values.")
            return
        upload = Upload.objects.create(filename=path.name, content=content, size=len(content),
                                       state=Upload.State.QUEUED, counts=report.counts, warnings=report.stored_warnings(),
                                       preview=report.preview())
        record("upload.received", "command line", about=upload, counts=report.counts, detail="import_measurements")
        state = commit_upload(upload.pk)
        upload.refresh_from_db(fields=["state", "errors", "counts"])
        if state != Upload.State.COMMITTED:
            problems = "; ".join(str(e["message"]) for e in upload.errors) or state
            raise CommandError(f"the load did not complete ({state}): {problems}")
        written = upload.counts.get("committed", {})
        self.stdout.write(self.style.SUCCESS(
            f"Committed upload {upload.pk}: {written.get('new', 0)} new, {written.get('changed', 0)} changed, "
            f"{written.get('unchanged', 0)} unchanged."))

    def print_preview(self, report: Report) -> None:
        counts = report.diff.counts
        self.stdout.write(f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged "
                          f"({len(report.values)} values, layout {report.layout or 'unknown'}).")
        for change in report.diff.changed[:SHOWN_CHANGES]:
            shown = change.as_dict()
            self.stdout.write(f"  {shown['indicator']} {shown['area']} {shown['period']}: {shown['old']} → {shown['new']}")
        if len(report.diff.changed) > SHOWN_CHANGES:
            self.stdout.write(f"  … and {len(report.diff.changed) - SHOWN_CHANGES} more changes")
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
