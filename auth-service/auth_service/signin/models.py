"""The sign-in throttle's table (also the abuse limits' counters)."""

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from auth_service.core.fields import timestamp_column


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account name or per client address, shared by every replica."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "subject", name="uq_login_throttle_scope_subject"),)

    throttle_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # "account" | "address" (login), "<action>:<kind>" (auth_service.signin.abuse)
    scope: str = Field(max_length=16)
    subject: str = Field(max_length=255)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(sa_column=timestamp_column())
    locked_until: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
