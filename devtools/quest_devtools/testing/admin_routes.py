"""The admin write routes of a service, found from the outside: a test of the audit asks for
them, so that a new admin route cannot slip by unaudited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping

from fastapi.testclient import TestClient

WRITE_METHODS = ("post", "put", "patch", "delete")
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def admin_write_routes(
    client: TestClient,
    player_headers: dict[str, str],
    *,
    under: str = "/",
    skip: Collection[str] = (),
    path_values: Mapping[str, str] | None = None,
) -> set[str]:
    """Every write route under `under` (but those in `skip`) that refuses a player with "Admin
    role required", read from the OpenAPI document and confirmed by calling it with the player's
    headers; as `"METHOD /path/{parameter}"`. Path parameters take their value from
    `path_values`, or a fresh UUID."""
    values = path_values or {}
    found: set[str] = set()
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if not path.startswith(under) or path in skip:
            continue
        for method in operations:
            if method not in WRITE_METHODS:
                continue
            concrete = _PATH_PARAMETER.sub(lambda m: values.get(m[1], str(uuid.uuid4())), path)
            response = client.request(method.upper(), concrete, json={}, headers=player_headers)
            if response.status_code == 403 and response.json()["detail"] == "Admin role required":
                found.add(f"{method.upper()} {path}")
    return found
