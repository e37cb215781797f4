"""Single sign-on through OpenID Connect: off by default (nothing loaded), on by settings.

No network: the provider's token and userinfo answers are stood in for, and ID tokens are
signed here with HS256 (the client secret) so the library's real verification runs.
"""

from __future__ import annotations

import html
import importlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import clear_url_caches, set_urlconf

from scorecard.roles import MEMBERS, OFFICERS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "scorecard-client"
SECRET = "a-client-secret-of-thirty-two-bytes-or-more"
ISSUER = "https://login.example.org/tenant/v2.0"
CLAIMS = {"email": "Jo.Bloggs@Council.gov.uk", "given_name": "Jo", "family_name": "Bloggs", "sub": "abc"}


def reload_urls() -> None:
    import scorecard.urls

    importlib.reload(scorecard.urls)
    clear_url_caches()
    set_urlconf(None)


@pytest.fixture
def oidc_on(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Single sign-on switched on, as settings.py does when OIDC_RP_CLIENT_ID is set."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"  # signed with the secret here; RS256 with Entra's keys in real use
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.example.org/tenant/oauth2/v2.0/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://login.example.org/tenant/oauth2/v2.0/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://login.example.org/oidc/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://login.example.org/tenant/discovery/v2.0/keys"
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_DEFAULT_ROLE = ""
    settings.OIDC_USE_PKCE = True
    settings.LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
    settings.AUTHENTICATION_BACKENDS = [
        "scorecard.throttle.ThrottledModelBackend",
        "scorecard.sso.ScorecardOIDCBackend",
    ]
    reload_urls()
    yield
    settings.OIDC_ENABLED = False
    reload_urls()


def backend():  # type: ignore[no-untyped-def]
    from scorecard.sso import ScorecardOIDCBackend

    return ScorecardOIDCBackend()


def id_token(nonce: str | None, **overrides: object) -> str:
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "abc", "nonce": nonce, "exp": int(time.time()) + 300} | overrides
    return jwt.encode(claims, SECRET, algorithm="HS256")


# --- off (the default) ------------------------------------------------------------------------------------------


def test_with_single_sign_on_off_nothing_of_it_is_loaded() -> None:
    script = (
        "import sys, django; django.setup(); import scorecard.urls; from django.conf import settings; "
        "print(any(name.startswith('mozilla_django_oidc') for name in sys.modules), settings.AUTHENTICATION_BACKENDS)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "scorecard.settings", "PATH": "/usr/bin:/bin", "OIDC_RP_CLIENT_ID": ""}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False ['scorecard.throttle.ThrottledModelBackend']"


def test_with_single_sign_on_off_its_urls_are_absent_and_local_login_works(client: Client, officer: User) -> None:
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b"Sign in with Microsoft" not in page.content
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get("/editions/").status_code == 200


# --- settings.py turns it on from the environment --------------------------------------------------------------


def settings_from(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.OIDC_OP_AUTHORIZATION_ENDPOINT); print(s.OIDC_OP_TOKEN_ENDPOINT); print(s.OIDC_OP_JWKS_ENDPOINT); "
        "print(s.OIDC_OP_ISSUER); print(s.AUTHENTICATION_BACKENDS)"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "scorecard.settings", "PATH": "/usr/bin:/bin", **env},
    )


def test_an_entra_tenant_id_gives_the_endpoints() -> None:
    tenant = "0f1e2d3c-aaaa-bbbb-cccc-123456789abc"
    result = settings_from(
        {"OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": SECRET, "OIDC_ENTRA_TENANT_ID": tenant}
    )
    assert result.returncode == 0, result.stderr
    base = f"https://login.microsoftonline.com/{tenant}"
    assert result.stdout.splitlines() == [
        f"{base}/oauth2/v2.0/authorize",
        f"{base}/oauth2/v2.0/token",
        f"{base}/discovery/v2.0/keys",
        f"{base}/v2.0",
        "['scorecard.throttle.ThrottledModelBackend', 'scorecard.sso.ScorecardOIDCBackend']",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_RP_CLIENT_ID": CLIENT_ID}, "also needs OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION_ENDPOINT"),
        (
            {
                "OIDC_RP_CLIENT_ID": CLIENT_ID,
                "OIDC_RP_CLIENT_SECRET": SECRET,
                "OIDC_ENTRA_TENANT_ID": "t",
                "OIDC_DEFAULT_ROLE": "Admins",
            },
            "OIDC_DEFAULT_ROLE must be one of MI team, Officers, Members",
        ),
    ],
)
def test_incomplete_settings_stop_the_start_with_a_clear_message(env: dict[str, str], message: str) -> None:
    result = settings_from(env)
    assert result.returncode != 0
    assert message in result.stderr


# --- on: the backend ----------------------------------------------------------------------------------------


def test_a_newcomer_gets_an_account_with_no_role_and_no_password(oidc_on: None) -> None:
    user = backend().create_user(CLAIMS)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "jo.bloggs@council.gov.uk",
        "Jo.Bloggs@council.gov.uk",
        "Jo",
        "Bloggs",
    )  # Django lowers the domain
    assert not user.groups.exists()
    assert not user.has_usable_password()
    assert not user.has_perm("scorecard.view_published")


