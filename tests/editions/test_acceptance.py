"""The issue's acceptance: revisions never change a published edition; the full committee pack as PDF;
members never reach unpublished figures; member pages in a fixed number of queries."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import ReportingUnit, UnitKind
from indicators.models import Indicator, Measurement
from scorecard.assembly import build_scorecard
from scorecard.editions.pdf import pack_html
from scorecard.editions.publishing import publish_edition
from scorecard.models import EditionPack
from tests.conftest import skip_or_fail

from .conftest import (
    OCTOBER,
    UPLOADED_LATER,
    approve_now,
    month_measurement,
    poppler,
    revise,
    upload_other_districts,
)

pytestmark = pytest.mark.django_db
PUBLISHED, REVISED = "66.7", "58.4"  # Dartford APP17, Oct-24


def get_pdf(client, url: str = "/editions/2024-10/pack.pdf") -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(url)
    if response.status_code == 503:
        skip_or_fail("WeasyPrint or Pango is not installed: " + response.content.decode())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def app17_row(page: str) -> str:
    """The Dartford page's APP17 table row."""
    return next(row for row in re.findall(r"<tr.*?</tr>", page, re.S) if ">APP17<" in row)


@pytest.mark.pdf
def test_a_revision_after_publication_changes_neither_the_member_page_nor_the_pdf(
    demo_pack: bytes, member: User, officer: User, client_for, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def no_layout(*args: object) -> bytes:
        raise AssertionError("the committee pack was laid out during a request")

    monkeypatch.setattr("scorecard.editions.pdf.lay_out", no_layout)
    monkeypatch.setattr("scorecard.editions.pdf.html_to_pdf", no_layout)
    client = client_for(member)
    before = get_pdf(client)
    assert before == demo_pack
    dartford = ReportingUnit.objects.get(name="Dartford")
    revise(month_measurement("APP17", "Dartford"), Decimal(REVISED))
    # The officers' (latest) figures have moved...
    latest = next(row for row in build_scorecard(dartford, OCTOBER).rows if row.indicator.code == "APP17")
    assert str(latest.value.normalize()) == REVISED
    # ...the published edition has not: neither the page nor the PDF, which is the stored one, byte for byte.
    row = app17_row(client.get("/editions/2024-10/dartford/").content.decode())
    assert PUBLISHED in row and REVISED not in row
    after = get_pdf(client)
    assert after == before
    assert (
        hashlib.sha256(after).hexdigest()
        == EditionPack.objects.get(version__number=1, version__edition__scorecard__is_default=True).sha256
    )
    text = poppler("pdftotext", "-layout", pdf=after)
    dartford_part = text[text.index("Dartford — October 2024") :]
    app17_line = next(line for line in dartford_part.splitlines() if line.split()[:1] == ["APP17"])
    assert PUBLISHED in app17_line.split()
    assert REVISED not in text
    # The changes page lists it, old -> new.
    page = client_for(officer).get("/editions/2024-10/changes/").content.decode()
    assert "Dartford" in page and "APP17" in page and PUBLISHED in page and f"→ {REVISED}" in page
    assert "1 revised value" in page


def test_the_committee_pack_has_cover_contents_guidance_kent_and_all_twelve_districts(
    demo: None, mi_user: User
) -> None:
    """The pack's document (its layout is read back from the PDF in test_pack_pdf.py)."""
    assert upload_other_districts() > 0
    approve_now()
    version = publish_edition(OCTOBER, user=mi_user).version
    assert all(unit["has_data"] for unit in version.units)
    flat = " ".join(re.sub(r"<[^>]+>", " ", pack_html(version)).split())
    assert "Children, Young People and Education Directorate Scorecard" in flat  # kept from the last version
    assert "October 2024" in flat and "Published" in flat and f"version {version.number}" in flat
    assert "Contents" in flat and "Guidance notes" in flat and "Polarity" in flat and "R12M" in flat
    assert "Kent scorecard — October 2024" in flat and "Commentary" in flat
    districts = ReportingUnit.objects.filter(kind=UnitKind.DISTRICT)
    assert districts.count() == 12
    for district in districts:
        assert f"{district.name} — October 2024" in flat, district.name
    for rag in ("RED", "AMBER", "GREEN"):
        assert rag in flat
    assert "No data received" not in flat


def test_the_pack_is_print_first_html(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(member).get("/editions/2024-10/pack/").content.decode()
    assert "/static/css/print.css" in page and "<thead>" in page
    for name in ReportingUnit.objects.filter(kind=UnitKind.DISTRICT).values_list("name", flat=True):
        assert name in page
    assert page.count("No data received") == 1  # one list, not a page per district
    for name in UPLOADED_LATER:
        assert f"<li>{name}</li>" in page
    from django.contrib.staticfiles import finders

    with open(finders.find("css/print.css"), encoding="utf-8") as file:
        css = file.read()
    for rule in ("size: A4 landscape", "counter(page)", "display: table-header-group", "break-inside: avoid"):
        assert rule in css


UNPUBLISHED = [
    "/scorecard/kent/",
    "/scorecard/kent/2024-10/",
    "/scorecard/dartford/2024-10/",
    "/indicators/APP17/",
    "/compare/",
    "/compare/2024-10/",
    "/uploads/",
    "/uploads/new/",
]


def test_members_never_reach_unpublished_figures_uploads_or_the_admin(demo: None, member: User, client_for) -> None:  # type: ignore[no-untyped-def]
    assert not member.has_perm("indicators.view_scorecard")
    assert not member.has_perm("indicators.upload_measurements")
    client = client_for(member)
    for url in UNPUBLISHED:
        assert client.get(url).status_code in (403, 404), url  # 404: a page not built yet
    assert [url for url in UNPUBLISHED if client.get(url).status_code == 404] == []
    admin = client.get("/admin/")
    assert admin.status_code == 403 or (admin.status_code == 302 and admin.url.startswith("/admin/login/"))


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


MEMBER_PAGES = ["/editions/2024-10/", "/editions/2024-10/dartford/", "/editions/2024-10/pack/", "/editions/"]


def test_member_pages_run_in_a_fixed_number_of_queries(
    demo: None, member: User, client_for, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(member)
    # Session, user, 2 permission lookups, the version, its siblings, the unit's rows, the list of units. The
    # names in the page's title, header and footer are the version's, which came with it (scorecard/names.py).
    with django_assert_num_queries(8):
        client.get("/editions/2024-10/")
    before = {url: count_queries(client, url) for url in MEMBER_PAGES}
    # More indicators, districts and data: a bigger snapshot, the same queries.
    area = ReportingUnit.objects.filter(kind=UnitKind.AREA).first()
    for name in ("Medway", "Bexley"):
        ReportingUnit.objects.create(name=name, kind=UnitKind.DISTRICT, area=area, display_order=99)
    template = Indicator.objects.get(code="APP17")
    for number in range(3):
        template.pk, template.code = None, f"NEW{number}"
        template.save()
        Measurement.objects.create(
            indicator=template,
            unit=ReportingUnit.objects.authority(),
            period_kind="M",
            period_start=OCTOBER.start,
            value=Decimal("50"),
        )
    approve_now()
    publish_edition(OCTOBER)
    after = {url: count_queries(client, url) for url in MEMBER_PAGES}
    assert after == before
    assert "Medway" in client.get("/editions/2024-10/pack/").content.decode()
