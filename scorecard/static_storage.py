"""Static files in production: hashed and compressed once ``collectstatic`` has run, and pages that still
render before it has.

WhiteNoise's manifest storage raises (a 500 on every page) when a template asks for a file the manifest
does not list, and before ``collectstatic`` there is no manifest at all. Without a manifest this storage
gives the plain names instead, which WhiteNoise then serves from the source folders
(``WHITENOISE_USE_FINDERS`` in settings.py), and ``manage.py check --deploy`` warns.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # no manifest: collectstatic has not run
            return name
        return super().stored_name(name)


@register(deploy=True)
def collectstatic_has_run(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG or settings.STATIC_COLLECTED:
        return []
    return [
        Warning(
            f"collectstatic has not run: {settings.STATIC_ROOT} has no staticfiles.json, so static files are "
            "served unhashed from the source folders.",
            hint="Run `manage.py collectstatic --no-input`.",
            id="scorecard.W001",
        )
    ]
