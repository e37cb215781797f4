"""import_measurements FILE [--commit]: the web upload's pipeline from the command line.

import_measurements --upload ID [--commit]: take a stored upload (one the web page received) its next step
in this process: check it (received, out of date, refused, failed), and with --commit load it (previewed;
or failed, stuck, or waiting too long for the worker). Loading is idempotent: the values are written once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators.importing import load
from indicators.importing.load import commit_upload
from indicators.importing.parse import FileProblem, check_size
from indicators.importing.preview import Report, check_upload
from indicators.models import Upload

SHOWN_CHANGES = 200


class Command(BaseCommand):
    help = "Check a measurements spreadsheet (.xlsx or .csv) and print the preview; with --commit, load it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="an .xlsx or .csv file in the long or wide layout")
        parser.add_argument("--commit", action="store_true", help="load the values (all or nothing)")
        parser.add_argument(
            "--upload",
            type=int,
            metavar="ID",
            help="instead of a file: take this stored upload its next step, here (see above)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["upload"] is not None:
            if options["file"]:
                raise CommandError("give a file or --upload ID, not both")
            self.finish(options["upload"], commit=options["commit"])
            return
        if not options["file"]:
            raise CommandError("give a file to import, or --upload ID")
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
        upload = load.queue_checked(path.name, content, report, "command line", detail="import_measurements")
        self.commit(upload)

    def commit(self, upload: Upload) -> None:
        """Commit a queued upload in this process; CommandError unless it ends committed."""
        state = commit_upload(upload.pk)
        upload.refresh_from_db(fields=["state", "errors", "counts"])
        if state != Upload.State.COMMITTED:
            problems = "; ".join(str(e["message"]) for e in upload.errors) or state
            raise CommandError(f"the load did not complete ({state}): {problems}")
        written = upload.counts.get("committed", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Committed upload {upload.pk}: {written.get('new', 0)} new, {written.get('changed', 0)} changed, "
                f"{written.get('unchanged', 0)} unchanged."
            )
        )

    def finish(self, upload_id: int, *, commit: bool) -> None:
        upload = Upload.objects.filter(pk=upload_id).first()
        if upload is None:
            raise CommandError(f"no upload {upload_id}")
        State = Upload.State
        if upload.state in (State.RECEIVED, State.STALE, State.INVALID) or (
            upload.state == State.FAILED and not commit
        ):
            if upload.state == State.RECEIVED and not (upload.notice or load.is_stale(upload)):
                raise CommandError(f"upload {upload_id} is being checked now: wait, or try again in a few minutes")
            load.save_preview(upload)
            self.stdout.write(
                f"Upload {upload_id} checked: {upload.get_state_display()} "
                f"({upload.counts.get('new', 0)} new, {upload.counts.get('changed', 0)} changed, "
                f"{upload.counts.get('unchanged', 0)} unchanged)."
            )
            for error in upload.errors:
                self.stderr.write(f"error: {error['message']}")
            if upload.state == State.INVALID:
                raise CommandError(f"{len(upload.errors)} error(s): nothing was changed.")
            if not commit:
                self.stdout.write(f"Nothing changed: run again with --upload {upload_id} --commit to load it.")
                return
        if upload.state == State.COMMITTED:
            self.stdout.write(f"Upload {upload_id} is already committed: nothing to do.")
            return
        if not commit:
            raise CommandError(f"upload {upload_id} is {upload.get_state_display()}: add --commit to load it")
        ready = upload.state == State.PREVIEWED and not upload.errors
        if not (ready or load.can_run_again(upload)):
            raise CommandError(
                f"upload {upload_id} is {upload.get_state_display()} and being worked on: "
                "wait for it, or try again in a few minutes"
            )
        Upload.objects.filter(pk=upload_id, state=upload.state).update(
            state=State.QUEUED, stage="", touched_at=timezone.now(), notice=""
        )
        self.commit(upload)

    def print_preview(self, report: Report) -> None:
        counts = report.diff.counts
        self.stdout.write(
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged "
            f"({len(report.values)} values, layout {report.layout or 'unknown'})."
        )
        for change in report.diff.changed[:SHOWN_CHANGES]:
            shown = change.as_dict()
            self.stdout.write(
                f"  {shown['indicator']} {shown['area']} {shown['period']}: {shown['old']} → {shown['new']}"
            )
        if len(report.diff.changed) > SHOWN_CHANGES:
            self.stdout.write(f"  … and {len(report.diff.changed) - SHOWN_CHANGES} more changes")
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
