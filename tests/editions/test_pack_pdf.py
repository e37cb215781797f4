"""The committee pack as members receive it, read back from the PDF (issue #12 acceptance 1).

The pack is laid out once per session (the ``demo_pack`` fixture): these tests read its words'
positions (``pdftotext -bbox``), its text lines (``pdftotext -layout``), its metadata (``pdfinfo``,
``pdffonts``) and its outline, and save three pages as PNG under test-artifacts/ to look at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scorecard.editions import presentation
from scorecard.editions.pdf import PdfUnavailable, html_to_pdf, pack_html
from scorecard.models import EditionVersion
from tests.conftest import skip_or_fail

from .conftest import OCTOBER, UPLOADED_LATER, page_texts, poppler

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
# DejaVu's ascent + descent is 1.164 em: a word set in 7 pt is 8.15 pt high in pdftotext's boxes.
SMALLEST_WORD_HEIGHT = 7 * 1.164 - 0.05


def pages_of(pdf: bytes) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Each page's width, height and words with their boxes (points, from the top left)."""
    text = poppler("pdftotext", "-bbox", pdf=pdf)
    return [
        (
            float(width),
            float(height),
            [(float(x0), float(y0), float(x1), float(y1), word) for x0, y0, x1, y1, word in WORD.findall(body)],
        )
        for width, height, body in PAGE.findall(text)
    ]


