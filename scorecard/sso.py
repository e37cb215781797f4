"""Single sign-on through OpenID Connect (Microsoft Entra ID), on when OIDC_RP_CLIENT_ID is set.

Imported only when single sign-on is on (settings and urls check OIDC_ENABLED first), so
with it off nothing of mozilla-django-oidc is loaded and local accounts work as before.

People are found by their email address, ignoring case. Someone signing in for the first
time gets an account with no role (or OIDC_DEFAULT_ROLE) and no password; the MI team then
gives them a role at /people/. A switched-off account can't sign in, and its open sessions end.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group, User
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.urls import URLPattern, path
from mozilla_django_oidc import urls as oidc_urls
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .audit_log import log_event

USERNAME_MAX_LENGTH = 150


def email_from_claims(claims: dict[str, Any]) -> str:
    return str(claims.get("email") or "").strip()


def full_name_from_claims(claims: dict[str, Any]) -> tuple[str, str]:
    """(first name, last name): given_name/family_name, else the display name split at its first space."""
    first, last = str(claims.get("given_name") or "").strip(), str(claims.get("family_name") or "").strip()
    if not first and not last:
        first, _, last = str(claims.get("name") or "").strip().partition(" ")
    return first[:150], last[:150]


def free_username(email: str) -> str:
    """The email address in lower case as the username, with -2, -3… if (ignoring case) it is taken."""
    base = email.lower()[:USERNAME_MAX_LENGTH]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
    return candidate


class ScorecardOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people by email and creating them without a role."""

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = email_from_claims(claims)
        if not email:
            return self.UserModel.objects.none()
        # Switched-off accounts match too: the callback then refuses them, rather than a new account being made.
        return self.UserModel.objects.filter(email__iexact=email)

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        email = email_from_claims(claims)
        first_name, last_name = full_name_from_claims(claims)
        # No password argument: the account gets an unusable one and signs in through single sign-on only.
        user = self.UserModel.objects.create_user(
            free_username(email), email=email, first_name=first_name, last_name=last_name
        )
        role = settings.OIDC_DEFAULT_ROLE
        if role:
            user.groups.add(Group.objects.get(name=role))
        log_event("user.created", user, target=user.username, roles=[role] if role else [], source="sso")
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """Keep the name in step with the directory; the email is how we found them, so it stays."""
        first_name, last_name = full_name_from_claims(claims)
        if (first_name or last_name) and (user.first_name, user.last_name) != (first_name, last_name):
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks signature and nonce; this also checks the token was issued to us, by our tenant."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another application.")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token was issued by another tenant.")
        return payload

    def get_user(self, user_id: int) -> User | None:
        # The library's get_user skips the is_active check: use Django's, so switching an account off
        # ends its sessions.
        return ModelBackend.get_user(self, user_id)


def oidc_urlpatterns() -> list[URLPattern]:
    """mozilla-django-oidc's URLs (authenticate, callback, logout), open to people not signed in yet.

    LoginRequiredMiddleware would otherwise send the provider's callback to the login page.
    """
    patterns = []
    for pattern in oidc_urls.urlpatterns:
        patterns.append(path(str(pattern.pattern), login_not_required(pattern.callback), name=pattern.name))
    return patterns
