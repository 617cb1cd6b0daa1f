"""Guarantee 1, at its source: a login's sign-in event is written in the login's own transaction.

The status flip, the outbox row and the refresh token commit together or not at all. A failure
is injected between the writes with a PostgreSQL trigger (on a database of the test's own) that
refuses one of them: whichever fails, nothing of the login stays. And a 2xx login's rows carry
the same transaction id (`xmin`), so an event written in a second transaction, before or after
the login's, is told apart even when nothing fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from auth_service.main import create_app
from auth_service.users.models import UserStatus

PREFIX = "/api/auth"
SIGN_IN_TYPES = ("NewUserSignIn", "UserSignIn")

# The login's three writes: the table and the statement each is.
LOGIN_WRITES = {"users": "UPDATE", "outbox_event": "INSERT", "refresh_token": "INSERT"}


@pytest.fixture
def client(make_settings: Callable[..., Any], fresh_db_url: str) -> Iterator[TestClient]:
    # The injected failure surfaces as a 500: read it as a response, not as a raised error.
    app = create_app(make_settings(database_url=fresh_db_url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def login(client: TestClient, user: dict[str, Any]) -> int:
    response = client.post(
        f"{PREFIX}/login/access-token",
        data={"username": user["user_name"], "password": user["password"]},
    )
    return response.status_code


def fail_writes(engine: Engine, table: str, statement: str) -> None:
    """From now on every `statement` on `table` fails, as a lost connection or a full disk
    would make it fail in the middle of a login."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS"
                " $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                f"CREATE TRIGGER injected_failure BEFORE {statement} ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION injected_failure()"
            )
        )


def heal(engine: Engine, table: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER injected_failure ON {table}"))


def login_rows(engine: Engine, user_id: str) -> dict[str, Any]:
    """What a login writes for this user: status, sign-in events, refresh tokens, and the
    transaction ids (`xmin`) that wrote each."""
    with engine.connect() as connection:
        user = connection.execute(
            text("SELECT status, last_sign_in_at, xmin::text AS tx FROM users WHERE user_id = :u"),
            {"u": uuid.UUID(user_id)},
        ).one()
        events = connection.execute(
            text(
                "SELECT event_type, xmin::text AS tx FROM outbox_event"
                " WHERE payload->>'subject' = :u AND event_type = ANY(:types)"
            ),
            {"u": user_id, "types": list(SIGN_IN_TYPES)},
        ).all()
        tokens = connection.execute(
            text("SELECT xmin::text AS tx FROM refresh_token WHERE user_id = :u"),
            {"u": uuid.UUID(user_id)},
        ).all()
    return {"user": user, "events": events, "tokens": tokens}


@pytest.mark.parametrize("table", sorted(LOGIN_WRITES))
def test_a_login_failing_at_any_write_leaves_no_event_and_no_status_change(
    client: TestClient,
    fresh_engine: Engine,
    signup: Callable[..., dict[str, Any]],
    table: str,
) -> None:
    user = signup(client)
    fail_writes(fresh_engine, table, LOGIN_WRITES[table])
    assert login(client, user) == 500
    rows = login_rows(fresh_engine, user["user_id"])
    # Nothing of the failed login stayed: no event without its status change and token, and no
    # status change or token without its event.
    assert rows["user"].status == UserStatus.NEW
    assert rows["user"].last_sign_in_at is None
    assert rows["events"] == []
    assert rows["tokens"] == []

    heal(fresh_engine, table)
    assert login(client, user) == 200
    rows = login_rows(fresh_engine, user["user_id"])
    # Still the player's first sign-in: the failed one changed nothing.
    assert [e.event_type for e in rows["events"]] == ["NewUserSignIn"]


def test_a_2xx_login_writes_exactly_one_event_in_its_own_transaction(
    client: TestClient, fresh_engine: Engine, signup: Callable[..., dict[str, Any]]
) -> None:
    user = signup(client)
    for expected in (["NewUserSignIn"], ["NewUserSignIn", "UserSignIn"]):
        assert login(client, user) == 200
        rows = login_rows(fresh_engine, user["user_id"])
        assert sorted(e.event_type for e in rows["events"]) == expected
        assert rows["user"].status == UserStatus.ACTIVE
        # The user row was last written by this login; this login's event and refresh token
        # were written by that same transaction.
        this_login = rows["user"].tx
        assert [e.event_type for e in rows["events"] if e.tx == this_login] == expected[-1:]
        assert [t.tx for t in rows["tokens"]].count(this_login) == 1
        assert len(rows["tokens"]) == len(expected)
