"""A `ClientError` raised by the service layer is answered like the `HTTPException` it replaces."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from quest_common.errors import ClientError, RetryLaterError, install_error_handlers


class ThingNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="Thing not found"):
    pass


class SlowDownError(RetryLaterError, detail="Slow down"):
    pass


def make_client() -> TestClient:
    app = FastAPI()

    @app.get("/refused")
    def refused() -> None:
        raise ThingNotFoundError("thing 42")  # the message is for logs only

    @app.get("/http")
    def http() -> None:
        raise HTTPException(HTTPStatus.NOT_FOUND, "Thing not found")

    @app.get("/later")
    def later() -> None:
        raise SlowDownError(7)

    @app.get("/http-later")
    def http_later() -> None:
        raise HTTPException(429, "Slow down", headers={"Retry-After": "7"})

    install_error_handlers(app)
    return TestClient(app)


def test_a_client_error_gets_the_answer_of_the_http_exception() -> None:
    client = make_client()
    refused, http = client.get("/refused"), client.get("/http")
    assert refused.status_code == http.status_code == 404
    assert refused.content == http.content == b'{"detail":"Thing not found"}'
    assert refused.headers == http.headers


def test_retry_later_is_a_429_with_retry_after() -> None:
    client = make_client()
    later, http = client.get("/later"), client.get("/http-later")
    assert later.status_code == http.status_code == 429
    assert later.content == http.content
    assert later.headers["Retry-After"] == "7"
    assert later.headers == http.headers
