"""/audit/: the audit trail for the MI team, filterable (action, person, object, dates), paginated and
exportable as CSV or XLSX (written formula-safe: names and details are text someone else typed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from indicators.audit_trail import SYSTEM, Action, AuditEvent
from indicators.spreadsheets import CSV, XLSX, csv_bytes, xlsx_bytes

VIEW_AUDIT = "indicators.view_auditevent"
PER_PAGE = 50
EXPORT_LIMIT = 100_000  # rows in one download: narrow the filter for more
EXPORT_COLUMNS = ("when", "user", "action", "object_type", "object_id", "object", "counts", "detail")
OBJECT_TYPES = [
    ("", "any"),
    ("upload", "upload"),
    ("targets upload", "targets upload"),
    ("definitions upload", "definitions upload"),
    ("definitions", "definitions (command line)"),
    ("scorecard", "scorecard"),
    ("unit", "unit"),
    ("edition", "edition"),
    ("indicator", "indicator"),
    ("user", "person"),
]


class AuditFilter(forms.Form):
    action = forms.ChoiceField(choices=[("", "any"), *Action.choices], required=False)
    user = forms.CharField(
        max_length=150, required=False, label="Person", help_text=f"A username; {SYSTEM} for the system."
    )
    object_type = forms.ChoiceField(choices=OBJECT_TYPES, required=False, label="About")
    object = forms.CharField(
        max_length=200,
        required=False,
        label="Name or id",
        help_text="A file name, month (2024-10), indicator code or username.",
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def events(self) -> QuerySet[AuditEvent]:
        """The events the valid filters select, newest first (invalid fields are left out)."""
        data = self.cleaned_data if self.is_bound else {}
        events = AuditEvent.objects.all()
        if action := data.get("action"):
            events = events.filter(action=action)
        if user := data.get("user", "").strip():
            events = events.filter(username="") if user.lower() == SYSTEM else events.filter(username__iexact=user)
        if object_type := data.get("object_type"):
            events = events.filter(object_type=object_type)
        if about := data.get("object", "").strip():
            events = events.filter(Q(object_id=about) | Q(object_label__icontains=about))
        zone = timezone.get_current_timezone()
        if since := data.get("since"):
            events = events.filter(at__gte=datetime.combine(since, time.min, zone))
        if until := data.get("until"):
            events = events.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, zone))
        return events


def export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    yield list(EXPORT_COLUMNS)
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.who,
            event.action,
            event.object_type,
            event.object_id,
            event.object_label,
            json.dumps(event.counts) if event.counts else "",
            event.detail,
        ]


@require_safe
@permission_required(VIEW_AUDIT, raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    events = form.events()
    export_format = request.GET.get("format", "")
    if export_format:
        if export_format not in ("csv", "xlsx"):
            return HttpResponseBadRequest(f"Unknown format '{export_format}': use csv or xlsx.")
        content = (
            csv_bytes(export_rows(events))
            if export_format == "csv"
            else xlsx_bytes([("Audit trail", export_rows(events))])
        )
        response = HttpResponse(content, content_type=CSV if export_format == "csv" else XLSX)
        response["Content-Disposition"] = f'attachment; filename="audit-trail.{export_format}"'
        return response
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "query": params.urlencode()},
        status=200 if valid else 400,
    )
