"""MI administration pages: targets in bulk (validate -> preview -> commit), the year grid, the
'to be supplied' list and footnotes. Thin views: the work is in indicators/importing/targets.py,
indicators/chasing.py and indicators/audit.py."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from indicators.analysis.periods import Frequency, PeriodError, parse_month, parse_period
from indicators.audit_trail import record
from indicators.chasing import csv_rows, latest_month, to_be_supplied
from indicators.models import Indicator, Measurement, Target, TargetUpload
from indicators.spreadsheets import write_csv

from . import targets
from .forms import UploadForm
from .validate import Catalogue, text_of

can_upload_targets = permission_required(["indicators.add_target", "indicators.change_target"], raise_exception=True)
can_view_targets = permission_required("indicators.view_target", raise_exception=True)
can_chase = permission_required("indicators.view_scorecard", raise_exception=True)
can_footnote = permission_required("indicators.upload_measurements", raise_exception=True)
GRID_YEARS = 3


def today() -> date:
    """Today in Europe/London, for deadlines only: the warnings before 1 April and 1 September that next
    year's targets are missing (a date in the calendar, not a default). Tests replace it."""
    return timezone.localdate()


def data_today() -> date:
    """'Now' as the data has it, for every default: the first day of the latest edition month (one query).

    The clock may run months (a demo, years) ahead of the figures: the grid and the targets template
    open on the year the figures are in. Only with no figures at all does the clock decide.
    """
    return Measurement.objects.edition_months().first() or today()


class TargetUploadForm(UploadForm):
    """The measurement upload's file checks, plus the reason kept with every change."""

    reason = forms.CharField(max_length=500, help_text="Why these targets change (e.g. 'Targets for 2025-26 agreed "
                                                       "by DMT on 3 March'): kept with every change.")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Targets spreadsheet (.xlsx or .csv)"


@require_http_methods(["GET", "POST"])
@can_upload_targets
def target_uploads(request: HttpRequest) -> HttpResponse:
    form = TargetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        upload = TargetUpload.objects.create(filename=file.name, content=content, size=len(content),
                                             reason=form.cleaned_data["reason"], uploaded_by=request.user)
        targets.save_check(upload)
        return redirect("target-upload-detail", pk=upload.pk)
    uploads = TargetUpload.objects.defer("content").select_related("uploaded_by", "committed_by")[:50]
    return render(request, "targets/uploads.html", {
        "form": form, "uploads": uploads, "missing": targets.coming_year_warnings(today()),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@can_upload_targets
def target_upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(TargetUpload.objects.defer("content").select_related("uploaded_by", "committed_by"),
                               pk=pk)
    if request.method == "POST":
        if request.POST.get("action") != "confirm":
            return HttpResponse("Unknown action.", status=400)
        try:
            changed = targets.commit(upload.pk, request.user)
        except (targets.CommitRefused, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"Nothing was changed: {text}.")
        else:
            messages.success(request, f"Committed: {changed} target{'s' if changed != 1 else ''} added or changed.")
        return redirect("target-upload-detail", pk=pk)
    return render(request, "targets/detail.html", {
        "upload": upload,
        "can_confirm": upload.state == TargetUpload.State.PREVIEWED and not upload.errors,
    })


@require_GET
@can_upload_targets
def target_template(request: HttpRequest) -> HttpResponse:
    # This year's targets offered as next year's: "this year" is the year of the latest figures.
    response = HttpResponse(targets.render_template(data_today()), content_type=targets.XLSX)
    response["Content-Disposition"] = 'attachment; filename="scorecard-targets.xlsx"'
    return response


@require_GET
@can_view_targets
def target_grid(request: HttpRequest) -> HttpResponse:
    """Indicators x years (the first year and the next two): target, floor and band; missing ones marked.

    Opens on the years around the latest figures: the year before theirs, theirs and the next.
    """
    first_text = request.GET.get("year", "").strip()
    if first_text and not (first_text.isdigit() and len(first_text) == 4):
        raise Http404("The year is a four-digit year such as 2025.")
    first = int(first_text) if first_text else targets.current_year(Frequency.MONTHLY, data_today()) - 1
    years = list(range(first, first + GRID_YEARS))
    indicators = list(Indicator.objects.all())
    by_key: dict[tuple[int, int], Target] = {}
    overrides: dict[tuple[int, int], int] = {}
    for target in Target.objects.filter(year__in=years):
        if target.unit_id is None:
            by_key[(target.indicator_id, target.year)] = target
        else:
            overrides[(target.indicator_id, target.year)] = overrides.get((target.indicator_id, target.year), 0) + 1
    rows = [(indicator, [(year, by_key.get((indicator.pk, year)), overrides.get((indicator.pk, year), 0))
                         for year in years]) for indicator in indicators]
    return render(request, "targets/grid.html", {
        "years": [(year, f"{year}-{(year + 1) % 100:02d}") for year in years],
        "rows": rows,
        "previous_year": first - 1,
        "next_year": first + 1,
        "missing": targets.coming_year_warnings(today()),
    })


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
    area = forms.CharField(max_length=200, help_text="The authority, a district or a team (names and aliases as in uploads).")
    period = forms.CharField(max_length=30, help_text="As printed: Oct-24, Q2 24-25, Summer 23-24, 2023-24.")
    footnote = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs={"size": 70}),
                               help_text="Leave empty to remove the footnote.")

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean()
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
            raise forms.ValidationError(f"No value of {indicator.code} for {unit.name} in {period.label} is stored: "
                                        "upload it first.")
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
        record("footnote.changed", request.user, about=measurement.indicator,
               detail=f"{measurement.unit} {measurement.period.label}: {measurement.footnote or 'removed'}")
        messages.success(request, f"Footnote {'set' if measurement.footnote else 'removed'}.")
        return redirect("footnotes")
    noted = (Measurement.objects.exclude(footnote="").select_related("indicator", "unit")
             .order_by("indicator__display_order", "unit__display_order", "-period_start"))
    return render(request, "targets/footnotes.html", {"form": form, "noted": noted},
                  status=400 if form.errors else 200)
