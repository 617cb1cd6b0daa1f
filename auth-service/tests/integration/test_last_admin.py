"""Someone can always manage the platform: the last active admin cannot be demoted, banned or
deleted, by another admin or by itself. Each test has a database of its own, so it knows
exactly which admins exist."""

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from auth_service.core.uow import AuthUnitOfWork
from auth_service.main import create_app
from auth_service.users.models import Role, User, UserAdminUpdate, UserStatus
from auth_service.users.service import (
    LastAdminError,
    actor,
    create_user,
    is_active_admin,
    update_user,
)

PREFIX = "/api/auth"
PASSWORD = "admin-pass-123"
LAST_ADMIN = "This is the last admin: make another admin before demoting, banning or deleting it"


@pytest.fixture
def lone_client(make_settings: Callable[..., Any], fresh_db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url=fresh_db_url))) as client:
        yield client


def _admin(
    fresh_engine: Any, client: TestClient, login: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    name = f"admin_{uuid.uuid4().hex[:10]}"
    with AuthUnitOfWork(fresh_engine) as uow:
        user = create_user(uow=uow, user_name=name, password=PASSWORD, role=Role.ADMIN)
    tokens = login(client, name, PASSWORD)
    return {
        "user_id": str(user.user_id),
        "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
    }


def _active_admins(fresh_engine: Any) -> int:
    with Session(fresh_engine) as session:
        return sum(is_active_admin(user) for user in session.exec(select(User)).all())


def test_the_last_admin_cannot_be_demoted_banned_or_deleted(
    fresh_engine: Any, lone_client: TestClient, login: Callable[..., dict[str, Any]]
) -> None:
    admin = _admin(fresh_engine, lone_client, login)
    own = f"{PREFIX}/users/{admin['user_id']}"
    headers = admin["headers"]
    audit_before = lone_client.get(f"{PREFIX}/admin/audit", headers=headers).json()["count"]

    for change in ({"role": "player"}, {"status": int(UserStatus.BANNED)}):
        refused = lone_client.patch(own, json=change, headers=headers)
        assert refused.status_code == 409, refused.text
        assert refused.json() == {"detail": LAST_ADMIN}
    assert lone_client.delete(own, headers=headers).status_code == 409
    own_deletion = lone_client.request(
        "DELETE", f"{PREFIX}/users/me", json={"password": PASSWORD}, headers=headers
    )
    assert own_deletion.status_code == 409
    assert own_deletion.json() == {"detail": LAST_ADMIN}

    # Nothing changed and nothing was audited; changes that keep the rights still work.
    me = lone_client.get(f"{PREFIX}/users/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "admin"
    audit_after = lone_client.get(f"{PREFIX}/admin/audit", headers=headers).json()["count"]
    assert audit_after == audit_before
    assert lone_client.patch(own, json={"role": "admin"}, headers=headers).status_code == 200
    assert _active_admins(fresh_engine) == 1


def test_with_another_admin_one_may_step_down(
    fresh_engine: Any,
    lone_client: TestClient,
    login: Callable[..., dict[str, Any]],
    signup: Callable[..., dict[str, Any]],
) -> None:
    first = _admin(fresh_engine, lone_client, login)
    player = signup(lone_client)
    second = f"{PREFIX}/users/{player['user_id']}"
    promoted = lone_client.patch(second, json={"role": "admin"}, headers=first["headers"])
    assert promoted.status_code == 200

    stepped_down = lone_client.patch(
        f"{PREFIX}/users/{first['user_id']}", json={"role": "player"}, headers=first["headers"]
    )
    assert stepped_down.status_code == 200 and stepped_down.json()["role"] == "player"
    # The promoted player is now the last admin: banning it is refused.
    tokens = login(lone_client, player["user_name"], player["password"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert lone_client.patch(second, json={"status": 2}, headers=headers).status_code == 409
    assert _active_admins(fresh_engine) == 1


def test_a_banned_admin_does_not_count(
    fresh_engine: Any, lone_client: TestClient, login: Callable[..., dict[str, Any]]
) -> None:
    first, second = (
        _admin(fresh_engine, lone_client, login),
        _admin(fresh_engine, lone_client, login),
    )
    banned = lone_client.patch(
        f"{PREFIX}/users/{second['user_id']}", json={"status": 2}, headers=first["headers"]
    )
    assert banned.status_code == 200
    # The banned admin still has the admin role, but cannot act: the first is the last one.
    demoted = lone_client.patch(
        f"{PREFIX}/users/{first['user_id']}", json={"role": "player"}, headers=first["headers"]
    )
    assert demoted.status_code == 409


def _demote(
    fresh_engine: Any,
    target: dict[str, Any],
    by: dict[str, Any],
    start: threading.Barrier,
    outcomes: list[str],
) -> None:
    with AuthUnitOfWork(fresh_engine) as uow:
        admin = uow.session.get(User, uuid.UUID(by["user_id"]))
        assert admin is not None
        by_actor = actor(admin)
        start.wait()
        try:
            update_user(
                uow=uow,
                user_id=uuid.UUID(target["user_id"]),
                changes=UserAdminUpdate(role=Role.PLAYER),
                actor=by_actor,
            )
            outcomes.append("demoted")
        except LastAdminError:
            outcomes.append("refused")


def test_two_admins_demoting_each_other_at_once_leave_one(
    fresh_engine: Any, lone_client: TestClient, login: Callable[..., dict[str, Any]]
) -> None:
    """Without serialising, each would see the other still active and both would succeed."""
    for _ in range(8):
        a, b = _admin(fresh_engine, lone_client, login), _admin(fresh_engine, lone_client, login)
        with Session(fresh_engine) as session:
            # Only these two are active admins in this round.
            for user in session.exec(select(User).where(User.role == Role.ADMIN)).all():
                if str(user.user_id) not in (a["user_id"], b["user_id"]):
                    user.role = Role.PLAYER
                    session.add(user)
            session.commit()
        start = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=_demote, args=(fresh_engine, b, a, start, outcomes)),
            threading.Thread(target=_demote, args=(fresh_engine, a, b, start, outcomes)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["demoted", "refused"]
        assert _active_admins(fresh_engine) == 1
