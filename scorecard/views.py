"""The home page (which sends each role where it works) and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from districts.models import ReportingUnit

from .health import check_services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Officers and the MI team start at the authority's scorecard; members at the published editions."""
    if request.user.has_perm("indicators.view_scorecard"):
        authority = ReportingUnit.objects.authority()
        if authority:
            return redirect("scorecard-latest", unit=authority.slug)
    if request.user.has_perm("scorecard.view_published"):
        return redirect("editions")
    raise PermissionDenied("Your account has no role yet: ask the MI team to add you to one.")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker: the database and the broker ("not configured" in eager mode)."""
    checks = check_services(connection)
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
