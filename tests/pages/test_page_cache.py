"""The officer pages' cache: a warm page is served without rebuilding, and no write is ever hidden by it.

Every write path moves the data version (database triggers), so each test warms the page, writes
one way, and checks the page shows the write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from districts.models import ReportingUnit, UnitKind
from indicators.importing import load
from indicators.models import Measurement, Target, Upload
from scorecard import data_version, page_cache
from scorecard.editions.queries import is_published
from scorecard.models import DataVersion, EditionVersion
from scorecard.pages import queries

from .conftest import count_queries

DOVER = "/scorecard/dover/2024-10/"
NEW_VALUE = Decimal("88.8")  # on no demo page


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


def dover_team_oct24() -> Measurement:
    """A figure the Dover page shows: Dover CSWT's SCS03 (a one-decimal rate) for October 2024."""
    return Measurement.objects.get(indicator__code="SCS03", unit__name="Dover CSWT", period_start=date(2024, 10, 1))


def page(client, url: str = DOVER) -> str:  # type: ignore[no-untyped-def]
    """The page's HTML, without the CSRF token (masked afresh for every response)."""
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def triggered_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [data_version.TRIGGER]
            )
            return {name.strip('"') for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{data_version.TRIGGER}_%"],
        )
        return {name for (name,) in cursor.fetchall()}


def test_every_table_of_the_pages_apps_is_watched_but_the_uploaded_files(db):
    expected = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in data_version.WATCHED_APPS and model._meta.label not in data_version.NOT_WATCHED
    }
    assert {
        "indicators_measurement",
        "indicators_target",
        "indicators_indicator",
        "indicators_benchmark",
        "districts_reportingunit",
        "districts_reportingunit_districts_served",
        "scorecard_editionversion",
    } <= expected
    assert triggered_tables() == expected
    assert "indicators_upload" not in triggered_tables()


def test_installing_the_triggers_again_changes_nothing(db):
    before = triggered_tables()
    data_version.install_triggers()
    assert triggered_tables() == before
    version = data_version.current()
    ReportingUnit.objects.create(name="Anywhere", slug="anywhere", kind=UnitKind.DISTRICT)  # any write
    assert data_version.current() != version


def test_a_warm_page_is_served_without_assembling_it_again(officer_client, monkeypatch):
    cold_queries = count_queries(officer_client, DOVER)
    cold = page(officer_client)

    def no_assembly(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the warm page was assembled again")

    monkeypatch.setattr("scorecard.pages.views.build_scorecard", no_assembly)
    assert page(officer_client) == cold
    assert count_queries(officer_client, DOVER) < cold_queries
    # Another query string is another page: built, not served from the first's entry.
    with pytest.raises(AssertionError, match="assembled again"):
        officer_client.get(DOVER + "?rag=RED")


def set_by_save() -> None:
    measurement = dover_team_oct24()
    measurement.value = NEW_VALUE
    measurement.save()


def set_by_update() -> None:
    Measurement.objects.filter(pk=dover_team_oct24().pk).update(value=NEW_VALUE)


def set_by_raw_sql() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Measurement._meta.db_table} SET value = %s WHERE id = %s", [NEW_VALUE, dover_team_oct24().pk]
        )


def set_by_upload(user) -> None:  # type: ignore[no-untyped-def]
    """The MI upload (on PostgreSQL its COPY and INSERT … SELECT path)."""
    content = f"indicator,area,period,value\nSCS03,Dover CSWT,Oct-24,{NEW_VALUE}\n".encode()
    upload = load.save_preview(
        Upload.objects.create(filename="new.csv", content=content, size=len(content), uploaded_by=user)
    )
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.QUEUED, committed_by=user)
    assert load.commit_upload(upload.pk) == Upload.State.COMMITTED


@pytest.mark.parametrize("write", [set_by_save, set_by_update, set_by_raw_sql, set_by_upload])
def test_a_written_value_shows_at_once_on_a_warm_page(officer_client, mi_user, write: Callable[..., None]):
    before = page(officer_client)
    assert page(officer_client) == before  # warm
    assert f">{NEW_VALUE}<" not in before
    write(mi_user) if write is set_by_upload else write()
    assert f"{NEW_VALUE}" in page(officer_client)


def test_a_changed_target_rerates_a_warm_page(officer_client):
    before = page(officer_client)
    measurement = dover_team_oct24()
    target = Target.objects.filter(indicator=measurement.indicator_id, year=2024, unit=None).get()
    assert ">12.3<" not in before
    target.target = Decimal("12.3")
    target.save()
    assert ">12.3<" in page(officer_client)