def bookmarks_of(pdf: bytes) -> dict[int, str]:
    """The PDF's bookmarks: page number -> title."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {reader.get_destination_page_number(item) + 1: item.title for item in reader.outline}


def kent_rows() -> list[presentation.RowView]:
    version = EditionVersion.objects.of_scorecard().get(edition__month=OCTOBER.start, number=1)
    page = presentation.unit_page(version.snapshot, version.unit(None))
    return [row for table in page.tables for row in table.rows]


def test_every_word_lies_inside_its_page_and_none_is_under_7_pt(demo_pack: bytes) -> None:
    pages = pages_of(demo_pack)
    assert len(pages) > 10
    outside, small = [], []
    for number, (width, height, words) in enumerate(pages, start=1):
        assert words, f"page {number} is blank"
        for x0, y0, x1, y1, word in words:
            if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
                outside.append((number, word, x0, x1))
            if y1 - y0 < SMALLEST_WORD_HEIGHT:
                small.append((number, word, round(y1 - y0, 2)))
    assert not outside, f"words outside their page: {outside[:10]}"
    assert not small, f"text under 7 pt: {small[:10]}"


def test_each_kent_rows_code_latest_value_and_rag_stand_on_one_line(demo_pack: bytes) -> None:
    lines = poppler("pdftotext", "-layout", pdf=demo_pack).splitlines()
    rows = [row for row in kent_rows() if row.code]
    assert len(rows) > 40
    for row in rows:
        code = re.compile(rf"(?<!\S){re.escape(row.code)}(?!\S)")
        # The latest value may carry its footnote's mark: 33.2[2].
        wanted = [rf"{re.escape(row.value.split()[0])}(\[\d+\])?", *([row.rag] if row.rag else [])]
        assert any(
            code.search(line) and all(re.search(rf"(?<!\S){part}(?!\S)", line) for part in wanted) for line in lines
        ), f"{row.code}: {wanted} not on the row's line"


def test_the_pdf_is_tagged_titled_in_english_with_one_embedded_font_family(demo_pack: bytes) -> None:
    info = poppler("pdfinfo", pdf=demo_pack)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(
        r"^Title:\s+Kent County Council · Children, Young People and Education Directorate Scorecard · October 2024 · "
        r"version 1$",
        info,
        re.M,
    )
    assert re.search(r"^Page size:\s+841.89 x 595.276 pts \(A4\)$", info, re.M)  # landscape
    fonts = poppler("pdffonts", pdf=demo_pack).splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts), fonts  # embedded (subsets)
    assert {line.split()[0].split("+", 1)[1].replace("-Bold", "") for line in fonts} == {"Pack-Sans-Semi-Condensed"}
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(demo_pack)).trailer["/Root"]["/Lang"] == "en-GB"


def test_contents_bookmarks_running_header_page_numbers_and_one_list_of_units_without_data(demo_pack: bytes) -> None:
    bookmarks = bookmarks_of(demo_pack)
    titles = list(bookmarks.values())
    with_data = ["Dartford", "Gravesham", "Ashford", "Dover", "Folkestone and Hythe", "Canterbury"]
    assert titles == ["Contents", "Kent", "Commentary", *with_data]
    texts = page_texts(demo_pack)
    total = len(texts)
    contents = texts[1]
    for page_number, title in bookmarks.items():
        if title != "Contents":  # the contents list each section with the page it starts on
            label = "Kent scorecard" if title == "Kent" else title
            assert re.search(rf"{re.escape(label)} [. ]+{page_number}\b", contents), (label, page_number)
    # One short list, on the contents page, instead of a page per district without data.
    assert "No data received" in contents and all(name in contents for name in UPLOADED_LATER)
    assert sum("No data received" in text for text in texts) == 1
    assert not any(f"{name} — October 2024" in text for text in texts for name in UPLOADED_LATER)
    running_header = (
        "Kent County Council · Children, Young People and Education Directorate Scorecard · October 2024 · version 1"
    )
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert number == 1 or running_header in text
    dartford = next(number for number, title in bookmarks.items() if title == "Dartford")
    assert "Dartford — October 2024" in texts[dartford - 1]


def test_three_pack_pages_are_saved_as_pictures_to_look_at(demo_pack: bytes, tmp_path: Path) -> None:
    """Cover and contents, the first Kent table page, a district page: test-artifacts/pack-*.png."""
    if shutil.which("pdftoppm") is None:
        skip_or_fail("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "pack.pdf"
    source.write_bytes(demo_pack)
    ARTIFACTS.mkdir(exist_ok=True)
    first_page = {title: number for number, title in bookmarks_of(demo_pack).items()}
    for name, page in (("contents", 2), ("kent", first_page["Kent"]), ("district", first_page["Dartford"])):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(source),
                str(ARTIFACTS / f"pack-{name}"),
            ],
            check=True,
            timeout=120,
        )
        assert (ARTIFACTS / f"pack-{name}.png").stat().st_size > 10_000


def test_an_embargoed_version_prints_its_embargo_on_the_cover_and_every_page(demo: None) -> None:
    """Laid out for real, but only the cover and the contents (a second or two, not the whole pack)."""
    from datetime import timedelta

    from django.utils import timezone

    version = (
        EditionVersion.objects.of_scorecard().select_related("edition").get(edition__month=OCTOBER.start, number=1)
    )
    version.visible_from = timezone.now() + timedelta(days=2)
    html = pack_html(version)
    html = html[: html.index('<section class="guidance"')] + "</body></html>"
    try:
        pdf = html_to_pdf(html)
    except PdfUnavailable as error:  # no WeasyPrint (or Pango) here
        skip_or_fail(f"WeasyPrint cannot lay out here: {error}")
    when = timezone.localtime(version.visible_from)
    mark = f"Embargoed until {when.day} {when:%B %Y %H:%M}"
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert mark in texts[0]  # the cover
    assert mark in texts[1]  # the running header


def test_a3_chosen_at_publication_is_printed_on_a3_landscape(demo: None) -> None:
    """The cover and contents laid out for real on A3 (the whole pack would take a quarter of a minute more)."""
    version = (
        EditionVersion.objects.of_scorecard().select_related("edition").get(edition__month=OCTOBER.start, number=1)
    )
    version.paper = "A3"
    html = pack_html(version)
    try:
        pdf = html_to_pdf(html[: html.index('<section class="guidance"')] + "</body></html>")
    except PdfUnavailable as error:  # no WeasyPrint (or Pango) here
        skip_or_fail(f"WeasyPrint cannot lay out here: {error}")
    assert re.search(r"^Page size:\s+1190.55 x 841.89 pts \(A3\)$", poppler("pdfinfo", pdf=pdf), re.M)
