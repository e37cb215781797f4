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
