"""Why, step by step: a player's recorded events of the quest's type replayed through the quest
rules, each with its local date and verdict, the completions, and the grants with their ledger
idempotency keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlmodel import Session

from processing_service import views
from processing_service.incidents.service import windows
from processing_service.progress import rules
from processing_service.progress.rules import PlayerEvent, QuestRule


class TraceEvent(BaseModel):
    event_id: str
    type: str  # the envelope's type (`UserSignIn`, `ingest.match_won`)
    event_type: str  # the quest event type it counts as
    data: dict[str, Any]  # its properties (a sign-in has none)
    at: datetime
    zone: str
    local_date: date | None
    verdict: rules.Verdict
    streak: int | float  # progress after this event (a sum quest's running total)
    completed: int  # completions after this event
    completion: bool  # this event completed the quest once more (or more than once)


class TraceCompletion(BaseModel):
    number: int
    event_id: str
    at: datetime
    auto_claim: bool


class TraceGrant(BaseModel):
    grant_id: uuid.UUID
    idempotency_key: str  # the grant id: auth's ledger credits a key once
    reason: str
    item: str
    qty: int
    status: Literal["pending", "credited"] | str
    created_at: datetime
    credited_at: datetime | None
    attempts: int
    last_error: str | None


class QuestTrace(BaseModel):
    user_id: uuid.UUID
    quest_id: uuid.UUID
    quest_title: str
    streak_target: int
    duplication: int
    streak_mode: str
    event_type: str
    measure: str
    requires: list[str]
    events: list[TraceEvent]
    completions: list[TraceCompletion]
    grants: list[TraceGrant]


def quest_trace(
    *, session: Session, user_id: uuid.UUID, rule: QuestRule, quests: Sequence[QuestRule]
) -> QuestTrace:
    """The quest's verdict on each of the player's events of its type. For a quest with
    prerequisites, the player's other quests (`quests`, the active ones) are replayed too, to
    tell when each prerequisite was first completed."""
    recorded = views.recorded_events(session=session, user_id=user_id)
    events = [
        PlayerEvent(
            time=e.occurred_at,
            time_zone=e.time_zone,
            type=e.event_type,
            data=e.data or {},
            event_id=e.event_id,
            envelope_type=e.type,
        )
        for e in recorded
    ]
    incidents = windows(session=session)
    completed_at = (
        rules.first_completions(
            [q for q in quests if q.quest_id != rule.quest_id], events, incidents=incidents
        )
        if rule.requires
        else {}
    )
    steps: list[TraceEvent] = []
    completions: list[TraceCompletion] = []
    for step in rules.trace(rule, events, incidents=incidents, completed_at=completed_at):
        if step.event.type != rule.event_type:
            continue  # another type's event: this quest never looks at it
        result = step.result
        steps.append(
            TraceEvent(
                event_id=step.event.event_id,
                type=step.event.envelope_type,
                event_type=step.event.type,
                data=dict(step.event.data),
                at=step.event.time,
                zone=step.event.time_zone,
                local_date=result.local_date,
                verdict=result.verdict,
                streak=result.state.streak,
                completed=result.state.completed,
                completion=bool(result.earned),
            )
        )
        if result.earned:
            completions.append(
                TraceCompletion(
                    number=result.state.completed,
                    event_id=step.event.event_id,
                    at=step.event.time,
                    auto_claim=result.auto_credit,
                )
            )
    grants = [
        TraceGrant.model_validate({**g, "idempotency_key": str(g["grant_id"])})
        for g in views.quest_grants(session=session, user_id=user_id, quest_id=rule.quest_id)
    ]
    return QuestTrace(
        user_id=user_id,
        quest_id=rule.quest_id,
        quest_title=rule.title,
        streak_target=rule.streak,
        duplication=rule.duplication,
        streak_mode=rule.streak_mode,
        event_type=rule.event_type,
        measure=rule.measure,
        requires=list(rule.requires),
        events=steps,
        completions=completions,
        grants=grants,
    )
