"""The committee pack as PDF: the same HTML a browser prints, laid out by WeasyPrint.

WeasyPrint needs Pango (a system library), so it is imported only when a PDF is asked
for; without it the PDF view answers 503 and the HTML pack still prints from a browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage


class PdfUnavailable(Exception):
    """WeasyPrint (or the Pango library under it) is not installed here."""


def static_file(url: str) -> Path | None:
    """The file behind a /static/ URL: collected (hashed names, production) or found in the app (development)."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    name = path[len(settings.STATIC_URL):]
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


def html_to_pdf(html: str, base_url: str) -> bytes:
    """Lay out ``html`` as a PDF. Only our own static files are fetched: never the network."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as error:  # OSError: WeasyPrint is there but Pango is not
        raise PdfUnavailable(str(error)) from error

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            file = static_file(url)
            if file is None:
                raise ValueError(f"the committee pack fetches only its own static files, not {url}")
            mime_type = "text/css" if file.suffix == ".css" else "application/octet-stream"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})

    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly()).write_pdf()
