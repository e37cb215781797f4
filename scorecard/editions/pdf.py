"""The committee pack: laid out once per published version, by the worker, and stored with it.

``pack_html`` renders a version's frozen snapshot as a print-first HTML document (the same page a
browser prints); ``lay_out`` turns it into a tagged PDF (PDF/UA-1) with WeasyPrint; ``make_pack``
(the Celery task's body) stores the bytes and their SHA-256 with the version, once. The web never
lays a pack out: ``request_pack`` queues the task for a version that has none yet.

WeasyPrint needs Pango (a system library), so it is imported only when a PDF is made; without
it the pack is marked failed with the reason and the HTML pack still prints from a browser.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from districts.models import UnitKind

from ..models import EditionPack, EditionVersion, PackStatus
from . import presentation

log = logging.getLogger(__name__)

# Where the pack's own static files are fetched from during layout (never the network).
LAYOUT_BASE_URL = "http://pack.invalid/"
# A task queued or running longer than this (above the Celery time limit) was lost: queue it again.
STALE_AFTER = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1800) + 300)
# A failed layout is tried again on a request only after a pause (not on every refresh).
RETRY_FAILED_AFTER = timedelta(minutes=10)
FALLBACK_TITLE = "Performance scorecard"


class PdfUnavailable(Exception):
    """WeasyPrint (or the Pango library under it) is not installed here."""


def static_file(url: str) -> Path | None:
    """The file behind a /static/ URL: collected (hashed names, production) or found in the app (development)."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    name = path[len(settings.STATIC_URL) :]
    if ".." in Path(name).parts:
        return None
    try:
        collected = Path(staticfiles_storage.path(name))
        if collected.is_file():
            return collected
    except NotImplementedError:
        pass
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


MIME_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".woff2": "font/woff2", ".woff": "font/woff"}


def html_to_pdf(html: str, base_url: str = LAYOUT_BASE_URL) -> bytes:
    """Lay ``html`` out as a tagged PDF (PDF/UA-1: title and language from the HTML).

    Only our own static files (the print stylesheet, the embedded fonts) are fetched: never the network.
    """
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as error:  # OSError: WeasyPrint is there but Pango is not
        raise PdfUnavailable(str(error)) from error

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            file = static_file(url)
            if file is None:
                raise ValueError(f"the committee pack fetches only its own static files, not {url}")
            mime_type = MIME_TYPES.get(file.suffix, "application/octet-stream")
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})

    # @font-face needs a font configuration shared by the stylesheets and the layout.
    fonts = FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf(font_config=fonts, pdf_variant="pdf/ua-1")


@dataclass
class PackIdentity:
    """Who and what the pack is: printed on the cover and in every page's running header."""

    organisation: str
    title: str
    attribution: str


def identity(version: EditionVersion) -> PackIdentity:
    """From the data: the scorecard's organisation, title and attribution as kept with the version at publication
    (a generic title when it has none)."""
    return PackIdentity(
        organisation=version.organisation, title=version.title or FALLBACK_TITLE, attribution=version.attribution
    )


def running_header(version: EditionVersion, who: PackIdentity) -> str:
    parts = [who.organisation, who.title, version.edition.label, f"version {version.number}"]
    return " · ".join(part for part in parts if part)


def pack_context(version: EditionVersion, scorecard_code: str | None = None) -> dict[str, Any]:
    """What templates/editions/pack.html needs: every unit's printed tables, from the frozen snapshot.
    ``scorecard_code``: where the screen toolbar's links go (None: today's /editions/… URLs)."""
    pages = [presentation.unit_page(version.snapshot, unit) for unit in version.units]
    authority = next((page for page in pages if page.unit["kind"] == UnitKind.AUTHORITY), None)
    who = identity(version)
    districts = [page for page in pages if page.unit["kind"] != UnitKind.AUTHORITY]
    return {
        "who": who,
        "running_header": running_header(version, who),
        "scorecard_code": scorecard_code,
        "directorate": version.directorate,
        "edition_label": version.edition.label,
        "version": version,
        "edition": version.edition,
        "authority": authority,
        "districts": [page for page in districts if page.has_data],
        "no_data": [page for page in districts if not page.has_data],
        "threshold": version.suppression_threshold,
        "paper": version.paper,
        "rag_key": presentation.units_key([page.unit for page in pages]),
    }


