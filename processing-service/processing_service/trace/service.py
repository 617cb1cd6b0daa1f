"""Why, step by step: a player's recorded sign-ins replayed through the quest rules, each with its
local date and verdict, the completions, and the grants with their ledger idempotency keys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session

from processing_service import views
from processing_service.incidents.service import windows
from processing_service.progress import rules
from processing_service.progress.rules import QuestRule, SignInAt


class TraceEvent(BaseModel):
    event_id: str
    type: str
    at: datetime
    zone: str
    local_date: date | None
    verdict: rules.Verdict
    streak: int  # the streak after this event
    completed: int  # completions after this event
    completion: bool  # this event completed the quest once more


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
    events: list[TraceEvent]
    completions: list[TraceCompletion]
    grants: list[TraceGrant]


def quest_trace(*, session: Session, user_id: uuid.UUID, rule: QuestRule) -> QuestTrace:
    events = views.recorded_sign_ins(session=session, user_id=user_id)
    steps: list[TraceEvent] = []
    completions: list[TraceCompletion] = []
    sign_ins = [
        SignInAt(at=e.occurred_at, zone=e.time_zone, event_type=e.type, event_id=e.event_id)
        for e in events
    ]
    for step in rules.trace(rule, sign_ins, incidents=windows(session=session)):
        result = step.result
        steps.append(
            TraceEvent(
                event_id=step.event.event_id or "",
                type=step.event.event_type,
                at=step.event.at,
                zone=step.event.zone or rules.DEFAULT_ZONE,
                local_date=result.local_date,
                verdict=result.verdict,
                streak=result.state.streak,
                completed=result.state.completed,
                completion=result.earned,
            )
        )
        if result.earned:
            completions.append(
                TraceCompletion(
                    number=result.state.completed,
                    event_id=step.event.event_id or "",
                    at=step.event.at,
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
        events=steps,
        completions=completions,
        grants=grants,
    )
