"""The admin for definitions, targets and benchmarks: every change asks for a reason and is kept
(indicators/definition_history.py), shown beside the values' revisions on the indicator page."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.contrib import admin
from django.db import models
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from .definition_history import TARGET_FIELDS, Changes, field_changes, indicator_fields, record_change, target_what
from .models import Benchmark, DefinitionChange, Indicator, Target
from .signed_in import signed_in_user

REASON_HELP = "Required: why this changes (kept in the indicator's history with who and when)."
BENCHMARK_FIELDS = ("comparator", "as_at", "label", "value", "source")


def reason_field() -> forms.CharField:
    return forms.CharField(
        max_length=500, required=True, help_text=REASON_HELP, widget=forms.TextInput(attrs={"size": 80})
    )


class IndicatorAdminForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = Indicator
        fields = "__all__"  # noqa: DJ007 - the admin form: IndicatorAdmin decides what is shown


class TargetAdminForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = Target
        fields = "__all__"  # noqa: DJ007 - the admin form: TargetAdmin decides what is shown


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = [
        "year",
        "applies_to",
        "unit",
        "target",
        "floor",
        "band_low",
        "band_high",
        "floor_band_low",
        "floor_band_high",
        "source",
    ]


class BenchmarkInline(admin.TabularInline):
    model = Benchmark
    extra = 0
    fields = list(BENCHMARK_FIELDS)


M = TypeVar("M", bound=models.Model)


def _stored(model: type[M], pk: Any) -> M | None:
    return model._default_manager.filter(pk=pk).first() if pk else None


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = [
        "code",
        "name",
        "table",
        "polarity",
        "data_period",
        "frequency",
        "reported_for",
        "qpr",
        "lead_officer",
    ]
    list_filter = ["section", "table", "polarity", "data_period", "reported_for", "qpr"]
    search_fields = ["code", "printed_code", "name"]
    inlines = [TargetInline, BenchmarkInline]

    def save_model(self, request: HttpRequest, obj: Indicator, form: forms.ModelForm, change: bool) -> None:
        before = _stored(Indicator, obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record_change(
            obj,
            "definition",
            field_changes(before, obj, indicator_fields()),
            form.cleaned_data["reason"],
            signed_in_user(request),
        )

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Targets and benchmarks edited on the indicator's page: each change kept with the page's reason."""
        model = cast(type[models.Model], formset.model)  # an inline formset always has its model
        before = {f.instance.pk: _stored(model, f.instance.pk) for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        reason, indicator = form.cleaned_data["reason"], form.instance
        fields = (*TARGET_FIELDS, "year") if model is Target else BENCHMARK_FIELDS
        touched: list[tuple[models.Model, models.Model | None, models.Model | None]] = [
            *((obj, None, obj) for obj in formset.new_objects),
            *((obj, before.get(obj.pk), obj) for obj, _ in formset.changed_objects),
            *((obj, obj, None) for obj in formset.deleted_objects),
        ]
        for obj, old, new in touched:
            changes: Changes = field_changes(old, new, fields)
            if isinstance(obj, Target):
                record_change(
                    indicator,
                    target_what(obj) + (" (deleted)" if new is None else ""),
                    changes,
                    reason,
                    signed_in_user(request),
                    target=obj if new is not None else None,
                )
            elif isinstance(obj, Benchmark):
                record_change(
                    indicator, f"{obj.get_comparator_display()} benchmark", changes, reason, signed_in_user(request)
                )


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetAdminForm
    list_display = ["indicator", "year", "applies_to", "unit", "target", "floor", "band_low", "band_high"]
    list_filter = ["year", "applies_to"]
    search_fields = ["indicator__code", "indicator__name"]
    autocomplete_fields = ["indicator"]

    def has_delete_permission(self, request: HttpRequest, obj: Target | None = None) -> bool:
        # Deleting here would ask no reason: delete a target from its indicator's page instead.
        return False

    def save_model(self, request: HttpRequest, obj: Target, form: forms.ModelForm, change: bool) -> None:
        before = _stored(Target, obj.pk) if change else None
        super().save_model(request, obj, form, change)
        what = target_what(obj)
        if before is not None and before.indicator_id != obj.indicator_id:
            what += f" (moved from {before.indicator})"
        record_change(
            obj.indicator,
            what,
            field_changes(before, obj, (*TARGET_FIELDS, "year")),
            form.cleaned_data["reason"],
            signed_in_user(request),
            target=obj,
        )


@admin.register(DefinitionChange)
class DefinitionChangeAdmin(admin.ModelAdmin):
    """The history, read only: it is written by the changes themselves."""

    list_display = ["at", "indicator", "scorecard", "unit", "what", "user", "reason"]
    list_filter = ["at", "scorecard"]
    search_fields = ["indicator__code", "scorecard__code", "unit__name", "reason", "what"]
    list_select_related = ["indicator", "scorecard", "unit", "user"]
    readonly_fields = [
        "indicator",
        "scorecard",
        "unit",
        "target",
        "what",
        "changes",
        "reason",
        "user",
        "at",
        "target_upload",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DefinitionChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DefinitionChange | None = None) -> bool:
        return False
