"""One date format everywhere: "6 December 2024", with a time "6 December 2024 14:05" (scorecard/formats)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template import Context, Template

from scorecard.formats import long_date, long_datetime

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LONDON = ZoneInfo("Europe/London")


def test_python_and_templates_write_dates_one_way():
    moment = datetime.datetime(2024, 12, 6, 14, 5, tzinfo=LONDON)
    assert long_date(datetime.date(2024, 12, 6)) == "6 December 2024"
    assert long_date(moment) == "6 December 2024"
    assert long_datetime(moment) == "6 December 2024 14:05"
    rendered = Template('{{ d|date }}|{{ m|date:"DATETIME_FORMAT" }}').render(Context({"d": moment, "m": moment}))
    assert rendered == "6 December 2024|6 December 2024 14:05"


def test_a_utc_time_is_written_in_uk_time():
    summer = datetime.datetime(2024, 7, 1, 9, 30, tzinfo=datetime.UTC)
    assert long_datetime(summer) == "1 July 2024 10:30"


def test_templates_use_only_the_named_formats():
    """A date is written with |date, |date:"DATETIME_FORMAT" or, for a month, |date:"F Y"."""
    allowed = {'"DATETIME_FORMAT"', '"DATE_FORMAT"', '"F Y"', '"j F Y"', '"j F Y H:i"'}
    odd = [
        (path.name, fmt)
        for path in TEMPLATES.rglob("*.html")
        for fmt in re.findall(r'\|date:("[^"]*")', path.read_text())
        if fmt not in allowed
    ]
    assert odd == []
