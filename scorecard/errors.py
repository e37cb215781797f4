"""Error pages that also leave an audit trail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader

from .audit_log import log_event


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: log who was refused what, then show templates/403.html."""
    log_event(
        "permission.denied",
        getattr(request, "user", None),
        method=request.method,
        path=request.path,
        reason=str(exception or ""),
    )
    return HttpResponseForbidden(loader.render_to_string("403.html", request=request))
