"""The shop's rules, without I/O: when an offer can be redeemed, the ledger line, the code."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from catalog_service.shop.rules import (
    CODE_ALPHABET,
    OfferState,
    ledger_reason,
    not_enough,
    redemption_code,
    refusal,
    retry_delay,
)

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
OPEN = OfferState(is_active=True, starts_at=None, ends_at=None, stock=None, per_player_limit=None)

moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
stocks = st.none() | st.integers(min_value=0, max_value=1000)
limits = st.none() | st.integers(min_value=1, max_value=100)


def test_an_open_offer_with_stock_can_be_redeemed() -> None:
    assert refusal(OPEN, now=NOW, held_by_player=0) is None


def test_each_reason_in_words() -> None:
    def state(**changes: object) -> OfferState:
        values = {
            "is_active": True,
            "starts_at": None,
            "ends_at": None,
            "stock": None,
            "per_player_limit": None,
            **changes,
        }
        return OfferState(**values)  # type: ignore[arg-type]

    hour = timedelta(hours=1)
    assert refusal(state(is_active=False), now=NOW, held_by_player=0) == "offer is not active"
    assert (
        refusal(state(starts_at=NOW + hour), now=NOW, held_by_player=0)
        == "offer has not started yet"
    )
    assert refusal(state(ends_at=NOW), now=NOW, held_by_player=0) == "offer has ended"
    assert refusal(state(stock=0), now=NOW, held_by_player=0) == "out of stock"
    assert refusal(state(per_player_limit=2), now=NOW, held_by_player=2) == "limit reached"
    assert refusal(state(per_player_limit=2), now=NOW, held_by_player=1) is None


@given(
    active=st.booleans(),
    starts=st.none() | moments,
    ends=st.none() | moments,
    stock=stocks,
    limit=limits,
    held=st.integers(min_value=0, max_value=200),
    now=moments,
)
def test_a_redemption_is_allowed_exactly_when_every_condition_holds(
    active: bool,
    starts: datetime | None,
    ends: datetime | None,
    stock: int | None,
    limit: int | None,
    held: int,
    now: datetime,
) -> None:
    offer = OfferState(
        is_active=active, starts_at=starts, ends_at=ends, stock=stock, per_player_limit=limit
    )
    allowed = (
        active
        and (starts is None or starts <= now)
        and (ends is None or now < ends)
        and (stock is None or stock > 0)
        and (limit is None or held < limit)
    )
    assert (refusal(offer, now=now, held_by_player=held) is None) == allowed


def test_the_ledger_line_names_the_offer_and_fits_the_column() -> None:
    assert ledger_reason("Golden frame") == "Shop: Golden frame"
    assert len(ledger_reason("x" * 400)) == 255


def test_not_enough_names_the_item() -> None:
    assert not_enough("diamond") == "not enough diamonds"
    assert not_enough("gold") == "not enough gold"


@given(seed=st.integers())
def test_a_code_is_three_readable_groups_of_four(seed: int) -> None:
    code = redemption_code(random.Random(seed).choice)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


@given(attempts=st.integers(min_value=0, max_value=100))
def test_retries_back_off_and_never_wait_longer_than_the_cap(attempts: int) -> None:
    delay = retry_delay(attempts, max_s=30)
    assert 1 <= delay <= 30
    assert retry_delay(attempts + 1, max_s=30) >= delay
