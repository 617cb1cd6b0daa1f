"""The wallet ledger (table), credits and adjustments.

The balances themselves are columns of the users row (`auth_service.users`), changed only
through `users.service.add_to_balance`.
"""

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from auth_service.core.fields import NO_NUL, timestamp_column
from quest_common.db import utcnow

# The items with a balance (and a ledger): XP is one, credited like diamonds and never spent.
Item = Literal["diamond", "gold", "xp"]
# What a credit may give: a balance item, or a badge (held once, no balance: see progression).
CreditItem = Literal["diamond", "gold", "xp", "badge"]
# What can be spent (a debit): the currencies. XP is never spent.
Currency = Literal["diamond", "gold"]
BADGE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # the catalog reward's name that names the badge


class WalletLedger(SQLModel, table=True):
    __tablename__ = "wallet_ledger"
    __table_args__ = (Index("ix_wallet_ledger_user_created", "user_id", "created_at"),)

    entry_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Unique: the same credit retried (a claim, a redelivered grant) lands once.
    idempotency_key: str = Field(max_length=200, unique=True)
    user_id: uuid.UUID = Field(foreign_key="users.user_id", ondelete="CASCADE")
    item: str = Field(max_length=16)
    qty: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str = Field(default="", max_length=255)
    balance_after: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # The admin who made a manual adjustment; None for credits from a service.
    actor_id: uuid.UUID | None = Field(default=None)


class WalletCredit(BaseModel):
    idempotency_key: str = PydanticField(min_length=1, max_length=200, pattern=NO_NUL)
    user_id: uuid.UUID
    item: CreditItem
    qty: int = PydanticField(ge=1, le=1_000_000)
    reason: str = PydanticField(default="", max_length=255, pattern=NO_NUL)
    # Item `badge` only: which badge (the name of the catalog reward that gives it).
    badge: str | None = PydanticField(
        default=None, min_length=1, max_length=64, pattern=BADGE_PATTERN
    )

    @model_validator(mode="after")
    def _badge_or_amount(self) -> Self:
        if self.item == "badge":
            if self.badge is None:
                raise ValueError("a badge credit names its badge")
            if self.qty != 1:
                raise ValueError("a badge credit gives one badge: qty must be 1")
        elif self.badge is not None:
            raise ValueError(f"an {self.item} credit names no badge")
        return self


class WalletCreditResult(BaseModel):
    entry_id: uuid.UUID
    idempotency_key: str
    user_id: uuid.UUID
    item: Item
    qty: int
    balance: int  # the balance of `item` right after this credit
    created_at: datetime
    diamond: int  # current balances
    gold: int
    xp: int


class WalletDebit(BaseModel):
    """A service's debit (the shop's redemption): the shape of a credit; `qty` is what is taken,
    its ledger entry holds it negative."""

    idempotency_key: str = PydanticField(min_length=1, max_length=200, pattern=NO_NUL)
    user_id: uuid.UUID
    item: Currency
    qty: int = PydanticField(ge=1, le=1_000_000)
    reason: str = PydanticField(default="", max_length=255, pattern=NO_NUL)


class WalletDebitResult(WalletCreditResult):
    """The debit's ledger entry (`qty` negative), the balance of `item` right after it, and the
    current balances."""


class LedgerEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: uuid.UUID
    item: Item
    qty: int
    reason: str
    balance_after: int
    created_at: datetime


class LedgerEntriesPublic(BaseModel):
    data: list[LedgerEntryPublic]
    count: int


ADJUSTMENT_MAX = 1_000_000


class Adjustment(BaseModel):
    """A manual correction of a balance by an admin: positive credits, negative debits."""

    model_config = ConfigDict(extra="forbid")

    item: Item
    # "Not 0" is in the schema too (`not: {const: 0}`): the document refuses what the service does.
    qty: int = PydanticField(
        ge=-ADJUSTMENT_MAX, le=ADJUSTMENT_MAX, json_schema_extra={"not": {"const": 0}}
    )
    reason: str = PydanticField(min_length=1, max_length=200, pattern=NO_NUL)

    @field_validator("qty")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("qty must not be 0")
        return value

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value


class AdjustmentResult(BaseModel):
    entry_id: uuid.UUID
    user_id: uuid.UUID
    item: Item
    qty: int
    reason: str
    balance: int  # the balance of `item` right after this adjustment
    created_at: datetime
    diamond: int
    gold: int
    xp: int
