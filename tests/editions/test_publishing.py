"""Publishing: versions, frozen snapshots, suppression threshold, warnings, the command and the demo."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from districts.models import ReportingUnit
from indicators.analysis.periods import parse_month
from indicators.models import Scorecard
from scorecard.assembly import build_scorecard
from scorecard.demo import load_demo
from scorecard.editions.publishing import PublishError, publish_edition
from scorecard.models import Commentary, Edition, EditionVersion

from .conftest import OCTOBER, approve_now, month_measurement, revise

pytestmark = pytest.mark.django_db


def kent_rows(version: EditionVersion) -> list[dict]:
    return next(unit for unit in version.units if unit["kind"] == "authority")["rows"]


def test_the_demo_publishes_october_2024_once_dated_9_december_2024(demo: None) -> None:
    (version,) = EditionVersion.objects.of_scorecard().all()
    assert version.edition.month == OCTOBER.start and version.number == 1
    assert version.published_at.date().isoformat() == "2024-12-09"
    load_demo()
    assert EditionVersion.objects.of_scorecard().count() == 1


def test_the_snapshot_holds_the_authority_then_every_district(demo: None) -> None:
    version = EditionVersion.objects.of_scorecard().get()
    districts = list(ReportingUnit.objects.districts().order_by("display_order", "name").values_list("name", flat=True))
    assert [unit["name"] for unit in version.units] == ["Kent", *districts]
    with_data = {unit["name"] for unit in version.units if unit["has_data"]}
    assert with_data == {"Kent", "Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe", "Gravesham"}


def test_the_snapshot_matches_the_assembled_rows(demo: None) -> None:
    version = EditionVersion.objects.of_scorecard().get()
    card = build_scorecard(ReportingUnit.objects.authority(), OCTOBER)
    frozen = {row["code"]: row for row in kent_rows(version)}
    assert len(frozen) == len(card.rows)
    for row in card.rows:
        shown = frozen[row.indicator.code]
        assert shown["rag"] == (row.rag.value if row.rag else None)
        assert shown["period"] == (row.period.label if row.period else None)
        assert [value["period"] for value in shown["trend"]] == [value.period.label for value in row.trend]


def test_every_red_and_amber_kent_indicator_has_demo_commentary(demo: None) -> None:
    version = EditionVersion.objects.of_scorecard().get()
    commented = {item["code"] for item in version.snapshot["commentary"]}
    rated = {row["code"] for row in kent_rows(version) if row["rag"] in ("RED", "AMBER")}
    assert rated and rated <= commented


def test_republishing_adds_a_version_and_keeps_the_old_one(demo: None, mi_user) -> None:  # type: ignore[no-untyped-def]
    first = EditionVersion.objects.of_scorecard().get()
    revise(month_measurement("APP17", "Kent"), Decimal("80.1"))
    approve_now()
    second = publish_edition(OCTOBER, user=mi_user).version
    assert (second.number, second.published_by) == (2, mi_user)
    first.refresh_from_db()
    old = {row["code"]: row for row in kent_rows(first)}["APP17"]["latest"]["value"]
    new = {row["code"]: row for row in kent_rows(second)}["APP17"]["latest"]["value"]
    assert (old, new) == ("76.9", "80.1")
    assert Edition.objects.filter(scorecard__is_default=True).count() == 1


def test_the_threshold_at_publication_is_frozen(demo: None) -> None:
    with override_settings(SUPPRESSION_THRESHOLD=50):
        approve_now()  # what members will see changes with the threshold: it is signed off again
        version = publish_edition(OCTOBER).version
    assert version.suppression_threshold == 50 == version.snapshot["suppression_threshold"]
    ashford = next(unit for unit in version.units if unit["name"] == "Ashford")
    eh44 = next(row for row in ashford["rows"] if row["code"] == "EH44")  # a count of 6: hidden below 50
    assert eh44["latest"]["suppressed"]
    default = EditionVersion.objects.of_scorecard().get(number=1)
    ashford = next(unit for unit in default.units if unit["name"] == "Ashford")
    assert not next(row for row in ashford["rows"] if row["code"] == "EH44")["latest"]["suppressed"]


def test_publishing_warns_about_red_indicators_without_commentary(demo: None) -> None:
    Commentary.objects.filter(indicator__code="SCS19").delete()
    warnings = publish_edition(OCTOBER).warnings
    assert len(warnings) == 1 and "SCS19" in warnings[0] and "RED" in warnings[0]


def test_a_month_with_no_figures_is_refused(demo: None) -> None:
    with pytest.raises(PublishError, match="Nov-24"):
        publish_edition(parse_month("Nov-24"))
    assert EditionVersion.objects.of_scorecard().count() == 1


def test_the_publish_command_makes_a_new_version_and_prints_warnings(demo: None) -> None:
    Commentary.objects.filter(indicator__code="APP-EP").delete()
    out, err = StringIO(), StringIO()
    call_command("publish", "Oct-24", stdout=out, stderr=err)
    assert "version 2" in out.getvalue()
    assert "APP-EP" in err.getvalue() and "warning" in err.getvalue()
    call_command("publish", "2024-10", stdout=out, stderr=err)
    assert list(EditionVersion.objects.of_scorecard().values_list("number", flat=True)) == [3, 2, 1]


@pytest.mark.parametrize("period", ["October", "2024-13", "Nov-24"])
def test_the_publish_command_refuses_a_bad_or_empty_month(demo: None, period: str) -> None:
    with pytest.raises(CommandError):
        call_command("publish", period, stdout=StringIO(), stderr=StringIO())
    assert EditionVersion.objects.of_scorecard().count() == 1


def test_the_packs_title_and_attribution_come_from_the_default_scorecard(demo: None) -> None:
    default = Scorecard.objects.get(is_default=True)
    (demo_version,) = EditionVersion.objects.of_scorecard().all()
    assert (demo_version.title, demo_version.attribution) == (default.title, default.attribution)
    Scorecard.objects.filter(pk=default.pk).update(title="Corporate Performance Report", attribution="Figures: Shire.")
    revise(month_measurement("APP17", "Kent"), Decimal("80.1"))
    approve_now()
    version = publish_edition(OCTOBER).version
    assert (version.title, version.attribution) == ("Corporate Performance Report", "Figures: Shire.")
    revise(month_measurement("APP17", "Kent"), Decimal("80.2"))
    approve_now()
    given = publish_edition(OCTOBER, title="Special", attribution="").version  # given: they win
    assert (given.title, given.attribution) == ("Special", "")
