"""The shop's rules as plain functions (no I/O, unit-tested directly)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

LEDGER_REASON_MAX = 255  # auth's ledger reason column
# Letters and digits a player can read back without confusing them (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4


@dataclass(frozen=True, slots=True)
class OfferState:
    """What decides whether an offer can be redeemed right now."""

    is_active: bool
    starts_at: datetime | None
    ends_at: datetime | None
    stock: int | None
    per_player_limit: int | None


def refusal(offer: OfferState, *, now: datetime, held_by_player: int) -> str | None:
    """Why the player cannot redeem the offer now (the 409's detail), or None.

    `held_by_player`: the player's redemptions of this offer that count against the limit
    (pending or done; a released one gave its unit back)."""
    if not offer.is_active:
        return "offer is not active"
    if offer.starts_at is not None and now < offer.starts_at:
        return "offer has not started yet"
    if offer.ends_at is not None and now >= offer.ends_at:
        return "offer has ended"
    if offer.stock is not None and offer.stock <= 0:
        return "out of stock"
    if offer.per_player_limit is not None and held_by_player >= offer.per_player_limit:
        return "limit reached"
    return None


def ledger_reason(offer_title: str) -> str:
    """What the player's wallet history says for a purchase ("Shop: Golden frame")."""
    return f"Shop: {offer_title}"[:LEDGER_REASON_MAX]


def not_enough(item: str) -> str:
    """The 409's detail when the balance is short ("not enough diamonds")."""
    return f"not enough {item}s" if item == "diamond" else f"not enough {item}"


def redemption_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A code the player copies: three groups of four readable characters ("K7QM-2XHD-9PRT")."""
    return "-".join(
        "".join(choose(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS)
    )


def retry_delay(attempts: int, *, max_s: float) -> float:
    """Capped exponential backoff between debit attempts of a pending redemption: 1, 2, 4, …
    seconds, never more than `max_s` (which bounds how long after auth's return one waits)."""
    return float(min(2 ** max(attempts - 1, 0), max_s))
