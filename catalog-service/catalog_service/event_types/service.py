"""Event type use cases. Writes run in one unit-of-work transaction, record a catalog change
(`QuestChanged` with the type's name, so processing drops what it cached) and an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import deactivate
from catalog_service.core.db import lock_quest_links, row_values
from catalog_service.core.errors import ConflictError, InvalidError, NotFoundError
from catalog_service.core.named_rows import NamedRows
from catalog_service.core.uow import UnitOfWork, once_more_after_a_race
from catalog_service.event_types.models import (
    EventType,
    EventTypePublic,
    EventTypesPublic,
    EventTypeUpsert,
)
from catalog_service.quests import rules
from catalog_service.quests.views import active_quests_of_type
from quest_common import audit

EVENT_TYPES = NamedRows(EventType, kind="event_type", name_field="name")


def to_public(row: EventType) -> EventTypePublic:
    values = row_values(row)
    # By name: JSONB keeps its own key order (shortest first), which means nothing to a reader.
    values["properties"] = dict(sorted(values["properties"].items()))
    return EventTypePublic.model_validate(values)


def list_event_types(
    *, session: Session, active: bool | None, limit: int, offset: int
) -> EventTypesPublic:
    conditions = [] if active is None else [col(EventType.is_active).is_(active)]
    count = session.exec(select(func.count()).select_from(EventType).where(*conditions)).one()
    rows = session.exec(
        select(EventType)
        .where(*conditions)
        .order_by(col(EventType.name))
        .offset(offset)
        .limit(limit)
    ).all()
    return EventTypesPublic(data=[to_public(r) for r in rows], count=count)


def _by_name(session: Session, name: str, *, for_update: bool = False) -> EventType | None:
    query = select(EventType).where(col(EventType.name) == name)
    return session.exec(query.with_for_update() if for_update else query).first()


def get_event_type(*, session: Session, name: str) -> EventTypePublic:
    row = _by_name(session, name)
    if row is None:
        raise NotFoundError("Event type not found")
    return to_public(row)


def properties_for_quest(session: Session, name: str, *, active_quest: bool) -> dict[str, Any]:
    """The properties of the type a quest counts; refused (422) when the type is unknown, or
    inactive while the quest is active (an inactive type is never ingested again)."""
    row = _by_name(session, name)
    if row is None:
        raise InvalidError("event_type", f"Unknown event type {name!r}")
    if active_quest and not row.is_active:
        raise InvalidError("event_type", f"Event type {name!r} is inactive")
    return dict(row.properties)


def _refuse_built_in(row: EventType | None, name: str) -> None:
    if row is not None and row.built_in:
        raise ConflictError(f"Event type {name!r} is built in and read-only")


def _still_fits_its_quests(session: Session, name: str, properties: dict[str, Any]) -> None:
    """Changing a type's properties must leave every active quest on it valid: a filter or a sum
    on a property that went away would silently never match again."""
    for quest in active_quests_of_type(session, name):
        problem = rules.event_problem(quest.values, properties)
        if problem is not None:
            raise ConflictError(
                f"Active quest {quest.name!r} no longer fits: {problem[1]}; change the quest first"
            )


def upsert_event_type(
    *, uow: UnitOfWork, name: str, data: EventTypeUpsert, actor: audit.Actor
) -> tuple[EventTypePublic, bool]:
    """Create or replace by name, active; returns (type, created). The same body again writes
    nothing and publishes nothing. A deactivated type comes back active."""
    values = {**data.model_dump(mode="json"), "is_active": True}

    def attempt() -> tuple[EventTypePublic, bool]:
        with uow:
            session = uow.session
            lock_quest_links(session)
            _refuse_built_in(_by_name(session, name), name)
            _still_fits_its_quests(session, name, values["properties"])
            row, created = EVENT_TYPES.upsert(session, name, values, actor=actor)
            public = to_public(row)
            uow.commit()
            return public, created

    return once_more_after_a_race(attempt)


def deactivate_event_type(*, uow: UnitOfWork, name: str, actor: audit.Actor) -> EventTypePublic:
    """DELETE keeps the row (recorded events and old quests still name it) and turns it off;
    refused while an active quest counts it."""
    with uow:
        session = uow.session
        lock_quest_links(session)
        row = _by_name(session, name, for_update=True)
        if row is None:
            raise NotFoundError("Event type not found")
        _refuse_built_in(row, name)
        users = active_quests_of_type(session, name)
        if users:
            names = ", ".join(q.name for q in users)
            raise ConflictError(f"Event type {name!r} is used by active quest(s): {names}")
        deactivate(session, row, action="event_type.deactivate", actor=actor)
        public = to_public(row)
        uow.commit()
        return public
