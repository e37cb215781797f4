"""``{% edition_url 'edition-pack' scorecard_code month=… %}``: a link that stays within the scorecard shown.

Today's /editions/… URLs mean the default scorecard; /scorecards/<code>/editions/… mirror them for any
scorecard. A page reached through one keeps its links in it: ``scorecard_code`` is the URL's (blank for
today's URLs).
"""

from __future__ import annotations

from typing import Any

from django import template

from scorecard.editions.links import edition_url as edition_url_for

register = template.Library()


@register.simple_tag
def edition_url(name: str, scorecard_code: str | None, **kwargs: Any) -> str:
    return edition_url_for(name, scorecard_code, **kwargs)
