"""A tiny OpenID Connect provider on loopback, for the login e2e test (not for anything else).

Serves discovery, JWKS, an authorize endpoint that logs in ``provider.next_user`` at once (no
login form) and a token endpoint that returns an RS256-signed ID token with the nonce from the
authorize request. Checks what a real provider checks and a broken client would get wrong:
client id and secret, redirect URI, one-time codes.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


class FakeOIDC:
    """``with FakeOIDC(client_id, client_secret, redirect_uri) as idp: idp.next_user = {...}``."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str):
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.key = RSAKey.generate_key(2048, parameters={"kid": "fake-1", "use": "sig", "alg": "RS256"})
        self.next_user: dict = {}
        self.codes: dict[str, dict] = {}
        self.requests: list[str] = []  # paths asked, for assertions
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def __enter__(self) -> FakeOIDC:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, nonce: str | None, user: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "sub": user.get("email", "anonym"),
            **user,
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "fake-1"}, claims, self.key)

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                idp.requests.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, idp.metadata())
                if url.path == "/jwks":
                    return self._json(200, {"keys": [idp.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    if query.get("client_id") != idp.client_id or query.get("redirect_uri") != idp.redirect_uri:
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = {"nonce": query.get("nonce"), "user": dict(idp.next_user)}
                    target = f"{idp.redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                return self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                idp.requests.append(url.path)
                if url.path != "/token":
                    return self._json(404, {"error": "not_found"})
                body = {
                    k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
                }
                client_id, client_secret = body.get("client_id"), body.get("client_secret")
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
                if (client_id, client_secret) != (idp.client_id, idp.client_secret):
                    return self._json(401, {"error": "invalid_client"})
                grant = idp.codes.pop(body.get("code", ""), None)  # one-time codes
                if grant is None or body.get("redirect_uri") != idp.redirect_uri:
                    return self._json(400, {"error": "invalid_grant"})
                return self._json(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": idp.id_token(grant["nonce"], grant["user"]),
                    },
                )

        return Handler
