"""The MI team's working pages beside the uploads: the targets of three years at a glance, the 'to be supplied'
list to chase, and footnotes on values. Thin views: the work is in indicators/chasing.py and
indicators/importing/targets.py (which years are coming, and which lack a target)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .analysis.periods import Frequency, PeriodError, parse_month, parse_period, year_label
from .audit_trail import record
from .chasing import csv_rows, latest_month, to_be_supplied
from .importing import targets
from .importing.validate import Catalogue, text_of
from .models import Indicator, Measurement, Target
from .spreadsheets import write_csv

can_view_targets = permission_required("indicators.view_target", raise_exception=True)
can_chase = permission_required("indicators.view_scorecard", raise_exception=True)
can_footnote = permission_required("indicators.upload_measurements", raise_exception=True)
GRID_YEARS = 3


@require_GET
@can_view_targets
def target_grid(request: HttpRequest) -> HttpResponse:
    """Indicators x years (the first year and the next two): target, floor and band; missing ones marked.

    Opens on the years around the latest figures: the year before theirs, theirs and the next.
    """
    first_text = request.GET.get("year", "").strip()
    if first_text and not (first_text.isdigit() and len(first_text) == 4):
        raise Http404("The year is a four-digit year such as 2025.")
    first = int(first_text) if first_text else targets.current_year(Frequency.MONTHLY, targets.data_today()) - 1
    years = list(range(first, first + GRID_YEARS))
    indicators = list(Indicator.objects.all())
    by_key: dict[tuple[int, int], Target] = {}
    overrides: dict[tuple[int, int], int] = {}
    for target in Target.objects.filter(year__in=years):
        if target.unit_id is None:
            by_key[(target.indicator_id, target.year)] = target
        else:
            overrides[(target.indicator_id, target.year)] = overrides.get((target.indicator_id, target.year), 0) + 1
    rows = [
        (
            indicator,
            [(year, by_key.get((indicator.pk, year)), overrides.get((indicator.pk, year), 0)) for year in years],
        )
        for indicator in indicators
    ]
    return render(
        request,
        "targets/grid.html",
        {
            "years": [(year, year_label(year)) for year in years],
            "rows": rows,
            "previous_year": first - 1,
            "next_year": first + 1,
            "missing": targets.coming_year_warnings(targets.today()),
        },
    )


@require_GET
@can_chase
def chasing(request: HttpRequest) -> HttpResponse:
    """The 'to be supplied' list for a month (?month=yyyy-mm; the latest month with data by default)."""
    month_text = request.GET.get("month", "").strip()
    try:
        month = parse_month(month_text) if month_text else latest_month()
    except ValueError as error:  # a PeriodError, or a date the calendar has not got (year 0)
        raise Http404(str(error)) from None
    missing = to_be_supplied(month) if month else []
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="to-be-supplied-{month.iso if month else "none"}.csv"'
        write_csv(response, csv_rows(missing))
        return response
    return render(request, "chasing/list.html", {"month": month, "missing": missing})


class FootnoteForm(forms.Form):
    indicator = forms.CharField(max_length=60, help_text="The indicator code, as in the indicators sheet.")
    area = forms.CharField(
        max_length=200, help_text="The authority, a district or a team (names and aliases as in uploads)."
    )
    period = forms.CharField(max_length=30, help_text="As printed: Oct-24, Q2 24-25, Summer 23-24, 2023-24.")
    footnote = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="Leave empty to remove the footnote.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        catalogue = Catalogue.load()
        indicator = catalogue.indicators.get(text_of(data["indicator"]))
        unit = catalogue.unit(data["area"])
        if indicator is None:
            raise forms.ValidationError(f"Unknown indicator code '{data['indicator']}'.")
        if unit is None:
            raise forms.ValidationError(f"Unknown area '{data['area']}'.")
        try:
            period = parse_period(data["period"].strip(), indicator.frequency)
        except PeriodError as error:
            raise forms.ValidationError(f"{indicator.code}: {error}.") from None
        measurement = Measurement.objects.for_period(period).filter(indicator=indicator, unit=unit).first()
        if measurement is None:
            raise forms.ValidationError(
                f"No value of {indicator.code} for {unit.name} in {period.label} is stored: upload it first."
            )
        data["measurement"] = measurement
        return data


@require_http_methods(["GET", "POST"])
@can_footnote
def footnotes(request: HttpRequest) -> HttpResponse:
    """Set or clear a value's footnote (e.g. provisional figures); lists the values that carry one."""
    form = FootnoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        measurement = form.cleaned_data["measurement"]
        measurement.footnote = form.cleaned_data["footnote"].strip()
        measurement.save(update_fields=["footnote", "updated_at"])
        record(
            "footnote.changed",
            request.user,
            about=measurement.indicator,
            detail=f"{measurement.unit} {measurement.period.label}: {measurement.footnote or 'removed'}",
        )
        messages.success(request, f"Footnote {'set' if measurement.footnote else 'removed'}.")
        return redirect("footnotes")
    noted = (
        Measurement.objects.exclude(footnote="")
        .select_related("indicator", "unit")
        .order_by("indicator__display_order", "unit__display_order", "-period_start")
    )
    return render(request, "targets/footnotes.html", {"form": form, "noted": noted}, status=400 if form.errors else 200)