def pack_html(version: EditionVersion, request: HttpRequest | None = None, scorecard_code: str | None = None) -> str:
    return render_to_string("editions/pack.html", pack_context(version, scorecard_code), request=request)


def lay_out(version: EditionVersion) -> bytes:
    """The version's committee pack as PDF bytes (seconds of work: only ever in the worker)."""
    return html_to_pdf(pack_html(version))


def pack_filename(version: EditionVersion) -> str:
    """``<organisation>-<scorecard code>-2024-10-v1.pdf``: what a member's download is called (from the data)."""
    parts = [slugify(version.organisation), slugify(version.edition.scorecard.code)]
    prefix = "-".join(part for part in parts if part) or "scorecard"
    return f"{prefix}-{version.edition.iso}-v{version.number}.pdf"


def make_pack(version_id: int) -> str:
    """Lay out and store a version's pack, once: a pack already made is never made again (its bytes never change).

    Returns the pack's status. A failure is recorded on the pack (the page says so) rather than raised.
    """
    now = timezone.now()
    with transaction.atomic():
        pack, _ = (
            EditionPack.objects.select_for_update()
            .defer("pdf")
            .get_or_create(version_id=version_id, defaults={"queued_at": now})
        )
        if pack.status == PackStatus.READY:
            return pack.status
        pack.status, pack.started_at, pack.error = PackStatus.MAKING, now, ""
        pack.save(update_fields=["status", "started_at", "error"])
    version = EditionVersion.objects.select_related("edition__scorecard").get(pk=version_id)
    try:
        pdf = lay_out(version)
    except Exception as error:  # recorded for the MI team; the request page shows it
        log.exception("committee pack for %s failed", version)
        reason = (
            f"the PDF cannot be made on this server ({error})"
            if isinstance(error, PdfUnavailable)
            else f"{type(error).__name__}: {error}"
        )
        EditionPack.objects.filter(pk=pack.pk).exclude(status=PackStatus.READY).update(
            status=PackStatus.FAILED, finished_at=timezone.now(), error=reason[:2000]
        )
        return PackStatus.FAILED
    with transaction.atomic():
        pack = EditionPack.objects.select_for_update().defer("pdf").get(pk=pack.pk)
        if pack.status == PackStatus.READY:  # another run got there first: keep its bytes
            return pack.status
        pack.pdf, pack.sha256, pack.size = pdf, hashlib.sha256(pdf).hexdigest(), len(pdf)
        pack.status, pack.finished_at = PackStatus.READY, timezone.now()
        pack.save(update_fields=["pdf", "sha256", "size", "status", "finished_at"])
    return pack.status


def needs_queueing(pack: EditionPack | None, now: datetime | None = None) -> bool:
    """No pack yet, a lost task, or a failure that may since have been fixed."""
    now = now or timezone.now()
    if pack is None:
        return True
    if pack.status in (PackStatus.QUEUED, PackStatus.MAKING):
        return (pack.started_at or pack.queued_at) < now - STALE_AFTER
    if pack.status == PackStatus.FAILED:
        return (pack.finished_at or pack.queued_at) < now - RETRY_FAILED_AFTER
    return False


def request_pack(version: EditionVersion) -> None:
    """Queue the pack's layout in the worker once the current transaction commits (at publication, or on
    the first request for a version published before packs were stored). Never lays it out here."""
    from .tasks import make_pack_task

    pack, created = EditionPack.objects.defer("pdf").get_or_create(
        version=version, defaults={"status": PackStatus.QUEUED, "queued_at": timezone.now()}
    )
    if not created:
        if pack.status == PackStatus.READY:  # made: never again
            return
        EditionPack.objects.filter(pk=pack.pk).exclude(status=PackStatus.READY).update(
            status=PackStatus.QUEUED, queued_at=timezone.now(), started_at=None, finished_at=None, error=""
        )

    def queue() -> None:
        try:
            make_pack_task.delay(version.pk)
        except Exception as error:  # the broker is down: say so (the request page retries later), never a 500
            log.exception("could not queue the committee pack for %s", version)
            EditionPack.objects.filter(version=version, status=PackStatus.QUEUED).update(
                status=PackStatus.FAILED,
                finished_at=timezone.now(),
                error=f"the worker could not be reached ({type(error).__name__}: {error})"[:2000],
            )

    transaction.on_commit(queue)


def pack_status(version: EditionVersion) -> EditionPack | None:
    """The version's pack without its bytes (one query)."""
    return EditionPack.objects.defer("pdf").filter(version=version).first()