def test_oidc_default_role_gives_newcomers_that_role(oidc_on: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OIDC_DEFAULT_ROLE = MEMBERS
    user = backend().create_user(CLAIMS | {"given_name": "", "family_name": "", "name": "Jo van Bloggs"})
    assert list(user.groups.values_list("name", flat=True)) == [MEMBERS]
    assert (user.first_name, user.last_name) == ("Jo", "van Bloggs")


def test_a_newcomers_username_never_clashes(oidc_on: None) -> None:
    User.objects.create_user("JO.BLOGGS@council.gov.uk")
    assert backend().create_user(CLAIMS).username == "jo.bloggs@council.gov.uk-2"


def test_people_are_found_by_email_ignoring_case(oidc_on: None, officer: User) -> None:
    officer.email = "jo.bloggs@council.gov.uk"
    officer.save(update_fields=["email"])
    assert list(backend().filter_users_by_claims(CLAIMS)) == [officer]
    assert not backend().filter_users_by_claims({"email": "someone.else@council.gov.uk"}).exists()
    assert not backend().filter_users_by_claims({"sub": "no-email"}).exists()


def test_signing_in_keeps_the_name_in_step_and_the_roles_as_they_are(oidc_on: None, officer: User) -> None:
    user = backend().update_user(officer, CLAIMS)
    officer.refresh_from_db()
    assert (officer.first_name, officer.last_name) == ("Jo", "Bloggs")
    assert user == officer and list(officer.groups.values_list("name", flat=True)) == [OFFICERS]


def test_id_tokens_for_another_application_or_tenant_are_refused(oidc_on: None) -> None:
    assert backend().verify_token(id_token("n1"), nonce="n1")["sub"] == "abc"
    with pytest.raises(SuspiciousOperation, match="another application"):
        backend().verify_token(id_token("n1", aud="someone-elses-app"), nonce="n1")
    with pytest.raises(SuspiciousOperation, match="another tenant"):
        backend().verify_token(id_token("n1", iss="https://login.example.org/other/v2.0"), nonce="n1")
    with pytest.raises(SuspiciousOperation):
        backend().verify_token(id_token("n1"), nonce="a-different-nonce")


def test_a_switched_off_account_has_no_session(oidc_on: None, officer: User) -> None:
    assert backend().get_user(officer.pk) == officer
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert backend().get_user(officer.pk) is None


# --- on: the whole round trip through the login page, the provider and the callback -----------------------------


def sign_in(client: Client, claims: dict[str, object]):  # type: ignore[no-untyped-def]
    """Follow the button to the provider, then come back to the callback as the provider would send us."""
    start = client.get("/oidc/authenticate/?next=/editions/")
    assert start.status_code == 302
    sent = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith("https://login.example.org/tenant/oauth2/v2.0/authorize?")
    assert sent["client_id"] == [CLIENT_ID] and sent["code_challenge_method"] == ["S256"]
    assert sent["redirect_uri"] == ["http://testserver/oidc/callback/"]
    token = {"id_token": id_token(sent["nonce"][0]), "access_token": "access"}
    with (
        mock.patch("scorecard.sso.ScorecardOIDCBackend.get_token", return_value=token),
        mock.patch("scorecard.sso.ScorecardOIDCBackend.get_userinfo", return_value=claims),
    ):
        return client.get(f"/oidc/callback/?code=the-code&state={sent['state'][0]}")


def test_the_login_page_offers_microsoft_and_still_takes_passwords(
    oidc_on: None, client: Client, officer: User
) -> None:
    page = client.get("/accounts/login/?next=/editions/")
    assert page.status_code == 200
    assert 'href="/oidc/authenticate/?next=/editions/">Sign in with Microsoft</a>' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw-for-tests"})
    assert response.status_code == 302
    assert client.get("/editions/").status_code == 200


def test_an_existing_person_signs_in_with_microsoft(oidc_on: None, client: Client, officer: User) -> None:
    officer.email = "jo.bloggs@council.gov.uk"
    officer.save(update_fields=["email"])
    response = sign_in(client, CLAIMS)
    assert response.status_code == 302 and response["Location"] == "/editions/"
    assert client.get("/editions/").status_code == 200
    assert int(client.session["_auth_user_id"]) == officer.pk
    assert User.objects.count() == 1


def test_a_newcomer_signs_in_and_waits_for_a_role(oidc_on: None, client: Client, mi_user: User) -> None:
    response = sign_in(client, CLAIMS)
    assert response.status_code == 302
    newcomer = User.objects.get(email__iexact="jo.bloggs@council.gov.uk")
    assert int(client.session["_auth_user_id"]) == newcomer.pk
    refused = client.get("/")
    assert refused.status_code == 403
    assert "ask the MI team" in html.unescape(refused.content.decode())
    # The MI team gives them a role at /people/, and in they go.
    mi = Client()
    mi.force_login(mi_user)
    assert (
        mi.post(
            f"/people/{newcomer.pk}/",
            {"first_name": "Jo", "last_name": "Bloggs", "email": newcomer.email, "roles": [OFFICERS]},
        ).status_code
        == 302
    )
    assert client.get("/editions/").status_code == 200


def test_a_switched_off_account_cannot_sign_in_with_microsoft(oidc_on: None, client: Client, officer: User) -> None:
    officer.email = "jo.bloggs@council.gov.uk"
    officer.is_active = False
    officer.save(update_fields=["email", "is_active"])
    response = sign_in(client, CLAIMS)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?sso=failed"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 1  # no second account made for them
    page = client.get(response["Location"])
    assert "Signing in with Microsoft did not work" in page.content.decode()


def test_the_callback_without_a_code_goes_back_to_the_login_page(oidc_on: None, client: Client) -> None:
    response = client.get("/oidc/callback/?error=access_denied")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?sso=failed"
