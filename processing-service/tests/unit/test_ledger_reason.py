"""The reason a credited reward carries into the player's wallet history."""

import uuid

from processing_service.grants.models import LEDGER_REASON_MAX, GrantData


def grant(title: str) -> GrantData:
    return GrantData(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), title, "diamond", 10, "quest_claim")


def test_the_wallet_names_the_quest_in_words() -> None:
    assert grant("Sign in three times").ledger_reason == "Quest: Sign in three times"


def test_a_long_title_fits_the_ledger_and_a_missing_one_keeps_the_code() -> None:
    assert len(grant("x" * 400).ledger_reason) == LEDGER_REASON_MAX
    assert grant("").ledger_reason == "quest_claim"
