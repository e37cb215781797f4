"""The user behind a request to a view that requires a login, typed as the User it is."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` for a view behind a login or permission check (the admin, the role decorators).

    Those checks already turned anonymous visitors away; this says so to the type checker, and refuses
    rather than recording an anonymous user as the one who made a change if a view ever lost its check.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
