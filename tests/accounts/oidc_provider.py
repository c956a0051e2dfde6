"""A tiny OpenID Connect provider for tests, on loopback: discovery, an authorize endpoint that
signs in `provider.user` at once (no login form), a token endpoint (client secret + PKCE S256),
JWKS, userinfo. ID tokens are RS256 JWTs made with authlib's JOSE."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.jose import JsonWebKey, jwt

from tests.support.processes import free_port


class OidcProvider:
    def __init__(self, client_id: str = "traceiq", client_secret: str = "s3cret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.rogue_key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.user: dict[str, Any] = {"sub": "u-1", "email": "alice@acme.test", "email_verified": True}
        self.sign_with_rogue_key = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> OidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _id_token(self, info: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": info["nonce"], **info["user"]}
        key = self.rogue_key if self.sign_with_rogue_key else self.key
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return token.decode() if isinstance(token, bytes) else str(token)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    iss = provider.issuer
                    return self._json({"issuer": iss, "authorization_endpoint": f"{iss}/authorize",
                                       "token_endpoint": f"{iss}/token", "jwks_uri": f"{iss}/jwks",
                                       "userinfo_endpoint": f"{iss}/userinfo",
                                       "response_types_supported": ["code"],
                                       "code_challenge_methods_supported": ["S256"]})
                if url.path == "/jwks":
                    return self._json({"keys": [provider.key.as_dict(is_private=False)]})
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        return self._json({"error": "invalid_request"}, 400)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce"), "challenge": query.get("code_challenge"),
                                            "redirect_uri": query["redirect_uri"], "user": dict(provider.user)}
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                return self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(f"{provider.client_id}:{provider.client_secret}".encode()).decode()
                if auth != expected:
                    return self._json({"error": "invalid_client"}, 401)
                info = provider.codes.pop(form.get("code", ""), None)
                if info is None or form.get("redirect_uri") != info["redirect_uri"]:
                    return self._json({"error": "invalid_grant"}, 400)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if challenge != info["challenge"]:
                    return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                return self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                   "id_token": provider._id_token(info), "expires_in": 300})

        return Handler
