"""Game servers' events (DESIGN §14): what a client sends, what it is answered, and the two
tables of the ingestion domain — the accepted `(client, id)` pairs and each source's daily
figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Final

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict
from sqlalchemy import Column, Date, DateTime, Index, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

MAX_BATCH: Final = 500
EVENT_ID_MAX: Final = 128
EVENT_TYPE_MAX: Final = 64
CLIENT_ID_MAX: Final = 64


# --- the wire --------------------------------------------------------------------------------


def _rfc3339_text(value: object) -> object:
    # Pydantic would also take a number of seconds; the contract is RFC 3339 text.
    if not isinstance(value, str):
        raise ValueError("time must be an RFC 3339 string with an offset")
    return value


EventTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]


class IngestEvent(BaseModel):
    """One event a game server sends: something a player did."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        min_length=1,
        max_length=EVENT_ID_MAX,
        description="The client's own id of the event, unique per client: a retry with the "
        "same id is counted once.",
    )
    type: str = Field(
        min_length=1, max_length=EVENT_TYPE_MAX, description="An active event type of catalog."
    )
    user_id: uuid.UUID = Field(description="The player (known to the platform, not deleted).")
    time: EventTime = Field(
        description="When it happened: RFC 3339 with an offset, at most 5 minutes ahead and at "
        "most 30 days old."
    )
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="The event's properties, as its type declares them: each required one "
        "present, each of its declared type (an integer is a number, a boolean is not an "
        "integer), and no other.",
    )


class IngestBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[IngestEvent] = Field(min_length=1, max_length=MAX_BATCH)


class IngestAccepted(BaseModel):
    """Every event of the request is durable (the broker confirmed each): `accepted` new ones,
    `duplicates` already accepted before (same client and id) or repeated in the request."""

    accepted: int
    duplicates: int


class IngestProblem(BaseModel):
    """One reason a request was refused."""

    index: int | None = Field(
        description="The event's position in `events` (0 for the single-event route); null "
        "when the problem is the request's as a whole (say, too many events)."
    )
    loc: list[str | int] = Field(
        description='Where in the event: `["data", "gold"]`, `["time"]`, `[]` for the '
        "event as a whole."
    )
    msg: str
    type: str = Field(description="A stable code: `unknown_type`, `wrong_type`, ...")


class IngestRefusal(BaseModel):
    """422: nothing of the request was accepted; fix the events named and send it again."""

    detail: list[IngestProblem]


# --- the tables ------------------------------------------------------------------------------


class IngestedEvent(SQLModel, table=True):
    """An accepted event, keyed by (client, the client's id): the same pair again is a
    duplicate. Its row is committed only after the broker confirmed the message."""

    __tablename__ = "ingested_event"
    __table_args__ = (Index("ix_ingested_event_user_id", "user_id"),)

    client_id: str = Field(primary_key=True, max_length=CLIENT_ID_MAX)
    event_id: str = Field(primary_key=True, max_length=EVENT_ID_MAX)
    envelope_id: uuid.UUID
    type: str = Field(max_length=EVENT_TYPE_MAX)
    user_id: uuid.UUID
    accepted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class IngestSourceDay(SQLModel, table=True):
    """A source's figures for one UTC day: accepted events per type, refused events, and when
    it last sent anything. One upsert per request."""

    __tablename__ = "ingest_source_day"

    client_id: str = Field(primary_key=True, max_length=CLIENT_ID_MAX)
    day: date = Field(sa_column=Column(Date, primary_key=True))
    events: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    rejected: int = Field(sa_column=Column(Integer, nullable=False, server_default="0"))
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SourceFigures(BaseModel):
    """One event source (a client) on the operations page."""

    client_id: str
    events_today: dict[str, int] = Field(description="Accepted events today (UTC) per type.")
    last_seen_at: datetime = Field(description="Its last request, accepted or refused.")
    rejected_today: int = Field(
        description="Events named in its refused (422) requests today; a request refused as a "
        "whole counts one."
    )
