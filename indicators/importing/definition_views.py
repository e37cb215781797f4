"""The MI page for setting up scorecards from spreadsheets (import_definitions from the web):
upload -> check and preview -> confirm. The work is in indicators/importing/definitions.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from indicators.models import DefinitionChange, DefinitionUpload
from indicators.signed_in import signed_in_user

from . import definitions
from .parse import FileProblem, check_size

can_set_up = permission_required(["indicators.add_indicator", "indicators.change_indicator"], raise_exception=True)
SHOWN = 50
HISTORY_PER_PAGE = 50
# ?about= on the history page: which changes it lists.
HISTORY_ABOUT = {
    "indicators": ("Indicators, their targets, benchmarks and places in scorecards", {"indicator__isnull": False}),
    "scorecards": ("Scorecards and the indicators in them", {"scorecard__isnull": False}),
    "geography": ("Reporting units and aliases", {"unit__isnull": False}),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleaned to a list."""

    def clean(self, data: object, initial: object = None) -> list[object]:
        one = super().clean
        return [one(item, initial) for item in data] if isinstance(data, list | tuple) else [one(data, initial)]


class DefinitionsForm(forms.Form):
    # The form metaclass moves declared fields into base_fields, so this does not replace Form.files.
    files = MultipleFileField(  # type: ignore[assignment]
        label="One workbook (.xlsx) or the CSV files",
        widget=MultipleFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=f"Sheets or files named {', '.join(definitions.SHEETS)}; every one but indicators may be left out.",
    )
    reason = forms.CharField(
        max_length=500,
        help_text="Why these definitions change (e.g. 'KPI set for 2025-26 agreed by CMT'): kept with every change.",
    )

    def clean_files(self):  # type: ignore[no-untyped-def]
        files = [file for file in self.cleaned_data["files"] if file]
        if not files:
            raise forms.ValidationError("Choose the workbook or the CSV files.")
        try:
            check_size(sum(file.size for file in files))
        except FileProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return files


@require_http_methods(["GET", "POST"])
@can_set_up
def definition_uploads(request: HttpRequest) -> HttpResponse:
    form = DefinitionsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(file.name, file.read()) for file in form.cleaned_data["files"]]
        content = definitions.pack(files)
        upload = DefinitionUpload.objects.create(
            filename=", ".join(name for name, _ in files)[:500],
            content=content,
            size=len(content),
            reason=form.cleaned_data["reason"],
            uploaded_by=signed_in_user(request),
        )
        definitions.save_check(upload)
        return redirect("definition-upload-detail", pk=upload.pk)
    uploads = DefinitionUpload.objects.defer("content").select_related("uploaded_by")[:SHOWN]
    return render(
        request,
        "definitions/uploads.html",
        {"form": form, "uploads": uploads, "sheets": definitions.SHEETS},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@can_set_up
def definition_upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(
        DefinitionUpload.objects.defer("content").select_related("uploaded_by", "committed_by"), pk=pk
    )
    if request.method == "POST":
        if request.POST.get("action") != "confirm":
            return HttpResponse("Unknown action.", status=400)
        report = definitions.commit_definitions(upload.pk, signed_in_user(request))
        if report is None:
            messages.error(request, "This upload is not waiting for confirmation.")
        elif report.ok:
            messages.success(request, f"Committed: {len(report.changes)} change(s).")
        else:
            messages.error(request, "Nothing was changed: the files no longer pass the check (see the errors).")
        return redirect("definition-upload-detail", pk=pk)
    return render(
        request,
        "definitions/detail.html",
        {
            "upload": upload,
            "can_confirm": upload.state == DefinitionUpload.State.PREVIEWED and upload.changes,
        },
    )


@require_safe
@can_set_up
def definition_history(request: HttpRequest) -> HttpResponse:
    """Every change to the definitions, newest first: who changed what (old -> new), when and why."""
    about = request.GET.get("about", "")
    if about and about not in HISTORY_ABOUT:
        return HttpResponse(f"Unknown ?about= '{about}': use {', '.join(HISTORY_ABOUT)}.", status=400)
    changes = DefinitionChange.objects.for_history_page()
    if about:
        changes = changes.filter(**HISTORY_ABOUT[about][1])
    page = Paginator(changes, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "definitions/history.html",
        {
            "page": page,
            "about": about,
            "choices": [(key, label) for key, (label, _) in HISTORY_ABOUT.items()],
            "query": f"about={about}&" if about else "",
        },
    )
