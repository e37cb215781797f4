"""The officer pages' cache: a page's expensive part (assembly, SPC, tables), built once per data version.

The key holds the data version (scorecard.data_version), which database triggers move on every
write to a table the pages read, so nothing written (an upload, an admin edit, a target, a
publication) is ever hidden by it. It also holds what else the part depends on (the unit, the
month, the published version members can read now, the query string) and a fingerprint of the
code and templates, so a deployment never serves parts built by the code before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest

from . import data_version

T = TypeVar("T")
# Only bounds memory: an entry of an old version is never asked for again.
TIMEOUT_SECONDS = 24 * 60 * 60
CODE_DIRS = ("scorecard", "indicators", "districts", "templates")


@cache
def code_fingerprint() -> str:
    """Of every Python file and template the pages are made from (their sizes and times), once per process."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for directory in CODE_DIRS:
        for path in sorted((root / directory).rglob("*")):
            if path.suffix in (".py", ".html"):
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def query_key(request: HttpRequest) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The query string as a key: every parameter, its values in order, parameters sorted."""
    return tuple(sorted((name, tuple(request.GET.getlist(name))) for name in request.GET))


def cached_part(name: str, depends_on: Sequence[object], build: Callable[[], T]) -> T:
    """``build()``'s result for these inputs at the current data version; built and kept on a miss.

    ``depends_on``: everything besides the stored data that the result depends on (reprs are hashed).
    Without a data version (no triggers on this database) it simply builds.
    """
    version = data_version.current()  # before build() reads anything: see data_version.current
    if version is None:
        return build()
    key_text = repr((name, code_fingerprint(), tuple(version), tuple(depends_on)))
    key = f"page:{name}:{hashlib.sha256(key_text.encode()).hexdigest()}"
    part = django_cache.get(key)
    if part is None:
        part = build()
        django_cache.set(key, part, TIMEOUT_SECONDS)
    return part
