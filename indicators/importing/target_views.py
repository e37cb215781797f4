"""Targets in bulk: the MI team uploads a spreadsheet of targets, floors and bands, checks its preview and
confirms it (validate -> preview -> commit). Thin views: the work is in indicators/importing/targets.py, and
each change is kept with its reason by indicators/definition_history.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from indicators.file_types import XLSX
from indicators.models import TargetUpload
from indicators.signed_in import signed_in_user

from . import targets
from .forms import UploadForm

can_upload_targets = permission_required(["indicators.add_target", "indicators.change_target"], raise_exception=True)


class TargetUploadForm(UploadForm):
    """The measurement upload's file checks, plus the reason kept with every change."""

    reason = forms.CharField(
        max_length=500,
        help_text="Why these targets change (e.g. 'Targets for 2025-26 agreed "
        "by DMT on 3 March'): kept with every change.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Targets spreadsheet (.xlsx or .csv)"


@require_http_methods(["GET", "POST"])
@can_upload_targets
def target_uploads(request: HttpRequest) -> HttpResponse:
    form = TargetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        upload = TargetUpload.objects.create(
            filename=file.name,
            content=content,
            size=len(content),
            reason=form.cleaned_data["reason"],
            uploaded_by=signed_in_user(request),
        )
        targets.save_check(upload)
        return redirect("target-upload-detail", pk=upload.pk)
    uploads = TargetUpload.objects.defer("content").select_related("uploaded_by", "committed_by")[:50]
    return render(
        request,
        "targets/uploads.html",
        {
            "form": form,
            "uploads": uploads,
            "missing": targets.coming_year_warnings(targets.today()),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@can_upload_targets
def target_upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(
        TargetUpload.objects.defer("content").select_related("uploaded_by", "committed_by"), pk=pk
    )
    if request.method == "POST":
        if request.POST.get("action") != "confirm":
            return HttpResponse("Unknown action.", status=400)
        try:
            changed = targets.commit(upload.pk, signed_in_user(request))
        except (targets.CommitRefused, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, f"Nothing was changed: {text}.")
        else:
            messages.success(request, f"Committed: {changed} target{'s' if changed != 1 else ''} added or changed.")
        return redirect("target-upload-detail", pk=pk)
    return render(
        request,
        "targets/detail.html",
        {
            "upload": upload,
            "can_confirm": upload.state == TargetUpload.State.PREVIEWED and not upload.errors,
        },
    )


@require_GET
@can_upload_targets
def target_template(request: HttpRequest) -> HttpResponse:
    # This year's targets offered as next year's: "this year" is the year of the latest figures.
    response = HttpResponse(targets.render_template(targets.data_today()), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="scorecard-targets.xlsx"'
    return response
