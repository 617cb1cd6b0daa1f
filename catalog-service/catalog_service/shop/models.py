"""The shop: offers that diamonds or gold buy, and the redemptions of them.

One domain for both tables: a redemption reserves an offer's stock in the same transaction that
records it, and an offer cannot be deleted while one of its redemptions is still pending.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog_service.core.models import CatalogRow, slug_column, slug_field, unique_slug_field
from catalog_service.quests.models import WindowChecks
from quest_common.db import utcnow

MAX_PRICE = 1_000_000
MAX_STOCK = 1_000_000_000
MAX_LIMIT = 1_000_000


class PriceItem(StrEnum):
    diamond = "diamond"
    gold = "gold"


class RedemptionStatus(StrEnum):
    pending = "pending"  # stock reserved, the debit at auth not answered yet
    done = "done"  # debited; the code is the player's
    released = "released"  # auth refused the debit: the stock went back


class OfferChecks(WindowChecks):
    """The checks of every offer body, whole (POST, PUT) or partial (PATCH)."""


class OfferFields(OfferChecks):
    """Every offer field except its name (the name is in the path of the seeding route)."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    price_item: PriceItem = Field(sa_type=String(16))
    price_qty: int = Field(ge=1, le=MAX_PRICE)
    stock: int | None = Field(
        default=None, ge=0, le=MAX_STOCK, description="Units left to redeem (null: unlimited)."
    )
    per_player_limit: int | None = Field(
        default=None,
        ge=1,
        le=MAX_LIMIT,
        description="Most redemptions one player may hold, pending or done (null: no limit).",
    )
    starts_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ends_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    is_active: bool = True


class OfferBase(OfferFields):
    name: str = unique_slug_field()


class OfferCreate(OfferBase):
    pass


class OfferUpsert(OfferFields):
    """Body of `PUT /offers/by-name/{name}`: the name comes from the path."""


class OfferUpdate(OfferChecks):
    """PATCH body: fields left out stay as they are. `stock`, `per_player_limit` and the time
    bounds accept null (unlimited, no limit, open); the others are not nullable."""

    name: str = slug_field(default=None)
    title: str = Field(default=None, min_length=1, max_length=200)
    description: str = Field(default=None, max_length=2000)
    price_item: PriceItem = Field(default=None)
    price_qty: int = Field(default=None, ge=1, le=MAX_PRICE)
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    per_player_limit: int | None = Field(default=None, ge=1, le=MAX_LIMIT)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_active: bool = Field(default=None)


class Offer(CatalogRow, OfferBase, table=True):
    __table_args__ = (
        # The last line of defence of "never oversold": a stock below zero cannot be stored.
        CheckConstraint("stock IS NULL OR stock >= 0", name="ck_offer_stock_not_negative"),
        CheckConstraint("price_qty >= 1", name="ck_offer_price_positive"),
    )

    offer_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = slug_column()


class OfferPublic(OfferBase):
    offer_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class OffersPublic(SQLModel):
    data: list[OfferPublic]
    count: int


class Redemption(SQLModel, table=True):
    """One player's purchase of one offer. The id is the debit's idempotency key at auth, so a
    debit retried after a lost answer lands once."""

    __table_args__ = (
        # The player's `Idempotency-Key`: the same request again finds this row.
        UniqueConstraint("user_id", "idempotency_key", name="uq_redemption_user_key"),
    )

    redemption_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(index=True)
    idempotency_key: str = Field(max_length=200)
    # Null once the offer is deleted: the player keeps the redemption and its code.
    offer_id: uuid.UUID | None = Field(
        default=None, foreign_key="offer.offer_id", ondelete="SET NULL", index=True
    )
    # What was bought, as it was at the time (an offer can be renamed or repriced later).
    offer_name: str = Field(max_length=64)
    offer_title: str = Field(max_length=200)
    price_item: str = Field(max_length=16)
    price_qty: int
    status: str = Field(default=RedemptionStatus.pending, max_length=16, index=True)
    code: str | None = Field(default=None, max_length=32)
    # Why auth refused the debit (released), e.g. "not enough diamonds".
    refusal: str | None = Field(default=None, max_length=200)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RedemptionOffer(SQLModel):
    """The offer as the redemption recorded it."""

    offer_id: uuid.UUID | None
    name: str
    title: str


class Price(SQLModel):
    item: PriceItem
    qty: int


class RedemptionPublic(SQLModel):
    redemption_id: uuid.UUID
    status: RedemptionStatus
    code: str | None
    offer: RedemptionOffer
    price: Price
    refusal: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, row: Redemption) -> RedemptionPublic:
        return cls(
            redemption_id=row.redemption_id,
            status=RedemptionStatus(row.status),
            code=row.code,
            offer=RedemptionOffer(
                offer_id=row.offer_id, name=row.offer_name, title=row.offer_title
            ),
            price=Price(item=PriceItem(row.price_item), qty=row.price_qty),
            refusal=row.refusal,
            created_at=row.created_at,
            finished_at=row.finished_at,
        )


class RedemptionsPublic(SQLModel):
    data: list[RedemptionPublic]
    count: int


class RedemptionAdmin(RedemptionPublic):
    """An admin's view adds who redeemed and the delivery state of a pending one."""

    user_id: uuid.UUID
    attempts: int
    last_error: str | None

    @classmethod
    def of_row(cls, row: Redemption) -> RedemptionAdmin:
        return cls(
            **RedemptionPublic.of(row).model_dump(),
            user_id=row.user_id,
            attempts=row.attempts,
            last_error=row.last_error,
        )


class RedemptionsAdmin(SQLModel):
    data: list[RedemptionAdmin]
    count: int
