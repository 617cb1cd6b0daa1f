"""The audit module against a real PostgreSQL: entries live and die with the caller's
transaction, the listing is newest first, and the router answers admins only."""

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from quest_common import audit
from quest_common.audit import AuditEntry, audit_router, list_entries
from quest_common.db import make_engine

ADMIN = audit.Actor(id=str(uuid.uuid4()), name="ada")


class Colour(StrEnum):
    red = "red"


# What the tests' entries say unless a test names something else.
ENTRY: dict[str, Any] = {"action": "thing.update", "target_type": "thing", "target_id": "x"}


def record(session: Session, **fields: Any) -> None:
    """An audit entry by ADMIN in the caller's transaction: `fields` over ENTRY, no snapshots
    unless given."""
    audit.record(session, actor=ADMIN, **{**ENTRY, "before": None, "after": None, **fields})


@pytest.fixture
def engine(database_url_factory: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(database_url_factory("audit"), pool_size=2)
    AuditEntry.metadata.create_all(engine, tables=[AuditEntry.__table__])  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


def test_entry_is_written_only_when_the_caller_commits(engine: Engine) -> None:
    target = uuid.uuid4()
    with Session(engine) as session:
        record(session, target_id=target, before={"n": 1}, after={"n": 2})
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(AuditEntry)).all() == []
        record(
            session,
            target_id=target,
            after={"id": target, "when": datetime(2030, 1, 2, tzinfo=UTC), "colour": Colour.red},
        )
        session.commit()
    with Session(engine) as session:
        (entry,) = session.exec(select(AuditEntry)).all()
    assert entry.actor_id == ADMIN.id and entry.actor_name == "ada"
    assert entry.target_id == str(target)
    assert entry.before is None
    # UUIDs, datetimes and enums are stored as their JSON values.
    assert entry.after == {"id": str(target), "when": "2030-01-02T00:00:00Z", "colour": "red"}


def test_listing_is_newest_first_and_paged(engine: Engine) -> None:
    with Session(engine) as session:
        for i in range(5):
            record(session, action=f"step.{i}")
            session.commit()
        page = list_entries(session=session, limit=2, offset=1)
    assert page.count == 5
    assert [e.action for e in page.data] == ["step.3", "step.2"]


def test_router_serves_admins_only(engine: Engine) -> None:
    def session_dependency() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    def admin_dependency(
        x_role: Annotated[str, Header()] = "",
    ) -> None:  # a header stands in for a token here
        if x_role != "admin":
            raise HTTPException(403, "Admin role required")

    app = FastAPI()
    app.include_router(
        audit_router(session_dependency=session_dependency, admin_dependency=admin_dependency),
        prefix="/api/thing",
    )
    with Session(engine) as session:
        record(session, action="a", target_type="t", target_id="1")
        session.commit()
    client = TestClient(app)
    assert client.get("/api/thing/admin/audit").status_code == 403
    response = client.get("/api/thing/admin/audit", headers={"x-role": "admin"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["data"][0]["action"] == "a"
    bad = client.get("/api/thing/admin/audit?limit=0", headers={"x-role": "admin"})
    assert bad.status_code == 422