def test_the_matrix_pages_are_cached_and_follow_writes_too(officer_client, monkeypatch):
    url = "/compare/2024-10/"
    before = page(officer_client, url)
    set_by_update()
    after = page(officer_client, url)
    assert after != before and f"{NEW_VALUE}" in after


def test_a_version_out_of_embargo_shows_without_any_write(officer_client, monkeypatch):
    """Which version members can read depends on the time, so it is part of the key, not a write."""
    first = EditionVersion.objects.of_scorecard().get(edition__month=date(2024, 10, 1))
    opens = timezone.now() + timedelta(days=1)
    EditionVersion.objects.create(
        edition=first.edition,
        number=2,
        published_at=timezone.now(),
        snapshot=first.snapshot,
        visible_from=opens,
        suppression_threshold=first.suppression_threshold,
    )
    assert "Published to members as version 1" in page(officer_client)
    version = data_version.current()
    later = opens + timedelta(minutes=1)
    monkeypatch.setattr(
        "scorecard.pages.views.is_published", lambda as_at, scorecard=None: is_published(as_at, scorecard, now=later)
    )
    assert "Published to members as version 2" in page(officer_client)
    assert data_version.current() == version


def test_the_code_fingerprint_follows_the_code(settings, tmp_path):
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("one")
    settings.BASE_DIR = tmp_path
    page_cache.code_fingerprint.cache_clear()
    try:
        first = page_cache.code_fingerprint()
        template.write_text("a longer template")
        page_cache.code_fingerprint.cache_clear()
        assert page_cache.code_fingerprint() != first
    finally:
        page_cache.code_fingerprint.cache_clear()


def test_without_a_data_version_pages_are_built_every_time(officer_client, monkeypatch):
    monkeypatch.setattr(data_version, "current", lambda using="default": None)
    page(officer_client)
    calls = []
    real = page_cache.django_cache.set
    monkeypatch.setattr(page_cache.django_cache, "set", lambda *a, **k: calls.append(a) or real(*a, **k))
    page(officer_client)
    assert calls == []


def test_a_warm_page_never_reads_the_published_snapshot(officer_client):
    """The snapshot holds every unit's rows (megabytes at a region's size); a cached page needs none of it."""
    assert "Published to members as version 1" in page(officer_client)
    with CaptureQueriesContext(connection) as queries:
        page(officer_client)
    assert queries.captured_queries
    assert not any('."snapshot"' in query["sql"] for query in queries.captured_queries)


def test_an_emptied_version_row_comes_back_as_a_new_version(officer_client):
    """A flushed database (as a test database is) loses the row; the next page starts it again, never repeating."""
    before = data_version.current()
    DataVersion.objects.all().delete()
    again = data_version.current()
    assert again is not None and again != before
    set_by_update()
    assert data_version.current() != again
    assert f"{NEW_VALUE}" in page(officer_client)


def test_the_indicator_page_is_cached_and_shows_a_revision_at_once(officer_client, mi_user, monkeypatch):
    url = "/indicators/SCS03/?area=dover-cswt&month=2024-10"
    before = page(officer_client, url)
    assert "new.csv" not in before
    real = queries.indicator_page_data
    monkeypatch.setattr(queries, "indicator_page_data", lambda *args: pytest.fail("the warm page was rebuilt"))
    assert page(officer_client, url) == before
    monkeypatch.setattr(queries, "indicator_page_data", real)
    set_by_upload(mi_user)
    after = page(officer_client, url)
    assert f"{NEW_VALUE}" in after and "new.csv" in after  # the value, and its revision with the upload's name
    assert officer_client.get("/indicators/NOPE/").status_code == 404  # built (and refused) every time


def test_a_download_is_built_afresh_not_served_from_the_cache(officer_client, monkeypatch):
    frozen = data_version.current()
    monkeypatch.setattr(data_version, "current", lambda using="default": frozen)  # a cache blind to writes
    assert f"{NEW_VALUE}" not in officer_client.get(DOVER + "?format=csv").content.decode()
    page(officer_client)  # warm
    set_by_update()
    assert f"{NEW_VALUE}" in officer_client.get(DOVER + "?format=csv").content.decode()
    assert f"{NEW_VALUE}" not in page(officer_client)  # (the blind cache does hide it from the page)
