"""Bad input → 4xx `{"detail": ...}` with no echo of the input; bodies capped at the limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from quest_common.errors import (
    UnacceptableJsonError,
    check_json_body,
    install_error_handlers,
    public_validation_errors,
)

LIMIT = 1024


class SignUp(BaseModel):
    user_name: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=8, max_length=128)
    score: float = 0.0


def make_app() -> FastAPI:
    app = FastAPI()

    @app.post("/signup")
    def signup(body: SignUp) -> dict[str, str]:
        return {"user_name": body.user_name}

    install_error_handlers(app, max_body_bytes=LIMIT)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as test_client:
        yield test_client


RAW_BODIES = [
    b'{"user_name": 1e999, "password": "secret-password-1"}',
    b'{"user_name": NaN, "password": "secret-password-1"}',
    b'{"user_name": "abc", "password": "secret-password-1", "score": Infinity}',
    b'{"user_name": "abc", "password": "secret-password-1", "score": 1e999}',
    b'{"user_name": "\\ud800abc", "password": "secret-password-1"}',
    b'{"user_name": "ab\\u0000c", "password": "secret-password-1"}',
    b'{"user_name": "abc", "password": "secret-\\udfff-password"}',
    b'{"user_name": "abc", "password": ',
    b"\xff\xfe not utf-8",
    b"[" * 500 + b"]" * 500,
    b'{"user_name": ["a"], "password": {"x": 1}}',
    b'{"user_name": 12345, "password": 99999999999}',
    b"null",
    b'"just a string"',
    b"1" * 5000,
]


@pytest.mark.parametrize("body", RAW_BODIES)
def test_unacceptable_json_gets_a_4xx_without_echo(client: TestClient, body: bytes) -> None:
    response = client.post("/signup", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    payload = response.json()
    assert "detail" in payload
    assert "secret" not in response.text  # the password is never echoed
    assert len(response.content) < 2000


class Reading(BaseModel):
    """A model that takes these values as they are: a float (NaN and the infinities included)
    and free-form data whose strings nobody checks, as a game event's `data` is."""

    value: float
    data: dict[str, Any]


# Each of these validates as a `Reading`; none can be stored (PostgreSQL's JSON and text refuse
# NaN, infinities, lone surrogates and NUL) or even sent back (`allow_nan=False`, UTF-8).
UNSTORABLE = [
    b'{"value": NaN, "data": {}}',
    b'{"value": Infinity, "data": {}}',
    b'{"value": -Infinity, "data": {}}',
    b'{"value": 1e999, "data": {}}',
    b'{"value": 1, "data": {"note": "\\ud800"}}',
    b'{"value": 1, "data": {"notes": ["fine", "\\udfff"]}}',
    b'{"value": 1, "data": {"nested": {"deep": "nul\\u0000"}}}',
    b'{"value": 1, "data": {"amount": NaN}}',
]


@pytest.mark.parametrize("body", UNSTORABLE)
def test_values_a_model_would_store_are_refused_before_it(body: bytes) -> None:
    Reading.model_validate(json.loads(body))  # the model alone would take it
    stored: list[Reading] = []
    app = FastAPI()

    @app.post("/readings", status_code=201)
    def add_reading(reading: Reading) -> dict[str, int]:
        stored.append(reading)
        return {"stored": len(stored)}

    install_error_handlers(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = client.post(
            "/readings", content=body, headers={"content-type": "application/json"}
        )
        good = client.post("/readings", json={"value": 1.5, "data": {"note": "fine"}})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["type"] == "json_invalid"
    assert good.status_code == 201
    assert [r.value for r in stored] == [1.5]  # only the storable one got through


def test_wrong_type_is_a_422_in_fastapis_shape(client: TestClient) -> None:
    response = client.post("/signup", json={"user_name": "ab", "password": "secret-password-1"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "user_name"]
    assert set(error) == {"type", "loc", "msg"}


def test_good_body_still_passes(client: TestClient) -> None:
    response = client.post("/signup", json={"user_name": "abc", "password": "secret-password-1"})
    assert response.status_code == 200
    assert response.json() == {"user_name": "abc"}


def test_body_over_the_limit_is_413_from_content_length(client: TestClient) -> None:
    body = json.dumps({"user_name": "abc", "password": "x" * LIMIT}).encode()
    response = client.post("/signup", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "detail" in response.json()


def test_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"user_name": "abc", "password": "'
        for _ in range(10):
            yield b"x" * 200
        yield b'"}'

    response = client.post(
        "/signup", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_chunked_body_under_the_limit_passes(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"user_name": "abc", '
        yield b'"password": "secret-password-1"}'

    response = client.post(
        "/signup", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200


def test_non_json_body_over_the_limit_is_413(client: TestClient) -> None:
    response = client.post("/signup", data={"x": "y" * (2 * LIMIT)})
    assert response.status_code == 413


def test_errors_never_carry_input_and_always_encode() -> None:
    errors = [
        {"type": "string_type", "loc": ("body", "pass\ud800"), "msg": "bad \ud800", "input": 1e999}
    ]
    public = public_validation_errors(errors)
    json.dumps(public, allow_nan=False).encode()  # would raise on a surrogate or inf
    assert "input" not in public[0]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_storable_json_is_accepted(value: object) -> None:
    check_json_body(json.dumps(value).encode())


@given(
    st.text(),
    st.sampled_from(["\x00", "\ud800", "\udfff", "\udc80"]),
    st.text(),
)
def test_strings_with_nul_or_surrogates_are_refused(before: str, bad: str, after: str) -> None:
    with pytest.raises(UnacceptableJsonError):
        check_json_body(json.dumps({"k": [before + bad + after]}).encode())


def test_public_openapi_lists_public_routes_only() -> None:
    from quest_common.openapi import publish_public_routes_only

    app = FastAPI()

    @app.get("/api/x/items")
    def items() -> list[str]:
        return []

    @app.post("/internal/credits")
    def credits() -> None:
        return None

    @app.get("/internalish")
    def lookalike() -> None:
        return None

    @app.get("/readyz")
    def ready() -> None:
        return None

    publish_public_routes_only(app)
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    assert set(paths) == {"/api/x/items", "/internalish"}
