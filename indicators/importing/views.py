"""Upload pages for the MI team: history, new upload, preview/status (confirm, run again), templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from indicators.models import Upload
from indicators.signed_in import signed_in_user

from . import load, targets
from .blank_files import FORMATS, LAYOUTS, render_template, template_month
from .forms import UploadForm
from .status import status_of, statuses

can_upload = permission_required("indicators.upload_measurements", raise_exception=True)
PER_PAGE = 50


@require_GET
@can_upload
def upload_list(request: HttpRequest) -> HttpResponse:
    uploads = Upload.objects.defer("content", "preview").select_related("uploaded_by", "committed_by")
    page = Paginator(uploads, PER_PAGE).get_page(request.GET.get("page"))
    # Before 1 April and 1 September: indicators with no target for the coming year.
    missing = targets.coming_year_warnings(targets.today())
    return render(request, "uploads/list.html", {"page": page, "rows": statuses(list(page)), "missing": missing})


@require_http_methods(["GET", "POST"])
@can_upload
def upload_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = load.receive(filename=file.name, content=file.read(), user=signed_in_user(request))
        if upload.notice:
            messages.error(request, upload.notice)
        return redirect("upload-detail", pk=upload.pk)
    return render(
        request,
        "uploads/new.html",
        {"form": form, "layouts": LAYOUTS, "formats": FORMATS},
        status=400 if form.errors else 200,
    )


# action: (what it does, said when done, said when refused). Each function checks the upload may take it.
ACTIONS: dict[str, tuple[Callable[[int, Any], bool], str, str]] = {
    "confirm": (
        load.confirm,
        "Confirmed.",
        "This upload cannot be confirmed (it has errors, or is not waiting for confirmation).",
    ),
    "run-again": (
        load.run_again,
        "Queued to run again.",
        "Only a failed or stuck upload, or one waiting too long, can be run again.",
    ),
    "refresh": (
        load.refresh_preview,
        "The file was checked again against the stored values.",
        "This upload's preview cannot be refreshed now.",
    ),
    "check": (
        load.check_again,
        "The file is being checked again.",
        "This upload is being checked already, or has been.",
    ),
}


@require_http_methods(["GET", "POST"])
@can_upload
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            return HttpResponse("Unknown action.", status=400)
        get_object_or_404(Upload.objects.only("pk"), pk=pk)
        done, success, refusal = action
        if done(pk, signed_in_user(request)):
            messages.success(request, success)
        else:  # the reason the task queue gave, when it was that
            notice = Upload.objects.filter(pk=pk).values_list("notice", flat=True).first()
            messages.error(request, notice or refusal)
        return redirect("upload-detail", pk=pk)
    upload = get_object_or_404(Upload.objects.defer("content").select_related("uploaded_by", "committed_by"), pk=pk)
    return render(
        request,
        "uploads/detail.html",
        {
            "upload": upload,
            "status": status_of(upload),
            "changes": upload.preview.get("changes", []),
        },
    )


@require_GET
@can_upload
def upload_file(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload.objects.only("filename", "content"), pk=pk)
    kind = FORMATS.get(upload.filename.lower().rsplit(".", 1)[-1], "application/octet-stream")
    response = HttpResponse(bytes(upload.content), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{upload.filename.replace(chr(34), "")}"'
    return response


@require_GET
@can_upload
def upload_template(request: HttpRequest, layout: str, file_format: str) -> HttpResponse:
    if layout not in LAYOUTS or file_format not in FORMATS:
        raise Http404("No such template.")
    content = render_template(layout, file_format, template_month())  # from the data, not the clock
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="scorecard-upload-{layout}.{file_format}"'
    return response
