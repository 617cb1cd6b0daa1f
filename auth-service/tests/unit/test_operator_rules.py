"""Rules of the operator tools that need no database: adjustment input, the deleted-account
name, what an audit snapshot keeps of a user."""

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from auth_service.personal_data.service import DELETED_NAME_PREFIX, deleted_name
from auth_service.users.models import USER_NAME_PATTERN, Role, User
from auth_service.users.service import audit_snapshot
from auth_service.wallet.models import ADJUSTMENT_MAX, Adjustment


@given(qty=st.integers(-ADJUSTMENT_MAX, ADJUSTMENT_MAX).filter(bool))
def test_any_non_zero_quantity_within_bounds_is_accepted(qty: int) -> None:
    assert Adjustment(item="gold", qty=qty, reason="r").qty == qty


@given(
    qty=st.one_of(
        st.just(0),
        st.integers(max_value=-ADJUSTMENT_MAX - 1),
        st.integers(min_value=ADJUSTMENT_MAX + 1),
    )
)
def test_zero_and_out_of_bounds_quantities_are_refused(qty: int) -> None:
    with pytest.raises(ValidationError):
        Adjustment(item="gold", qty=qty, reason="r")


@pytest.mark.parametrize("reason", ["", "  \t", "x" * 201, "nul\x00byte"])
def test_a_reason_is_required_short_and_printable(reason: str) -> None:
    with pytest.raises(ValidationError):
        Adjustment(item="diamond", qty=1, reason=reason)
    assert Adjustment(item="diamond", qty=1, reason="x" * 200).reason == "x" * 200


def test_unknown_fields_and_items_are_refused() -> None:
    with pytest.raises(ValidationError):
        Adjustment.model_validate({"item": "gold", "qty": 1, "reason": "r", "actor": "me"})
    with pytest.raises(ValidationError):
        Adjustment.model_validate({"item": "silver", "qty": 1, "reason": "r"})


def test_deleted_names_are_unique_fit_the_column_and_cannot_be_signed_up() -> None:
    names = {deleted_name() for _ in range(1000)}
    assert len(names) == 1000
    for name in names:
        assert name.startswith(DELETED_NAME_PREFIX) and len(name) <= 64
        assert re.fullmatch(USER_NAME_PATTERN, name) is None


def test_an_audit_snapshot_of_a_user_holds_neither_name_nor_hash() -> None:
    user = User(
        user_id=uuid.uuid4(),
        user_name="alice_in_chains",
        hashed_password="$argon2id$secret",
        role=Role.ADMIN,
        status=1,
    )
    snapshot = audit_snapshot(user)
    assert snapshot["role"] == "admin" and snapshot["status"] == 1
    flat = repr(snapshot)
    assert "alice_in_chains" not in flat and "argon2" not in flat
