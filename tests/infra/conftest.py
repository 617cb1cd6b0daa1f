"""Fixtures of the infrastructure tests: the compose file, the native routes, Traefik rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from quest_devtools.devstack import REPO_ROOT, render_native_routes

# DESIGN §3: which logical service serves each sample path through the gateway (None: nothing).
DESIGN_ROUTES: dict[str, str | None] = {
    "/api/auth/login/access-token": "auth",
    "/api/auth/login/refresh": "auth",
    "/api/auth/signup": "auth",
    "/api/auth/users/me": "auth",
    "/api/auth/.well-known/jwks.json": "auth",
    "/api/catalog/quests": "catalog",
    "/api/catalog/rewards/by-name/x": "catalog",
    "/api/processing/me/quests": "processing",
    "/api/processing/notifications/stream": "processing",
    "/": "frontend",
    "/quests": "frontend",
    "/admin/quests/new": "frontend",
    "/internal/wallet/credits": None,
    "/internal/oauth/token": None,
    "/internal": None,
    # Unknown API paths get the gateway's own 404, never the SPA (nor Vite, which would loop).
    "/api/nope": None,
    "/api/": None,
    "/api": None,
    "/api/authx/y": None,
}

# Compose service (and its container port) behind each logical gateway service.
COMPOSE_BACKENDS: dict[str, tuple[str, int]] = {
    "auth": ("auth-service", 8000),
    "catalog": ("catalog-service", 8000),
    "processing": ("processing-service", 8000),
    "frontend": ("frontend", 8080),
}

_MATCHER = re.compile(r"^(!?)\s*(Path|PathPrefix)\(`([^`]*)`\)$")


@dataclass(frozen=True)
class Router:
    name: str
    rule: str
    service: str
    priority: int
    middlewares: tuple[str, ...]
    entrypoints: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Evaluate the subset of Traefik's rule language the routes use (`&&`, `!`, Path,
        PathPrefix); anything else fails loudly so a new construct gets a conscious test."""
        for term in self.rule.split("&&"):
            found = _MATCHER.match(term.strip())
            if found is None:
                raise AssertionError(f"router {self.name}: unsupported rule term {term!r}")
            negated, kind, value = found.groups()
            hit = path == value if kind == "Path" else path.startswith(value)
            if hit == bool(negated):
                return False
        return True


def route(routers: list[Router], path: str) -> Router | None:
    """The router Traefik picks: the highest priority among the matching ones."""
    matching = sorted((r for r in routers if r.matches(path)), key=lambda r: -r.priority)
    if len(matching) > 1:
        assert matching[0].priority != matching[1].priority, f"ambiguous routes for {path}"
    return matching[0] if matching else None


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def compose(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(repo_root / "docker-compose.yml")
    return data


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@pytest.fixture(scope="session")
def label_routers(compose: dict[str, Any]) -> list[Router]:
    """Routers declared by the traefik.* labels, with the compose service behind each."""
    routers: list[Router] = []
    for service_name, service in compose["services"].items():
        labels = service.get("labels") or {}
        assert isinstance(labels, dict), f"{service_name}: write labels as a mapping"
        names = {key.split(".")[3] for key in labels if key.startswith("traefik.http.routers.")}
        for name in sorted(names):
            prefix = f"traefik.http.routers.{name}."
            routers.append(
                Router(
                    name=name,
                    rule=labels[prefix + "rule"],
                    service=labels[prefix + "service"],
                    priority=int(labels.get(prefix + "priority", 0)),
                    middlewares=_split(labels.get(prefix + "middlewares")),
                    entrypoints=_split(labels.get(prefix + "entrypoints")),
                )
            )
    return routers


@pytest.fixture(scope="session")
def label_backends(compose: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """Traefik service name → (compose service, port) from the loadbalancer labels."""
    backends: dict[str, tuple[str, int]] = {}
    for service_name, service in compose["services"].items():
        for key, value in (service.get("labels") or {}).items():
            found = re.fullmatch(
                r"traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port", key
            )
            if found:
                assert found.group(1) not in backends, f"{found.group(1)} defined twice"
                backends[found.group(1)] = (service_name, int(value))
    return backends


NATIVE_URLS = {
    "auth_url": "http://127.0.0.1:18001",
    "catalog_url": "http://127.0.0.1:18002",
    "processing_url": "http://127.0.0.1:18003",
    "frontend_url": "http://127.0.0.1:18004",
}


@pytest.fixture(scope="session")
def native_routes() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(render_native_routes(**NATIVE_URLS))
    return data


@pytest.fixture(scope="session")
def native_routers(native_routes: dict[str, Any]) -> list[Router]:
    return [
        Router(
            name=name,
            rule=router["rule"],
            service=router["service"],
            priority=int(router.get("priority", 0)),
            middlewares=tuple(router.get("middlewares", ())),
            entrypoints=tuple(router.get("entryPoints", ())),
        )
        for name, router in native_routes["http"]["routers"].items()
    ]


@pytest.fixture(scope="session")
def route_of() -> Callable[[list[Router], str], Router | None]:
    return route


@pytest.fixture(scope="session")
def design_routes() -> dict[str, str | None]:
    return DESIGN_ROUTES


@pytest.fixture(scope="session")
def compose_backends() -> dict[str, tuple[str, int]]:
    return COMPOSE_BACKENDS
