"""A `ClientError` raised by the service layer is answered like the `HTTPException` it replaces."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from quest_common.errors import install_error_handlers
from quest_common.refusals import ClientError, RetryLaterError, responses


class ThingNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="Thing not found"):
    pass


class SlowDownError(RetryLaterError, detail="Slow down"):
    pass


class ThingGoneError(ClientError, status=HTTPStatus.CONFLICT, detail="Thing is gone"):
    pass


class ThingLockedError(ClientError, status=HTTPStatus.CONFLICT, detail="Thing is locked"):
    pass


class BadClientError(ClientError, status=HTTPStatus.UNAUTHORIZED, detail="Invalid client"):
    extra = {"error": "invalid_client", "error_description": "Invalid client"}
    headers = {"WWW-Authenticate": 'Basic realm="quest"'}


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

    @app.get("/oauth")
    def oauth() -> None:
        raise BadClientError

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


def test_a_protocol_may_add_its_own_members_beside_the_detail() -> None:
    response = make_client().get("/oauth")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid client",
        "error": "invalid_client",
        "error_description": "Invalid client",
    }
    assert response.headers["WWW-Authenticate"] == 'Basic realm="quest"'


def test_responses_document_each_status_with_the_details_of_its_errors() -> None:
    documented = responses(ThingLockedError, ThingNotFoundError, ThingGoneError, ThingGoneError)
    assert documented == {
        404: {"description": "Thing not found"},
        409: {"description": "Thing is locked; or Thing is gone"},
    }


def test_responses_document_retry_after_on_a_retry_later_error() -> None:
    documented = responses(SlowDownError)
    assert documented[429]["description"] == "Slow down"
    assert set(documented[429]["headers"]) == {"Retry-After"}


def test_the_documented_responses_reach_the_openapi_document() -> None:
    app = FastAPI()

    @app.get("/thing", responses=responses(ThingNotFoundError, SlowDownError))
    def thing() -> None:
        raise ThingNotFoundError

    documented = app.openapi()["paths"]["/thing"]["get"]["responses"]
    assert documented["404"]["description"] == "Thing not found"
    assert "Retry-After" in documented["429"]["headers"]
