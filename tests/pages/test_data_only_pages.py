"""Data-only rows (never rated) on the officer pages: counted apart from "not rated", filterable, never a crash."""

from __future__ import annotations

from indicators.models import Indicator


def test_data_only_rows_show_on_every_page(demo, officer, client_for) -> None:
    Indicator.objects.filter(code="APP17").update(rating="none")
    client = client_for(officer)
    page = client.get("/scorecard/kent/2024-10/").content.decode()
    assert '<span class="count">1</span> data only' in page
    for url in (
        "/scorecard/dover/2024-10/?rag=data+only",
        "/compare/2024-10/",
        "/indicators/APP17/?area=dover",
        "/scorecard/north-kent/2024-10/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_rag_column_says_data_only_or_the_expected_range_and_the_direction_both_arrows(
    demo, officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    Indicator.objects.filter(code="APP17").update(rating="none")
    Indicator.objects.filter(code="CYPE1").update(activity=True)
    Indicator.objects.filter(code="EY2").update(dot_compares_with="both")
    page = client_for(officer).get("/scorecard/kent/2024-10/").content.decode()
    assert '<span class="rating-word">data only</span>' in page
    # CYPE1 has no expected range in the demo: an activity indicator without one is data only too (never RAG).
    assert page.count('<span class="rating-word">') >= 2
    assert " on a year" in page  # EY2's long arrow beside its short one
