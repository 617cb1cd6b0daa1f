"""RSA test keys, a JWKS server and token minting, for services that verify auth's tokens."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class TestKeys:
    __test__ = False  # a helper, not a pytest test class

    issuer: str = "quest-auth"
    audience: str = "quest-platform"
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key())
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk

    def mint(
        self,
        *,
        sub: str | None = None,
        role: str = "player",
        name: str = "tester",
        expires_in: int = 900,
        audience: str | None = None,
        issuer: str | None = None,
        kid: str | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        claims = {
            "sub": sub or str(uuid.uuid4()),
            "role": role,
            "name": name,
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            **extra,
        }
        return jwt.encode(
            claims, self.private_pem, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def headers(self, **claims: Any) -> dict[str, str]:
        """The Authorization header of a request with a token minted from `claims`."""
        return {"Authorization": f"Bearer {self.mint(**claims)}"}


def forge_unsigned(claims: dict[str, Any], kid: str) -> str:
    """A token with `alg: none`: must be refused everywhere."""
    import base64

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    # Built by hand: PyJWT rightly refuses to produce an unsigned token with a key.
    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(claims)}."


class JwksServer:
    """Serves the given keys at `/.well-known/jwks.json` on a free loopback port."""

    def __init__(self, *keys: TestKeys) -> None:
        self.keys = list(keys)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"keys": [k.public_jwk() for k in owner.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/.well-known/jwks.json"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
