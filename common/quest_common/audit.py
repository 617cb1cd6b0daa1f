"""The admin audit trail every service keeps: who changed what, when, and how it looked before
and after.

`record` adds the entry to the caller's transaction and never commits: the entry exists exactly
when the change it describes does (a refused or rolled-back write leaves no entry). Each service
has its own `audit_entry` table (its own migration) and serves it with `audit_router` at
`GET <prefix>/admin/audit`.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from pydantic_core import to_jsonable_python
from sqlalchemy import Column, DateTime, Index, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, col, select

from quest_common.db import utcnow

ACTOR_ID_MAX = 64
ACTOR_NAME_MAX = 128


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        # The listing is newest first; the actor lookup serves anonymisation of a deleted admin.
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_actor_id", "actor_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    actor_id: str = Field(max_length=ACTOR_ID_MAX)
    actor_name: str = Field(max_length=ACTOR_NAME_MAX)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=64)
    target_id: str = Field(max_length=128)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user id (the token's `sub`) and the name they had at the time."""

    id: str
    name: str


# A change the service makes by itself (the prestart seed), not on an admin's request.
SYSTEM = Actor(id="system", name="system")

Snapshot = Mapping[str, Any] | BaseModel | None


def _json(value: Snapshot) -> dict[str, Any] | None:
    if value is None:
        return None
    plain = to_jsonable_python(value)  # UUIDs, datetimes and enums as JSON values
    if not isinstance(plain, dict):
        raise TypeError("an audit snapshot must be a mapping or a model")
    return plain


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    target_id: str | uuid.UUID,
    before: Snapshot,
    after: Snapshot,
    target_type: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the caller's transaction (committed, or not, with the change).

    `action` is "<target type>.<verb>" ("user.update", "incident.declare"): the target's type
    is the part before the dot unless `target_type` names another ("wallet.adjust" changes a
    user)."""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id[:ACTOR_ID_MAX],
        actor_name=actor.name[:ACTOR_NAME_MAX],
        action=action,
        target_type=target_type or action.partition(".")[0],
        target_id=str(target_id),
        before=_json(before),
        after=_json(after),
    )
    session.add(entry)
    return entry


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_id: str
    actor_name: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditEntriesPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int


def list_entries(*, session: Session, limit: int, offset: int) -> AuditEntriesPublic:
    count = session.exec(select(func.count()).select_from(AuditEntry)).one()
    rows = session.exec(
        select(AuditEntry)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return AuditEntriesPublic(
        data=[AuditEntryPublic.model_validate(row) for row in rows], count=int(count)
    )


def audit_router(
    *,
    session_dependency: Callable[..., Any],
    admin_dependency: Callable[..., Any],
    path: str = "/admin/audit",
) -> APIRouter:
    """`GET <path>?limit&offset` → `{data, count}`, newest first, for admins only.

    The service passes its own dependencies: how it opens a session and how it decides that the
    caller is an admin (auth reads the role from its database, the others from the token).
    """
    router = APIRouter(tags=["audit"])

    @router.get(path, dependencies=[Depends(admin_dependency)])
    def read_audit(
        session: Annotated[Session, Depends(session_dependency)],
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> AuditEntriesPublic:
        return list_entries(session=session, limit=limit, offset=offset)

    return router
