"""What a route's dependencies refuse is in its OpenAPI operation without the route saying it,
and a 405 names every method the path has."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient

from quest_common.errors import install_error_handlers
from quest_common.openapi import declare_refusals, publish_public_routes_only
from quest_common.security import PLAYER_LANE_REFUSAL, admin_claims, current_claims


def _teapot_guard() -> None:
    raise HTTPException(418, "no coffee")


declare_refusals(_teapot_guard, {418: "I'm a teapot"})


def _nested(_: Annotated[None, Depends(_teapot_guard)]) -> None:
    return None


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    publish_public_routes_only(app)
    admin = APIRouter(prefix="/api/x/admin", dependencies=[Depends(admin_claims)])
    players = APIRouter(prefix="/api/x")

    @admin.delete("/things/{thing_id}", status_code=204)
    def delete_thing(thing_id: int) -> None:
        return None

    @players.get("/things/{thing_id}")
    def read_thing(thing_id: int, _: Annotated[Any, Depends(current_claims)]) -> int:
        return thing_id

    @players.patch("/things/{thing_id}", responses={401: {"description": "Our own words"}})
    def patch_thing(thing_id: int, _: Annotated[Any, Depends(current_claims)]) -> int:
        return thing_id

    @players.get("/tea")
    def tea(_: Annotated[None, Depends(_nested)]) -> str:
        return "tea"

    @players.get("/public")
    def public() -> str:
        return "hello"

    app.include_router(admin)
    app.include_router(players)
    return app


def test_refusals_come_from_the_dependencies_however_deep() -> None:
    paths = _app().openapi()["paths"]
    # Through the router's dependencies: admin_claims (403) over current_claims (401).
    assert {"401", "403"} <= set(paths["/api/x/admin/things/{thing_id}"]["delete"]["responses"])
    read = paths["/api/x/things/{thing_id}"]["get"]["responses"]
    # A plain signed-in read: 401, and the only 403 is the client lane's, not the admin's.
    assert read["401"] and read["403"]["description"] == PLAYER_LANE_REFUSAL
    # A route's own description of a status wins over the dependency's.
    patch = paths["/api/x/things/{thing_id}"]["patch"]["responses"]
    assert patch["401"]["description"] == "Our own words"
    assert paths["/api/x/tea"]["get"]["responses"]["418"]["description"] == "I'm a teapot"
    assert set(paths["/api/x/public"]["get"]["responses"]) == {"200"}


def test_a_405_allows_every_method_of_the_path() -> None:
    client = TestClient(_app())
    # Three routes share the path with GET and PATCH (players) ... and DELETE is under another
    # prefix: only GET and PATCH answer here.
    response = client.options("/api/x/things/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.json() == {"detail": "Method Not Allowed"}
    # Other HTTP errors keep FastAPI's answer.
    assert client.get("/api/x/nowhere").status_code == 404
