"""A client for auth's `/internal` routes: one cached client-credentials service token, shared
by the threads of a process, renewed before it expires and fetched again once on a 401."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

# Renewed this long before it expires, so a token never runs out in flight.
RENEW_BEFORE_S = 30


class ServiceTokenClient:
    """POSTs to auth's `/internal` routes as the service `client_id`."""

    def __init__(
        self, *, auth_url: str, client_id: str, client_secret: str, timeout_s: float = 3.0
    ) -> None:
        self.auth_url = auth_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._client = httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    def close(self) -> None:
        self._client.close()

    def _service_token(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            response = self._client.post(
                f"{self.auth_url}/internal/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            response.raise_for_status()
            body = response.json()
            self._token = str(body["access_token"])
            expires_in = int(body.get("expires_in", 300))
            self._token_expires = time.monotonic() + max(expires_in - RENEW_BEFORE_S, 5)
            return self._token

    def post(self, path: str, *, json: dict[str, Any]) -> httpx.Response:
        """POST `json` to `path` with the service token. A 401 (the token expired or the key
        rotated) fetches a fresh token and tries once more; the second answer is returned as is.
        Raises `httpx.HTTPError` when auth cannot be reached or refuses the credentials."""
        response = self._send(path, json)
        if response.status_code == 401:
            self._token = None
            response = self._send(path, json)
        return response

    def _send(self, path: str, json: dict[str, Any]) -> httpx.Response:
        return self._client.post(
            f"{self.auth_url}{path}",
            json=json,
            headers={"Authorization": f"Bearer {self._service_token()}"},
        )
