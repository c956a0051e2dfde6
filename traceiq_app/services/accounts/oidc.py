"""OpenID Connect single sign-on: the authorization-code flow with PKCE, discovery, and ID token
validation (authlib's JOSE implementation: signature against the provider's JWKS, `iss`, `aud`,
`exp`, `nonce`).

Users are matched by (issuer, subject) first, then by VERIFIED e-mail (`email_verified` true in
the ID token or userinfo), which links the identity to the existing account. Unknown verified
e-mails get an account only with TRACEIQ_OIDC_ALLOW_SIGNUP, joining TRACEIQ_OIDC_DEFAULT_ORG.

The per-login state (state, nonce, PKCE verifier, where to go next) travels in a signed,
10-minute HttpOnly cookie, so any web process can finish a login another one started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import warnings
from typing import Any
from urllib.parse import urlencode

import authlib.deprecate  # noqa: E402,F401 - installs authlib's own "always" filter first
import httpx

with warnings.catch_warnings():
    # authlib 1.x announces joserfc as the successor of authlib.jose; authlib.jose stays
    # supported until authlib 2.0.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.jose.errors import JoseError
from sqlmodel import select

from traceiq_app.db import session_scope
from traceiq_app.models import User, utcnow
from traceiq_app.services.accounts import signing, web_sessions
from traceiq_app.services.accounts.signin import SignInResult
from traceiq_app.services.accounts.users import (
    AccountError,
    create_user_with_org,
    get_user_by_email,
    memberships,
    org_name_from_email,
    touch_login,
)
from traceiq_app.services.platform import audit
from traceiq_app.settings import get_settings

STATE_COOKIE = "tiq_oidc"
STATE_TTL = 600
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class OidcError(Exception):
    """Shown to the user on the sign-in page."""


def redirect_uri() -> str:
    return f"{get_settings().public_url_effective}/api/auth/oidc/callback"


def discovery() -> dict[str, Any]:
    settings = get_settings()
    if not settings.oidc_enabled or not settings.oidc_issuer:
        raise OidcError("single sign-on is not configured")
    issuer = settings.oidc_issuer.rstrip("/")
    cached = _discovery_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        resp = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        resp.raise_for_status()
        doc = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"the sign-on provider could not be reached ({exc.__class__.__name__})") from exc
    if doc.get("issuer", "").rstrip("/") != issuer:
        raise OidcError("the sign-on provider's discovery document names another issuer")
    _discovery_cache[issuer] = (time.monotonic() + 600, doc)
    return doc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def begin_login(next_path: str) -> tuple[str, str]:
    """(URL to send the browser to, value for the STATE_COOKIE)."""
    settings = get_settings()
    doc = discovery()
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = _b64(hashlib.sha256(verifier.encode()).digest())
    params = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri(),
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    cookie = signing.sign("oidc-login", {"s": state, "n": nonce, "v": verifier, "next": next_path}, STATE_TTL)
    return f"{doc['authorization_endpoint']}?{urlencode(params)}", cookie


def _exchange(doc: dict[str, Any], code: str, verifier: str) -> dict[str, Any]:
    settings = get_settings()
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
            "code_verifier": verifier, "client_id": settings.oidc_client_id or ""}
    auth = (settings.oidc_client_id or "", settings.oidc_client_secret or "") if settings.oidc_client_secret else None
    try:
        resp = httpx.post(doc["token_endpoint"], data=data, auth=auth, timeout=15)
    except httpx.HTTPError as exc:
        raise OidcError("the sign-on provider could not be reached") from exc
    if resp.status_code != 200:
        raise OidcError("the sign-on provider refused the sign-in code")
    return dict(resp.json())


def _claims(doc: dict[str, Any], tokens: dict[str, Any], nonce: str) -> dict[str, Any]:
    settings = get_settings()
    id_token = tokens.get("id_token")
    if not id_token:
        raise OidcError("the sign-on provider sent no ID token")
    try:
        jwks = httpx.get(doc["jwks_uri"], timeout=10).json()
        keys = JsonWebKey.import_key_set(jwks)
        claims = jwt.decode(id_token, keys, claims_options={
            "iss": {"essential": True, "value": doc["issuer"]},
            "aud": {"essential": True, "value": settings.oidc_client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
        })
        claims.validate(leeway=60)
    except (JoseError, httpx.HTTPError, ValueError, KeyError) as exc:
        raise OidcError(f"the ID token is not valid ({exc.__class__.__name__})") from exc
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("the ID token does not belong to this sign-in (nonce mismatch)")
    result = dict(claims)
    if ("email" not in result or "email_verified" not in result) and doc.get("userinfo_endpoint") \
            and tokens.get("access_token"):
        try:
            info = httpx.get(doc["userinfo_endpoint"], timeout=10,
                             headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
        except (httpx.HTTPError, ValueError):
            info = {}
        if info.get("sub") == result["sub"]:
            result.setdefault("email", info.get("email"))
            result.setdefault("email_verified", info.get("email_verified"))
            result.setdefault("name", info.get("name"))
    return result


def complete_login(params: dict[str, str], state_cookie: str | None, *, ip: str | None = None,
                   user_agent: str | None = None) -> tuple[SignInResult, str]:
    """Finish the flow at the callback; returns the new session and the path to go to."""
    if params.get("error"):
        raise OidcError(f"the sign-on provider refused: {params.get('error_description') or params['error']}")
    if not state_cookie:
        raise OidcError("the sign-in took too long or cookies are blocked; try again")
    try:
        saved = signing.unsign("oidc-login", state_cookie)
    except signing.BadSignature:
        raise OidcError("the sign-in took too long; try again") from None
    if not hmac.compare_digest(str(params.get("state", "")), str(saved["s"])):
        raise OidcError("the sign-in response does not match this browser's request (state mismatch)")
    code = params.get("code")
    if not code:
        raise OidcError("the sign-on provider sent no code")
    doc = discovery()
    claims = _claims(doc, _exchange(doc, code, saved["v"]), saved["n"])
    return _sign_in_claims(doc["issuer"], claims, ip=ip, user_agent=user_agent), str(saved.get("next") or "/")


def _sign_in_claims(issuer: str, claims: dict[str, Any], *, ip: str | None, user_agent: str | None) -> SignInResult:
    settings = get_settings()
    subject = str(claims["sub"])
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") is True or str(claims.get("email_verified")).lower() == "true"
    with session_scope() as session:
        user = session.exec(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)).first()
        if user is None:
            if not email or not verified:
                raise OidcError("your sign-on account has no verified e-mail address")
            user = get_user_by_email(session, email)
            if user is not None and user.oidc_subject and user.oidc_issuer == issuer:
                raise OidcError("this e-mail is linked to another sign-on account")
            if user is None:
                if not settings.oidc_allow_signup:
                    raise OidcError(f"no TraceIQ account uses {email}; ask an admin for an invitation")
                org_name = settings.oidc_default_org or org_name_from_email(email)
                try:
                    user, _org, _role = create_user_with_org(
                        email, None, org_name, display_name=str(claims.get("name") or "") or None,
                        join_existing=bool(settings.oidc_default_org), session=session, verified=True)
                except AccountError as exc:
                    raise OidcError(str(exc)) from exc
            user.oidc_issuer, user.oidc_subject = issuer, subject
            if user.email_verified_at is None:  # the provider vouched for this address
                user.email_verified_at = utcnow()
            session.add(user)
        if not user.is_active:
            raise OidcError("this account is deactivated")
        touch_login(session, user)
        cookie = web_sessions.create_session(session, user, ip=ip, user_agent=user_agent)
        for m in memberships(session, user.id):
            audit.record(session, org_id=m.org_id, action="auth.login", actor=None, actor_label=user.email,
                         object_type="user", object_id=str(user.id), details={"method": "oidc"}, ip=ip)
        return SignInResult(user.id, user.email, cookie)
