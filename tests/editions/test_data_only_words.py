"""A row with no RAG says why: "data only" (its rule is none: never rated, by design) is never printed as
"not rated" (rated, but no target), in the commentary, the writers' list, the comparison and the target grid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from districts.models import ReportingUnit
from indicators.importing.targets import missing_next_year
from indicators.models import Indicator, Target
from scorecard.assembly import DATA_ONLY, NOT_RATED, summaries_side_by_side
from scorecard.editions.publishing import publish_edition
from scorecard.models import EditionVersion

from .conftest import OCTOBER, approve_now


def commented_codes() -> list[str]:
    """Indicators the demo edition has commentary for (RED and AMBER ones), in a stable order."""
    return sorted(
        {
            item["code"]
            for item in EditionVersion.objects.filter(edition__scorecard__is_default=True)
            .latest("pk")
            .snapshot["commentary"]
        }
    )


def heading_of(page: str, code: str) -> str:
    """The commentary heading (<h4>) that names the indicator."""
    found = re.search(rf"<h4>{re.escape(code)} .*?</h4>", page, re.S)
    assert found, f"no commentary heading for {code}"
    return found.group(0)


@pytest.fixture
def data_only_and_no_target(demo: None) -> tuple[str, str]:
    """One commented indicator made data only (rule none), another left without a target (not rated)."""
    data_only, no_target = commented_codes()[:2]
    Indicator.objects.filter(code=data_only).update(rating="none")
    Target.objects.filter(indicator__code=no_target).delete()
    return data_only, no_target


@pytest.mark.django_db
def test_published_commentary_says_data_only_apart_from_not_rated(
    data_only_and_no_target: tuple[str, str], mi_user: User, member: User, client_for
) -> None:
    data_only, no_target = data_only_and_no_target
    approve_now()
    publish_edition(OCTOBER, user=mi_user)
    page = client_for(member).get("/editions/2024-10/").content.decode()
    assert '<span class="rag rating-word">data only</span>' in heading_of(page, data_only)
    assert "not rated" not in heading_of(page, data_only)
    assert '<span class="rag">not rated</span>' in heading_of(page, no_target)


@pytest.mark.django_db
def test_the_writers_list_says_data_only_apart_from_not_rated(
    data_only_and_no_target: tuple[str, str], officer: User, client_for
) -> None:
    data_only, no_target = data_only_and_no_target
    page = client_for(officer).get("/editions/2024-10/commentary/").content.decode()
    rows = {
        code: re.search(rf"<td>{re.escape(code)} .*?</td>\s*<td>(.*?)</td>", page, re.S)
        for code in (data_only, no_target)
    }
    assert rows[data_only] and rows[data_only].group(1).strip() == DATA_ONLY
    assert rows[no_target] and rows[no_target].group(1).strip() == NOT_RATED


@pytest.mark.django_db
def test_an_area_page_counts_data_only_in_its_own_column_and_names_it_to_screen_readers(
    demo: None, officer: User, client_for
) -> None:
    district_level = Indicator.objects.filter(reported_for="district").order_by("code").first()
    assert district_level is not None
    Indicator.objects.filter(pk=district_level.pk).update(rating="none")
    area = ReportingUnit.objects.filter(kind="area").order_by("name").first()
    assert area is not None
    page = client_for(officer).get(f"/scorecard/{area.slug}/2024-10/").content.decode()
    header = re.search(r'<table class="summary-table">.*?</thead>', page, re.S)
    assert header and [*re.findall(r'<th scope="col" class="num">(.*?)</th>', header.group(0))] == [
        "RED",
        "AMBER",
        "GREEN",
        NOT_RATED,
        DATA_ONLY,
    ]
    first_row = re.search(r"<tbody><tr>.*?</tr>", page[header.end() :], re.S)
    assert first_row and first_row.group(0).count('<td class="num">') == 5
    assert f'<span class="visually-hidden">{DATA_ONLY}</span>' in page


@dataclass
class Card:
    counts: dict[str, int]

    def summary(self) -> dict[str, int]:
        return self.counts


def test_summaries_side_by_side_share_their_buckets() -> None:
    plain = {"RED": 1, "AMBER": 0, "GREEN": 2, NOT_RATED: 1}
    with_data_only = {"RED": 0, "AMBER": 1, "GREEN": 1, NOT_RATED: 0, DATA_ONLY: 3}
    lined_up = summaries_side_by_side([Card(with_data_only), Card(plain)])  # type: ignore[list-item]
    assert [list(summary) for summary in lined_up] == [list(with_data_only)] * 2
    assert lined_up[1][DATA_ONLY] == 0
    assert summaries_side_by_side([Card(plain)]) == [plain]  # type: ignore[list-item]


def test_a_data_only_indicator_is_never_missing_a_target() -> None:
    rated = Indicator(pk=1, code="R1", frequency="monthly", rating="floor")
    data_only = Indicator(pk=2, code="D1", frequency="monthly", rating="none")
    activity = Indicator(pk=3, code="A1", frequency="monthly", rating="none", activity=True)
    missing = missing_next_year([rated, data_only, activity], set(), date(2025, 2, 1))
    assert [indicator.code for indicator, _ in missing] == ["R1", "A1"]  # an activity indicator needs its range


@pytest.mark.django_db
def test_the_target_grid_marks_data_only_apart_from_a_missing_target(demo: None, mi_user: User, client_for) -> None:
    indicator = Indicator.objects.order_by("code").first()
    assert indicator is not None
    Indicator.objects.filter(pk=indicator.pk).update(rating="none")
    Target.objects.filter(indicator=indicator).delete()
    page = client_for(mi_user).get("/uploads/targets/years/").content.decode()
    row = re.search(rf"<tr><td>{re.escape(indicator.code)}</td>.*?</tr>", page, re.S)
    assert row and 'class="data-only">data only' in row.group(0) and "missing-target" not in row.group(0)
