"""The gateway routes: compose labels and native routes route exactly DESIGN §3, and agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from quest_devtools.devstack import GATEWAY_ROUTERS


def _summary(routers: list[Any]) -> set[tuple[Any, ...]]:
    return {(r.name, r.rule, r.service, r.priority, r.middlewares, r.entrypoints) for r in routers}


def test_labels_route_the_design_prefixes_to_the_right_service_and_port(
    label_routers: list[Any],
    label_backends: dict[str, tuple[str, int]],
    design_routes: dict[str, str | None],
    compose_backends: dict[str, tuple[str, int]],
    route_of: Callable[[list[Any], str], Any],
) -> None:
    for path, expected in design_routes.items():
        router = route_of(label_routers, path)
        if expected is None:
            assert router is None, f"{path} must not be routed (got {router and router.name})"
            continue
        assert router is not None, f"{path} is not routed"
        assert router.service == expected, f"{path} → {router.service}, expected {expected}"
        assert label_backends[router.service] == compose_backends[expected], path


def test_nothing_under_internal_is_routed(
    label_routers: list[Any],
    native_routers: list[Any],
    route_of: Callable[[list[Any], str], Any],
) -> None:
    for routers in (label_routers, native_routers):
        for path in ("/internal", "/internal/", "/internal/wallet/credits", "/internal/x/y"):
            assert route_of(routers, path) is None, path
        assert not any("/internal" in r.rule and "!" not in r.rule for r in routers)


def test_login_route_is_rate_limited_and_every_route_has_security_headers(
    label_routers: list[Any], route_of: Callable[[list[Any], str], Any]
) -> None:
    login = route_of(label_routers, "/api/auth/login/access-token")
    assert "login-ratelimit@file" in login.middlewares
    other = route_of(label_routers, "/api/auth/users/me")
    assert "login-ratelimit@file" not in other.middlewares
    for router in label_routers:
        assert "security-headers@file" in router.middlewares, router.name
        assert "retry@file" in router.middlewares, router.name
        assert router.entrypoints == ("web",), router.name


def test_label_routes_equal_native_routes(
    label_routers: list[Any], native_routers: list[Any]
) -> None:
    assert _summary(label_routers) == _summary(native_routers)
    assert {r.name for r in native_routers} == GATEWAY_ROUTERS


def test_native_routes_point_at_loopback_ports(native_routes: dict[str, Any]) -> None:
    servers = {
        name: [s["url"] for s in service["loadBalancer"]["servers"]]
        for name, service in native_routes["http"]["services"].items()
    }
    assert servers == {
        "auth": ["http://127.0.0.1:18001"],
        "catalog": ["http://127.0.0.1:18002"],
        "processing": ["http://127.0.0.1:18003"],
        "frontend": ["http://127.0.0.1:18004"],
    }


def test_middlewares_referenced_exist_in_the_one_shared_file(
    repo_root: Path, label_routers: list[Any], native_routers: list[Any]
) -> None:
    shared = yaml.safe_load((repo_root / "traefik" / "dynamic" / "middlewares.yml").read_text())
    defined = {f"{name}@file" for name in shared["http"]["middlewares"]}
    used = {m for r in [*label_routers, *native_routers] for m in r.middlewares}
    assert used == defined
    # SSE must stream: no compress middleware at all, and the buffering body limit on every
    # router except the stream's own.
    kinds = {k for spec in shared["http"]["middlewares"].values() for k in spec}
    assert "compress" not in kinds
    assert shared["http"]["middlewares"]["body-limit"]["buffering"]["maxRequestBodyBytes"] == (
        1024 * 1024
    )
    # Middlewares live in one file only.
    elsewhere = [
        p
        for p in (repo_root / "traefik").rglob("*")
        if p.is_file() and p.name != "middlewares.yml" and "\n  middlewares:\n" in p.read_text()
    ]
    assert not elsewhere, elsewhere


def test_every_router_but_the_sse_stream_caps_request_bodies(
    label_routers: list[Any], native_routers: list[Any], route_of: Callable[[list[Any], str], Any]
) -> None:
    for routers in (label_routers, native_routers):
        stream = route_of(routers, "/api/processing/notifications/stream")
        assert stream.service == "processing"
        assert "body-limit@file" not in stream.middlewares
        for router in routers:
            if router is not stream:
                assert "body-limit@file" in router.middlewares, router.name
        # Only the exact stream path escapes the limit.
        other = route_of(routers, "/api/processing/notifications/stream/x")
        assert "body-limit@file" in other.middlewares
