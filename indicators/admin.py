"""The admin for definitions, targets, benchmarks, scorecards and the indicators in them: every change asks
for a reason and is kept (indicators/definition_history.py), shown beside the values' revisions on the
indicator page and on the MI team's definition history page."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from .definition_history import (
    SCORECARD_FIELDS,
    TARGET_FIELDS,
    Changes,
    field_changes,
    indicator_fields,
    membership_changes,
    membership_what,
    record_change,
    scorecard_what,
    target_what,
)
from .models import Benchmark, DefinitionChange, Indicator, Scorecard, ScorecardMembership, Target
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
        "lead_officer",
    ]
    list_filter = ["section", "table", "polarity", "data_period", "reported_for"]
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


class ScorecardAdminForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = Scorecard
        fields = "__all__"  # noqa: DJ007 - the admin form: ScorecardAdmin decides what is shown

    def clean_is_default(self) -> bool:
        """Exactly one scorecard is the default: ticking it here moves the default (ScorecardAdmin.save_model);
        unticking it would leave none, so it is refused."""
        is_default = bool(self.cleaned_data.get("is_default"))
        if self.instance.pk and self.instance.is_default and not is_default:
            raise forms.ValidationError(
                "Exactly one scorecard is the default (the one the site's front pages show): to change it, "
                "tick default on the scorecard that takes its place."
            )
        return is_default

    def _get_validation_exclusions(self) -> set[str]:
        # The one-default constraint is kept by save_model, which unticks the old default before saving this
        # one; checked here, against the old default still stored, it would refuse every move of the default.
        return {*super()._get_validation_exclusions(), "is_default"}  # type: ignore[misc]  # not in the stubs


class ScorecardMembershipAdminForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = ScorecardMembership
        fields = "__all__"  # noqa: DJ007 - the admin form: ScorecardMembershipAdmin decides what is shown


class MembershipInline(admin.TabularInline):
    model = ScorecardMembership
    extra = 0
    fields = ["indicator", "section", "table", "order", "from_year", "to_year"]
    autocomplete_fields = ["indicator"]


def record_membership(
    membership: ScorecardMembership,
    old: ScorecardMembership | None,
    new: ScorecardMembership | None,
    reason: str,
    request: HttpRequest,
) -> None:
    """An indicator joining a scorecard, moving in it, its years changing, or leaving it (deleted)."""
    changes = membership_changes(old, new)
    code = membership.scorecard.code
    if old is None:
        changes = {"scorecard": ["", code], **changes}
    elif new is None:
        changes = {"scorecard": [code, ""]}
    record_change(
        membership.indicator,
        membership_what(membership),
        changes,
        reason,
        signed_in_user(request),
        scorecard=membership.scorecard,
    )


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Ticking default moves it here: the scorecard that was the default is unticked, and both changes are kept."""

    form = ScorecardAdminForm
    list_display = ["code", "title", "organisation", "cadence", "is_default"]
    list_filter = ["cadence", "is_default"]
    search_fields = ["code", "title", "organisation", "directorate"]
    inlines = [MembershipInline]

    def has_view_permission(self, request: HttpRequest, obj: Scorecard | None = None) -> bool:
        # "indicators.view_scorecard" is Indicator's "browse the scorecards" permission, which officers have.
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scorecard | None = None) -> bool:
        # Its editions and history name it, and deleting asks no reason: end its memberships' years instead.
        return False

    def save_model(self, request: HttpRequest, obj: Scorecard, form: forms.ModelForm, change: bool) -> None:
        before = _stored(Scorecard, obj.pk) if change else None
        reason, user = form.cleaned_data["reason"], signed_in_user(request)
        if obj.is_default:
            # The constraint allows one default: untick the old one first, in the admin's transaction.
            for old in Scorecard.objects.filter(is_default=True).exclude(pk=obj.pk):
                old.is_default = False
                old.save(update_fields=["is_default"])
                record_change(None, scorecard_what(old), {"is_default": ["yes", "no"]}, reason, user, scorecard=old)
                messages.info(request, f"{old.code} is no longer the default scorecard: {obj.code} is.")
        super().save_model(request, obj, form, change)
        record_change(
            None, scorecard_what(obj), field_changes(before, obj, SCORECARD_FIELDS), reason, user, scorecard=obj
        )

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        """Indicators joining, moving in or leaving the scorecard: each kept with the page's reason."""
        before = {f.instance.pk: _stored(ScorecardMembership, f.instance.pk) for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        reason = form.cleaned_data["reason"]
        for membership in formset.new_objects:
            record_membership(membership, None, membership, reason, request)
        for membership, _ in formset.changed_objects:
            record_membership(membership, before.get(membership.pk), membership, reason, request)
        for membership in formset.deleted_objects:
            record_membership(membership, membership, None, reason, request)


@admin.register(ScorecardMembership)
class ScorecardMembershipAdmin(admin.ModelAdmin):
    """An indicator's place in a scorecard. Leaving: set its last year (the values stay)."""

    form = ScorecardMembershipAdminForm
    list_display = ["indicator", "scorecard", "section", "table", "order", "from_year", "to_year"]
    list_filter = ["scorecard", "from_year", "to_year"]
    search_fields = ["indicator__code", "indicator__name", "scorecard__code", "section", "table"]
    list_select_related = ["indicator", "scorecard"]
    autocomplete_fields = ["indicator"]

    def get_readonly_fields(self, request: HttpRequest, obj: ScorecardMembership | None = None) -> list[str]:
        # Moving a membership to another indicator or scorecard would be another membership: add that instead.
        return ["scorecard", "indicator"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ScorecardMembership | None = None) -> bool:
        # Deleting here asks no reason: set the last year, or remove it on its scorecard's page.
        return False

    def save_model(self, request: HttpRequest, obj: ScorecardMembership, form: forms.ModelForm, change: bool) -> None:
        before = _stored(ScorecardMembership, obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record_membership(obj, before, obj, form.cleaned_data["reason"], request)


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
