"""The admin refuses contradictory targets and unknown polarities with a clear message."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from indicators.models import Indicator, Target

pytestmark = pytest.mark.django_db


def target_form(indicator: Indicator, **values: str) -> dict[str, str]:
    form = {
        "indicator": str(indicator.pk),
        "year": "2025",
        "applies_to": "all",
        "target": "",
        "floor": "",
        "reason": "test",
        "band_low": "",
        "band_high": "",
        "floor_band_low": "",
        "floor_band_high": "",
        "source": "",
    }
    return form | values


@pytest.mark.parametrize(
    ("code", "values", "message"),
    [
        ("APP17", {"target": "60", "floor": "65"}, "the floor 65 is above the target 60, but higher is better"),
        ("SCS03", {"target": "25", "floor": "20"}, "the floor 20 is below the target 25, but lower is better"),
        ("SCS13", {"target": "20", "band_low": "21", "band_high": "23"}, "does not contain the target 20"),
    ],
)
def test_contradictory_targets_are_refused(
    admin_client_mi: Client, code: str, values: dict[str, str], message: str
) -> None:
    indicator = Indicator.objects.get(code=code)
    response = admin_client_mi.post("/admin/indicators/target/add/", target_form(indicator, **values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Target.objects.filter(indicator=indicator, year=2025).exists()


def test_a_floor_equal_to_its_target_is_accepted(admin_client_mi: Client) -> None:
    indicator = Indicator.objects.get(code="APP17")
    response = admin_client_mi.post("/admin/indicators/target/add/", target_form(indicator, target="60", floor="60"))
    assert response.status_code == 302
    assert Target.objects.get(indicator=indicator, year=2025).floor == 60


def test_an_unknown_polarity_is_refused(admin_client_mi: Client) -> None:
    indicator = Indicator.objects.get(code="APP17")
    response = admin_client_mi.get(f"/admin/indicators/indicator/{indicator.pk}/change/")
    form = response.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update(
        {
            "polarity": "X",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
            "benchmarks-TOTAL_FORMS": "0",
            "benchmarks-INITIAL_FORMS": "0",
        }
    )
    response = admin_client_mi.post(f"/admin/indicators/indicator/{indicator.pk}/change/", data)
    assert "Select a valid choice. X is not one of the available choices." in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.polarity == "H"


def test_officers_and_members_cannot_use_the_admin(demo: None, officer: User, member: User, client: Client) -> None:
    for user in (officer, member):
        client.force_login(user)
        response = client.get("/admin/indicators/target/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
