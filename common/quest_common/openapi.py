"""Public OpenAPI documents describe public routes only (DESIGN §12), and say what they answer.

`/internal/...` exists only on the private network and the ops routes are never routed by the
gateway: listing them in the public document would tell every visitor what lies behind it.
Filtering the generated document (rather than flagging routes one by one) also covers a
private route added later by someone who forgot the flag.

The refusals of a route's dependencies (401 without a valid token, 403 for a non-admin, ...) are
documented from the dependencies themselves: a dependency declares them once
(`declare_refusals`), and every route that uses it, directly or through another dependency or its
router, has them in the document. A route added tomorrow is documented right without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

# dependency → {status: description}
_DEPENDENCY_REFUSALS: dict[Callable[..., Any], dict[int, str]] = {}


def declare_refusals(dependency: Callable[..., Any], refusals: dict[int, str]) -> None:
    """`dependency` can answer these statuses instead of letting the route run: documented on
    every route that depends on it."""
    _DEPENDENCY_REFUSALS.setdefault(dependency, {}).update(refusals)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every API route of `app` as mounted (prefix and router dependencies included)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def dependency_refusals(route: Any) -> dict[int, str]:
    """The statuses the route's dependencies (all of them, however deep) declared."""
    found: dict[int, list[str]] = {}
    for call in _calls(route.dependant):
        for status, description in _DEPENDENCY_REFUSALS.get(call, {}).items():
            if description not in found.setdefault(status, []):
                found[status].append(description)
    return {status: "; or ".join(found[status]) for status in sorted(found)}


def document_dependency_refusals(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add each route's dependency refusals to its operation (a status the route documents
    itself keeps the route's own description)."""
    paths = schema.get("paths", {})
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        refusals = dependency_refusals(route)
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in refusals.items():
                responses.setdefault(str(status), {"description": description})


PRIVATE_PREFIXES = ("/internal", "/healthz", "/readyz", "/metrics")


def public_paths(paths: dict[str, Any]) -> dict[str, Any]:
    return {
        path: spec
        for path, spec in paths.items()
        if not any(path == p or path.startswith(p + "/") for p in PRIVATE_PREFIXES)
    }


def declare_password_flow(schema: dict[str, Any], token_url: str) -> None:
    """Name the route that issues bearer tokens for a user name and password (OAuth2's password
    flow): clients and tools then know a 400 there is a wrong password, not a malformed request,
    and the interactive docs can sign in."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["OAuth2Password"] = {
        "type": "oauth2",
        "flows": {"password": {"tokenUrl": token_url, "scopes": {}}},
    }


def publish_public_routes_only(app: FastAPI, *, password_token_url: str | None = None) -> None:
    """The app's document: public routes only, each with its dependencies' refusals, and (on the
    service that has one) the password flow's token URL."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            document_dependency_refusals(app, schema)
            if password_token_url is not None:
                declare_password_flow(schema, password_token_url)
            schema["paths"] = public_paths(schema.get("paths", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
