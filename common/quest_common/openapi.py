"""Public OpenAPI documents describe public routes only (DESIGN §12).

`/internal/...` exists only on the private network and the ops routes are never routed by the
gateway: listing them in the public document would tell every visitor what lies behind it.
Filtering the generated document (rather than flagging routes one by one) also covers a
private route added later by someone who forgot the flag.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

PRIVATE_PREFIXES = ("/internal", "/healthz", "/readyz", "/metrics")


def public_paths(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        path: spec
        for path, spec in paths.items()
        if not any(path == p or path.startswith(p + "/") for p in PRIVATE_PREFIXES)
    }


def publish_public_routes_only(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema["paths"] = public_paths(schema.get("paths", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
