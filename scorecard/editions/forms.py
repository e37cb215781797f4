from __future__ import annotations

from typing import Any

from django import forms

from districts.models import ReportingUnit


class CommentaryForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=ReportingUnit.objects.districts(),
        required=False,
        empty_label="The authority (the indicator as a whole)",
        to_field_name="slug",
        help_text="Choose a district only for commentary about that district.",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        required=False,
        max_length=5000,
        help_text="Plain prose for the committee. Leave empty to remove the commentary.",
    )

    def __init__(self, *args: Any, authority_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        if authority_name and isinstance(unit_field, forms.ModelChoiceField):  # the authority's name, from the data
            unit_field.empty_label = f"{authority_name} (the indicator as a whole)"


class PublishForm(forms.Form):
    visible_from = forms.DateTimeField(
        label="Members see it from (optional embargo)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UK time (Europe/London). Leave blank to show it to members as soon as it is published.",
    )
    paper = forms.ChoiceField(
        label="Committee pack paper",
        choices=[("A4", "A4 landscape"), ("A3", "A3 landscape (larger print)")],
        initial="A4",
        required=False,
        help_text="The PDF is laid out once, when the edition is published.",
    )
