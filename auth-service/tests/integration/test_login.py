"""Sign-up, login, refresh and logout: the happy paths and every error status."""

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from auth_service.core.security import hash_refresh_token
from auth_service.users.models import User, UserStatus

PREFIX = "/api/auth"


def test_signup_then_login_then_me(
    client: TestClient, new_name: Callable[[], str], login: Callable[..., dict[str, Any]]
) -> None:
    name = new_name()
    created = client.post(f"{PREFIX}/signup", json={"user_name": name, "password": "s3cret-pass"})
    assert created.status_code == 201
    body = created.json()
    assert body["user_name"] == name
    assert body["status"] == 0 and body["role"] == "player"
    assert body["diamond"] == 0 and body["gold"] == 0
    assert "hashed_password" not in body and "password" not in body

    tokens = login(client, name, "s3cret-pass")
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    me = client.get(
        f"{PREFIX}/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["user_id"] == body["user_id"]
    assert me.json()["status"] == 1  # the first sign-in activated the account
    assert set(me.json()) == {
        "user_id",
        "user_name",
        "role",
        "status",
        "diamond",
        "gold",
        "created_at",
        "time_zone",
        # progression (auth-service/README.md)
        "xp",
        "level",
        "level_starts_at_xp",
        "next_level_at_xp",
    }


def test_signup_duplicate_name_is_409(
    client: TestClient, signup: Callable[..., dict[str, Any]]
) -> None:
    user = signup(client)
    again = client.post(
        f"{PREFIX}/signup", json={"user_name": user["user_name"], "password": "another-pass"}
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "User name already taken"}


def test_signup_validation_is_422(client: TestClient, new_name: Callable[[], str]) -> None:
    bad = [
        {"user_name": "ab", "password": "long-enough"},
        {"user_name": "has space", "password": "long-enough"},
        {"user_name": "x" * 65, "password": "long-enough"},
        {"user_name": new_name(), "password": "short"},
        {"user_name": new_name(), "password": "p" * 129},
        {"user_name": new_name()},
    ]
    for payload in bad:
        response = client.post(f"{PREFIX}/signup", json=payload)
        assert response.status_code == 422, payload
        assert "detail" in response.json()


def test_wrong_password_and_unknown_user_get_the_same_400(
    client: TestClient, signup: Callable[..., dict[str, Any]], new_name: Callable[[], str]
) -> None:
    user = signup(client)
    wrong = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": "not-the-password"},
    )
    unknown = client.post(
        f"{PREFIX}/login/access-token", data={"username": new_name(), "password": "whatever-pw"}
    )
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json() == {"detail": "Incorrect user name or password"}


def test_login_form_missing_fields_is_422(client: TestClient) -> None:
    response = client.post(f"{PREFIX}/login/access-token", data={"username": "someone"})
    assert response.status_code == 422


def test_banned_user_gets_403_and_no_event(
    client: TestClient, signup: Callable[..., dict[str, Any]], db_session: Session
) -> None:
    user = signup(client)
    row = db_session.get(User, uuid.UUID(user["user_id"]))
    assert row is not None
    row.status = UserStatus.BANNED
    db_session.add(row)
    db_session.commit()
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": user["password"]},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Account is banned"}
    # Nothing but the account's announcement at sign-up.
    outbox = db_session.execute(
        text("SELECT event_type FROM outbox_event WHERE payload->>'subject' = :uid"),
        {"uid": user["user_id"]},
    ).scalars()
    assert list(outbox) == ["UserCreated"]


def test_login_sets_a_strict_httponly_cookie_scoped_to_refresh_and_logout(
    client: TestClient, signup: Callable[..., dict[str, Any]]
) -> None:
    user = signup(client)
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": user["password"]},
    )
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 2
    paths = set()
    for cookie in cookies:
        lowered = cookie.lower()
        assert cookie.startswith(f"refresh_token={response.json()['refresh_token']};")
        assert "httponly" in lowered
        assert "samesite=strict" in lowered
        assert "secure" not in lowered  # local/test runs are plain http
        paths.add(next(p.split("=")[1] for p in cookie.split("; ") if p.startswith("Path=")))
    assert paths == {f"{PREFIX}/login/refresh", f"{PREFIX}/logout"}


def test_cookie_is_secure_in_production_settings(make_settings: Callable[..., Any]) -> None:
    assert make_settings(cookie_secure=None).refresh_cookie_secure is False
    assert make_settings(cookie_secure=True).refresh_cookie_secure is True


