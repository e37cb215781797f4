"""Login throttling: failed logins are counted per username and address in the cache.

After ``LOGIN_FAILURE_LIMIT`` failures for one (username, address) pair, that pair is
refused for ``LOGIN_LOCKOUT_MINUTES``, even with the right password. Counting per pair
(not per username alone) means nobody can lock a colleague out from another desk.

The authentication backend enforces the rule everywhere a password is checked (the login
page and the admin's); the login view tells the person how long to wait, with status 429.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .audit_log import log_event


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one our own proxies appended."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]  # anything left of our proxies' entries is the client's to forge
    return request.META.get("REMOTE_ADDR", "")


def _key(username: str, address: str) -> str:
    # Hashed: usernames are user input, and cache keys must be short and free of spaces.
    digest = hashlib.sha256(f"{username.strip().lower()}\n{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def _lockout_seconds() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def minutes_locked_out(username: str, address: str) -> int:
    """Whole minutes (rounded up) until this pair may try again; 0 when it is not locked out."""
    record = cache.get(_key(username, address))
    if not record or record["failures"] < settings.LOGIN_FAILURE_LIMIT:
        return 0
    remaining = record["locked_until"] - time.time()
    return max(1, math.ceil(remaining / 60)) if remaining > 0 else 0


def record_failure(username: str, address: str) -> int:
    """Count one failed login; returns the failures so far within the lockout window."""
    key = _key(username, address)
    record = cache.get(key) or {"failures": 0, "locked_until": 0.0}
    record["failures"] += 1
    # Each failure restarts the window, so a slow guesser stays counted.
    record["locked_until"] = time.time() + _lockout_seconds()
    cache.set(key, record, timeout=_lockout_seconds())
    return record["failures"]


def clear_failures(username: str, address: str) -> None:
    cache.delete(_key(username, address))


def lockout_message(minutes: int) -> str:
    return f"Too many failed attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}."


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, refused while the pair is locked out."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None or not username:  # management commands and the like: nothing to count
            return super().authenticate(request, username=username, password=password, **kwargs)
        address = client_address(request)
        if minutes_locked_out(username, address):
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            failures = record_failure(username, address)
            if failures == settings.LOGIN_FAILURE_LIMIT:
                log_event("login.locked_out", username, address=address, minutes=settings.LOGIN_LOCKOUT_MINUTES)
        else:
            clear_failures(username, address)
        return user


class ThrottledLoginView(LoginView):
    """The login page, which says how long to wait (status 429) while locked out."""

    lockout_template_name = "registration/locked_out.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if username and (minutes := minutes_locked_out(username, client_address(request))):
            return self.locked_out(minutes)
        response = super().post(request, *args, **kwargs)
        # The failure that reached the limit gets the message at once, not on the next try.
        if (
            username
            and response.status_code == 200
            and (minutes := minutes_locked_out(username, client_address(request)))
        ):
            return self.locked_out(minutes)
        return response

    def locked_out(self, minutes: int) -> HttpResponse:
        context = {"message": lockout_message(minutes), "minutes": minutes}
        return render(self.request, self.lockout_template_name, context, status=429)
