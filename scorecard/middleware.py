"""Requests whose path or query string holds control characters are refused (400) before any view runs.

No URL or parameter of the app can hold a NUL, a line break or another control character, and some
would reach the database (PostgreSQL refuses a NUL in text: a 500). One check here covers every view,
the admin's search box included.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# C0 controls, DEL and C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(request: HttpRequest) -> bool:
    if CONTROL_CHARACTERS.search(request.path):
        return True
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
        for key, values in request.GET.lists()
    )


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request):
            return HttpResponseBadRequest(
                "The address holds a control character (such as %00): check the link.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
