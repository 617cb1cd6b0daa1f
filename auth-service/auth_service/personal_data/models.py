"""The personal-data export and the account deletion request (no table of its own)."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from auth_service.core.fields import NO_NUL
from auth_service.progression.models import BadgePublic
from auth_service.users.models import UserPublic
from auth_service.wallet.models import LedgerEntryPublic


class AccountDeletion(BaseModel):
    password: str = PydanticField(min_length=1, max_length=128, pattern=NO_NUL)


class ProfileExport(UserPublic):
    updated_at: datetime
    last_sign_in_at: datetime | None


class LedgerEntryExport(LedgerEntryPublic):
    idempotency_key: str


class SessionExport(BaseModel):
    """A refresh token's metadata; the token itself is never stored, only its hash (left out)."""

    model_config = ConfigDict(from_attributes=True)

    token_id: uuid.UUID
    family_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    spent_at: datetime | None
    revoked_at: datetime | None


class AuditAboutYou(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class PersonalDataExport(BaseModel):
    exported_at: datetime
    profile: ProfileExport
    ledger: list[LedgerEntryExport]
    badges: list[BadgePublic]
    sessions: list[SessionExport]
    admin_changes: list[AuditAboutYou]