def test_refresh_rotates_and_reuse_revokes_the_family(
    client: TestClient, player: dict[str, Any], db_session: Session
) -> None:
    first = player["tokens"]["refresh_token"]
    rotated = client.post(f"{PREFIX}/login/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    me = client.get(
        f"{PREFIX}/users/me",
        headers={"Authorization": f"Bearer {rotated.json()['access_token']}"},
    )
    assert me.status_code == 200 and me.json()["user_id"] == player["user_id"]

    # The spent token comes back after the grace given to racing refreshes (see
    # test_refresh_grace): someone holds a copy. It fails, and so does its successor.
    db_session.execute(
        text(
            "UPDATE refresh_token SET spent_at = spent_at - interval '1 minute'"
            " WHERE token_hash = :h"
        ),
        {"h": hash_refresh_token(first)},
    )
    db_session.commit()
    reused = client.post(f"{PREFIX}/login/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    assert client.post(f"{PREFIX}/login/refresh", json={"refresh_token": second}).status_code == 401


def test_refresh_from_the_cookie(client: TestClient, signup: Callable[..., dict[str, Any]]) -> None:
    user = signup(client)
    client.cookies.clear()
    login = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": user["password"]},
    )
    assert login.status_code == 200
    # The TestClient's cookie jar sends the cookie to the refresh path, like a browser would.
    refreshed = client.post(f"{PREFIX}/login/refresh")
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != login.json()["refresh_token"]
    client.cookies.clear()


def test_refresh_errors(client: TestClient) -> None:
    client.cookies.clear()
    assert client.post(f"{PREFIX}/login/refresh").status_code == 401
    assert client.post(f"{PREFIX}/login/refresh", json={}).status_code == 401
    unknown = client.post(f"{PREFIX}/login/refresh", json={"refresh_token": "not-a-real-token"})
    assert unknown.status_code == 401
    assert unknown.json() == {"detail": "Invalid refresh token"}
    assert client.post(f"{PREFIX}/login/refresh", json={"refresh_token": 42}).status_code == 422


def test_logout_revokes_the_refresh_token(client: TestClient, player: dict[str, Any]) -> None:
    token = player["tokens"]["refresh_token"]
    out = client.post(f"{PREFIX}/logout", json={"refresh_token": token})
    assert out.status_code == 204
    assert client.post(f"{PREFIX}/login/refresh", json={"refresh_token": token}).status_code == 401
    # Logging out again is harmless; with no token at all it is a 401.
    assert client.post(f"{PREFIX}/logout", json={"refresh_token": token}).status_code == 204
    client.cookies.clear()
    assert client.post(f"{PREFIX}/logout").status_code == 401


def test_change_password(
    client: TestClient, player: dict[str, Any], login: Callable[..., dict[str, Any]]
) -> None:
    url = f"{PREFIX}/users/me/password"
    wrong = client.patch(
        url,
        headers=player["headers"],
        json={"current_password": "nope-nope", "new_password": "brand-new-pass"},
    )
    assert wrong.status_code == 400
    ok = client.patch(
        url,
        headers=player["headers"],
        json={"current_password": player["password"], "new_password": "brand-new-pass"},
    )
    assert ok.status_code == 204
    # Other sessions end; the new password works, the old one does not.
    old_refresh = player["tokens"]["refresh_token"]
    assert (
        client.post(f"{PREFIX}/login/refresh", json={"refresh_token": old_refresh}).status_code
        == 401
    )
    login(client, player["user_name"], "brand-new-pass")
    old = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": player["user_name"], "password": player["password"]},
    )
    assert old.status_code == 400


def test_me_needs_a_token(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/users/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_logout_refuses_fields_it_would_ignore(client: TestClient, player: dict[str, Any]) -> None:
    token = player["tokens"]["refresh_token"]
    refused = client.post(f"{PREFIX}/logout", json={"refresh_token": token, "resume": True})
    assert refused.status_code == 422
    # Nothing was revoked by the refused call.
    assert client.post(f"{PREFIX}/login/refresh", json={"refresh_token": token}).status_code == 200


def test_the_openapi_document_says_what_the_validators_refuse(client: TestClient) -> None:
    document = client.get(f"{PREFIX}/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["Adjustment"]["properties"]["qty"]["not"] == {"const": 0}
    assert "resume" not in schemas["LogoutRequest"]["properties"]
    me = document["paths"][f"{PREFIX}/users/me"]["get"]["responses"]
    assert {"401", "403"} <= set(me)  # from the CurrentUser dependency
