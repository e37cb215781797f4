"""The upload form: the size limit is checked here, before the file is stored (Django sets none for files)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .parse import FileProblem, check_size


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (.xlsx or .csv)",
        allow_empty_file=True,  # the pipeline says "The file is empty", and the history keeps it
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_size(upload.size or 0)  # Django's upload handlers always set the size
        except FileProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return upload

    @staticmethod
    def limit_text() -> str:
        return f"{settings.UPLOAD_MAX_BYTES / 1_048_576:.0f} MB and {settings.UPLOAD_MAX_ROWS:,} rows"
