"""Definitions and targets keep who, when, what (field: old -> new) and why; no reason, no change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client

from indicators.models import DefinitionChange, Indicator, Target

pytestmark = pytest.mark.django_db


def target_data(target: Target, **values: str) -> dict[str, str]:
    data = {
        "indicator": str(target.indicator_id),
        "year": str(target.year),
        "applies_to": target.applies_to,
        "unit": "",
        "source": target.source,
        "reason": "",
    }
    for name in ("target", "floor", "band_low", "band_high", "floor_band_low", "floor_band_high"):
        value = getattr(target, name)
        data[name] = "" if value is None else str(value)
    return data | values


def test_a_target_changed_without_a_reason_is_refused(admin_client_mi: Client) -> None:
    target = Target.objects.get(indicator__code="APP17", year=2024, unit=None)
    response = admin_client_mi.post(f"/admin/indicators/target/{target.pk}/change/", target_data(target, floor="55"))
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    target.refresh_from_db()
    assert target.floor == 50 and not DefinitionChange.objects.exists()


def test_a_target_changed_with_a_reason_shows_in_the_history(admin_client_mi: Client, mi_user: User) -> None:
    target = Target.objects.get(indicator__code="APP17", year=2024, unit=None)
    response = admin_client_mi.post(
        f"/admin/indicators/target/{target.pk}/change/", target_data(target, floor="55", reason="Floor raised by DMT")
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.floor == 55
    change = DefinitionChange.objects.for_indicator(target.indicator).get()
    assert (change.what, change.changes, change.reason, change.user, change.target) == (
        "target 2024-25",
        {"floor": ["50", "55"]},
        "Floor raised by DMT",
        mi_user,
        target,
    )
    html = render_to_string(
        "includes/definition_history.html",
        {"definition_changes": DefinitionChange.objects.for_indicator(target.indicator)},
    )
    assert "floor: 50 → 55" in html and "Floor raised by DMT" in html and "mi" in html


def test_an_indicator_change_and_its_inline_targets_are_kept_with_the_pages_reason(admin_client_mi: Client) -> None:
    indicator = Indicator.objects.get(code="APP17")
    page = admin_client_mi.get(f"/admin/indicators/indicator/{indicator.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    for prefix, formset in (
        ("targets", page.context["inline_admin_formsets"][0].formset),
        ("benchmarks", page.context["inline_admin_formsets"][1].formset),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(formset.initial_forms))
        for number, inline in enumerate(formset.forms):
            for name in inline.fields:
                value = inline[name].value()
                data[f"{prefix}-{number}-{name}"] = "" if value is None else str(value)
            data[f"{prefix}-{number}-indicator"] = str(indicator.pk)
    first_target = formset_target = page.context["inline_admin_formsets"][0].formset.forms[0].instance
    data["targets-0-target"] = "65"
    data["name"] = indicator.name + " (renamed)"
    refused = admin_client_mi.post(f"/admin/indicators/indicator/{indicator.pk}/change/", data)
    assert refused.status_code == 200 and not DefinitionChange.objects.exists()

    data["reason"] = "Target raised in the 2024 plan"
    response = admin_client_mi.post(f"/admin/indicators/indicator/{indicator.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    history = list(DefinitionChange.objects.for_indicator(indicator))
    by_what = {change.what: change for change in history}
    assert by_what["definition"].changes == {"name": [indicator.name, indicator.name + " (renamed)"]}
    assert by_what[f"target {formset_target.year_label}"].changes["target"][1] == "65"
    assert {change.reason for change in history} == {"Target raised in the 2024 plan"}
    assert first_target.pk == by_what[f"target {formset_target.year_label}"].target_id


def test_a_target_cannot_be_deleted_without_a_reason(admin_client_mi: Client) -> None:
    target = Target.objects.get(indicator__code="APP17", year=2024, unit=None)
    response = admin_client_mi.post(f"/admin/indicators/target/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Target.objects.filter(pk=target.pk).exists()


def test_the_history_is_one_query(demo: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.get(code="APP17")
    with django_assert_num_queries(1):
        list(DefinitionChange.objects.for_indicator(indicator))
