"""Progression in auth against the real database: XP credited exactly once and levels from
catalog's curve, one `auth.LevelReached` per level, badges once, the public player page, and the
boards by period (ties, the caller's own rank, players with nothing, bad input)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from quest_common.progression import DEFAULT_LEVEL_THRESHOLDS, Period, period_bounds

PREFIX = "/api/auth"
CREDITS = "/internal/wallet/credits"


def _credit(user_id: str, qty: int, *, item: str = "xp", key: str | None = None, **extra: Any):
    return {
        "idempotency_key": key or f"test:{uuid.uuid4()}",
        "user_id": user_id,
        "item": item,
        "qty": qty,
        "reason": "Quest: test",
        **extra,
    }


def _me(client: TestClient, player: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/users/me", headers=player["headers"])
    assert response.status_code == 200, response.text
    return dict(response.json())


class CatalogLevels:
    """A stand-in for catalog's `GET /api/catalog/levels` (with ETag), counting its reads."""

    def __init__(self, thresholds: list[int]) -> None:
        self.thresholds = thresholds
        self.reads = 0
        self.not_modified = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.reads += 1
                body = json.dumps({"thresholds": outer.thresholds}).encode()
                etag = f'"{hash(body)}"'
                if self.headers.get("If-None-Match") == etag:
                    outer.not_modified += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def catalog_levels() -> Iterator[CatalogLevels]:
    levels = CatalogLevels([0, 10, 20, 40])
    yield levels
    levels.close()


def test_xp_is_credited_once_and_the_level_follows_the_default_curve(
    client: TestClient, player: dict[str, Any], service_headers: dict[str, str]
) -> None:
    # The test app's catalog is unreachable: the default curve (0, 100, 250, 500, ...) applies.
    me = _me(client, player)
    assert (me["xp"], me["level"], me["level_starts_at_xp"], me["next_level_at_xp"]) == (
        0,
        1,
        0,
        100,
    )
    payload = _credit(player["user_id"], 260)
    first = client.post(CREDITS, json=payload, headers=service_headers)
    again = client.post(CREDITS, json=payload, headers=service_headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert first.json()["balance"] == 260
    me = _me(client, player)
    assert (me["xp"], me["level"], me["level_starts_at_xp"], me["next_level_at_xp"]) == (
        260,
        3,
        250,
        500,
    )


def test_the_level_comes_from_catalogs_curve_when_catalog_answers(
    make_settings: Callable[..., Any],
    catalog_levels: CatalogLevels,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
) -> None:
    from auth_service.main import create_app

    settings = make_settings(catalog_url=catalog_levels.url, level_curve_ttl_seconds=0)
    with TestClient(create_app(settings)) as client:
        user = signup(client)
        token = login(client, user["user_name"], user["password"])["access_token"]
        player = {**user, "headers": {"Authorization": f"Bearer {token}"}}
        service = client.post(
            "/internal/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "processing-service",
                "client_secret": settings.processing_client_secret,
            },
        ).json()["access_token"]
        credited = client.post(
            CREDITS,
            json=_credit(user["user_id"], 25),
            headers={"Authorization": f"Bearer {service}"},
        )
        assert credited.status_code == 200, credited.text
        me = _me(client, player)
        assert (me["level"], me["level_starts_at_xp"], me["next_level_at_xp"]) == (3, 20, 40)
        # An unchanged curve is revalidated with its ETag: 304, nothing re-read.
        assert catalog_levels.not_modified >= 1
        catalog_levels.thresholds = [0, 30]
        me = _me(client, player)
        assert (me["level"], me["next_level_at_xp"]) == (1, 30)


def test_each_level_crossed_is_announced_once_through_the_outbox(
    events_app: Any, signup: Callable[..., dict[str, Any]]
) -> None:
    client = events_app.client
    user = signup(client)
    service = client.post(
        "/internal/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "processing-service",
            "client_secret": events_app.settings.processing_client_secret,
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {service}"}
    # 0 → 260 crosses levels 2 and 3 at once; the retry announces nothing; 260 → 600 gives 4.
    payload = _credit(user["user_id"], 260)
    assert client.post(CREDITS, json=payload, headers=headers).status_code == 200
    assert client.post(CREDITS, json=payload, headers=headers).status_code == 200
    assert (
        client.post(CREDITS, json=_credit(user["user_id"], 340), headers=headers).status_code == 200
    )
    events = [e for e in events_app.events(expect=3) if e["type"] == "LevelReached"]
    assert [(e["data"]["user_id"], e["data"]["level"]) for e in events] == [
        (user["user_id"], 2),
        (user["user_id"], 3),
        (user["user_id"], 4),
    ]
    assert all(e["source"] == "auth-service" for e in events)


def test_xp_is_never_adjusted_below_zero(
    client: TestClient, player: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    url = f"{PREFIX}/admin/users/{player['user_id']}/adjustments"
    given = client.post(url, json={"item": "xp", "qty": 50, "reason": "r"}, headers=admin_headers)
    assert given.status_code == 201, given.text
    below = client.post(url, json={"item": "xp", "qty": -51, "reason": "r"}, headers=admin_headers)
    assert below.status_code == 409
    assert _me(client, player)["xp"] == 50


def test_a_badge_is_held_once(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
    db_session: Session,
) -> None:
    payload = _credit(player["user_id"], 1, item="badge", badge="pioneer")
    first = client.post(CREDITS, json=payload, headers=service_headers)
    retry = client.post(CREDITS, json=payload, headers=service_headers)
    assert first.status_code == retry.status_code == 200, first.text
    assert first.json() == retry.json()
    other = client.post(
        CREDITS,
        json=_credit(player["user_id"], 1, item="badge", badge="pioneer"),
        headers=service_headers,
    )
    assert other.status_code == 200 and other.json()["given"] is False
    badges = client.get(f"{PREFIX}/users/me/badges", headers=player["headers"])
    assert badges.status_code == 200
    assert [b["badge"] for b in badges.json()["data"]] == ["pioneer"]
    # No balance moved, nothing in the ledger: a badge is not an amount.
    assert _me(client, player)["diamond"] == 0
    rows = db_session.execute(
        text("SELECT count(*) FROM wallet_ledger WHERE user_id = :u"), {"u": player["user_id"]}
    ).scalar_one()
    assert rows == 0
    assert client.get(f"{PREFIX}/users/me/badges").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"item": "badge", "qty": 1},  # which badge?
        {"item": "badge", "qty": 2, "badge": "pioneer"},  # a badge is one
        {"item": "xp", "qty": -5},
        {"item": "xp", "qty": 5, "badge": "pioneer"},  # a badge name on an amount
    ],
)
def test_bad_credits_are_422_and_write_nothing(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
    body: dict[str, Any],
) -> None:
    payload = {**_credit(player["user_id"], 1), **body}
    response = client.post(CREDITS, json=payload, headers=service_headers)
    assert response.status_code == 422, response.text
    assert _me(client, player)["xp"] == 0
    badges = client.get(f"{PREFIX}/users/me/badges", headers=player["headers"]).json()
    assert badges["count"] == 0


def test_the_public_player_page_shows_level_badges_and_since_only(
    client: TestClient,
    player: dict[str, Any],
    service_headers: dict[str, str],
) -> None:
    for payload in (
        _credit(player["user_id"], 120),
        _credit(player["user_id"], 7, item="diamond"),
        _credit(player["user_id"], 1, item="badge", badge="first-steps"),
    ):
        assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    page = client.get(f"{PREFIX}/players/{player['user_name']}")  # no token: public
    assert page.status_code == 200, page.text
    body = page.json()
    assert set(body) == {"user_name", "level", "badges", "member_since"}
    assert (body["user_name"], body["level"]) == (player["user_name"], 2)
    assert [b["badge"] for b in body["badges"]] == ["first-steps"]
    assert client.get(f"{PREFIX}/players/nobody_{uuid.uuid4().hex[:8]}").status_code == 404
    assert client.get(f"{PREFIX}/players/{'x' * 65}").status_code in (404, 422)


def test_badges_are_exported_and_go_with_a_deleted_account(
    client: TestClient,
    player: dict[str, Any],
    db_session: Session,
    service_headers: dict[str, str],
) -> None:
    payload = _credit(player["user_id"], 1, item="badge", badge="keeper")
    assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    export = client.get(f"{PREFIX}/users/me/export", headers=player["headers"]).json()
    assert [b["badge"] for b in export["badges"]] == ["keeper"]
    assert client.get(f"{PREFIX}/players/{player['user_name']}").status_code == 200
    deleted = client.request(
        "DELETE",
        f"{PREFIX}/users/me",
        json={"password": player["password"]},
        headers=player["headers"],
    )
    assert deleted.status_code == 204, deleted.text
    assert client.get(f"{PREFIX}/players/{player['user_name']}").status_code == 404
    left = db_session.execute(
        text("SELECT count(*) FROM user_badge WHERE user_id = :u"), {"u": player["user_id"]}
    ).scalar_one()
    assert left == 0


# --- boards ----------------------------------------------------------------------------------


def _board(client: TestClient, player: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/leaderboard", params=params, headers=player["headers"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_ties_share_a_medal_and_go_to_who_got_there_first(
    client: TestClient,
    signup: Callable[..., dict[str, Any]],
    login: Callable[..., dict[str, Any]],
    service_headers: dict[str, str],
) -> None:
    # Far above anything other tests credit, so these are the top of the gold boards.
    users = [signup(client) for _ in range(4)]
    amounts = [1_000_000, 1_000_000, 800_000, 1_000_000]
    for user, amount in zip(users, amounts, strict=True):
        payload = _credit(user["user_id"], amount, item="gold")
        assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    token = login(client, users[3]["user_name"], users[3]["password"])["access_token"]
    last = {**users[3], "headers": {"Authorization": f"Bearer {token}"}}
    for period in ("all", "week", "month"):
        body = _board(client, last, item="gold", period=period, limit=4)
        rows = body["data"]
        assert [r["user_name"] for r in rows] == [
            users[0]["user_name"],
            users[1]["user_name"],
            users[3]["user_name"],
            users[2]["user_name"],
        ], period
        assert [r["rank"] for r in rows] == [1, 2, 3, 4]
        assert [r["shared_rank"] for r in rows] == [1, 1, 1, 4]
        assert [r["you"] for r in rows] == [False, False, True, False]
        assert body["me"] == {"rank": 3, "shared_rank": 1, "value": 1_000_000}
        assert "user_id" not in rows[0]
        # Outside a top of 2, the caller still gets their place.
        assert _board(client, last, item="gold", period=period, limit=2)["me"]["rank"] == 3


def test_the_week_and_month_boards_count_what_was_earned_in_the_period(
    client: TestClient,
    player: dict[str, Any],
    db_session: Session,
    auth_db_url: str,
    admin_headers: dict[str, str],
    service_headers: dict[str, str],
) -> None:
    from auth_service.core.db import build_engine
    from auth_service.core.uow import AuthUnitOfWork
    from auth_service.wallet.models import WalletCredit
    from auth_service.wallet.service import credit

    user_id = uuid.UUID(player["user_id"])
    now = datetime.now(UTC)
    week_start, _ = period_bounds(Period.week, now)
    month_start, _ = period_bounds(Period.month, now)
    # Just before this week and this month began: on the all-time board, not on these.
    before = min(week_start, month_start) - timedelta(seconds=1)
    engine = build_engine(auth_db_url)
    try:
        with AuthUnitOfWork(engine) as uow:
            credit(
                uow=uow,
                credit=WalletCredit(
                    idempotency_key=f"t:{uuid.uuid4()}", user_id=user_id, item="xp", qty=70
                ),
                thresholds=DEFAULT_LEVEL_THRESHOLDS,
                now=before,
            )
    finally:
        engine.dispose()
    payload = _credit(player["user_id"], 30)
    assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    url = f"{PREFIX}/admin/users/{player['user_id']}/adjustments"
    adjusted = client.post(
        url, json={"item": "xp", "qty": -10, "reason": "r"}, headers=admin_headers
    )
    assert adjusted.status_code == 201
    assert _board(client, player, item="xp", period="all")["me"]["value"] == 90
    assert _board(client, player, item="xp", period="week")["me"]["value"] == 20
    assert _board(client, player, item="xp", period="month")["me"]["value"] == 20
    # The entries are filed under the very period starts the Python rules compute.
    starts = {
        period: start
        for period, start in db_session.execute(
            text(
                "SELECT period, max(period_start) FROM leaderboard_entry"
                " WHERE user_id = :u AND item = 'xp' GROUP BY period"
            ),
            {"u": user_id},
        ).all()
    }
    assert starts["week"] == week_start and starts["month"] == month_start
    week = _board(client, player, item="xp", period="week")
    assert week["period_starts_at"] is not None
    assert datetime.fromisoformat(week["resets_at"]) == week_start + timedelta(days=7)


def test_players_with_nothing_are_listed_after_everyone_with_something(
    client: TestClient,
    signup: Callable[..., dict[str, Any]],
    player: dict[str, Any],
) -> None:
    quiet = [signup(client) for _ in range(2)]
    body = _board(client, player, item="xp", period="week", limit=100)
    values = [r["value"] for r in body["data"]]
    assert values == sorted(values, reverse=True)
    names = [r["user_name"] for r in body["data"]]
    positive = sum(1 for v in values if v > 0)
    # Players with nothing share the place after everyone with something.
    assert body["me"] == {"rank": positive + 1, "shared_rank": positive + 1, "value": 0}
    if len(names) < 100:
        # Everyone is on the board: the quiet ones too, after the ones with XP, by sign-up.
        assert names.index(quiet[0]["user_name"]) < names.index(quiet[1]["user_name"])
        zeros = [r for r in body["data"] if r["value"] == 0]
        assert {(r["rank"], r["shared_rank"]) for r in zeros} == {(positive + 1, positive + 1)}


def test_banned_players_are_not_on_the_boards(
    client: TestClient,
    signup: Callable[..., dict[str, Any]],
    player: dict[str, Any],
    admin_headers: dict[str, str],
    service_headers: dict[str, str],
) -> None:
    cheat = signup(client)
    for _ in range(3):
        payload = _credit(cheat["user_id"], 1_000_000, item="diamond")
        assert client.post(CREDITS, json=payload, headers=service_headers).status_code == 200
    top = _board(client, player, item="diamond", period="all", limit=1)["data"]
    assert top[0]["user_name"] == cheat["user_name"]
    banned = client.patch(
        f"{PREFIX}/users/{cheat['user_id']}", json={"status": 2}, headers=admin_headers
    )
    assert banned.status_code == 200
    top = _board(client, player, item="diamond", period="all", limit=5)["data"]
    assert cheat["user_name"] not in [r["user_name"] for r in top]


@pytest.mark.parametrize(
    "params", [{"item": "ruby"}, {"item": "badge"}, {"period": "year"}, {"limit": 0}]
)
def test_an_unknown_board_is_422(
    client: TestClient, player: dict[str, Any], params: dict[str, Any]
) -> None:
    response = client.get(f"{PREFIX}/leaderboard", params=params, headers=player["headers"])
    assert response.status_code == 422
    assert "detail" in response.json()
    assert client.get(f"{PREFIX}/leaderboard").status_code == 401


def test_ranks_from_the_maintained_counts_equal_ranks_counted_from_the_ledger(
    fresh_db_url: str,
) -> None:
    """Random credits, adjustments and a ban on a database of its own: every player's place
    from the maintained counts equals the one counted from the ledger's history directly."""
    import random

    from auth_service.core.db import build_engine
    from auth_service.core.uow import AuthUnitOfWork
    from auth_service.progression.service import board
    from auth_service.users.models import User, UserStatus
    from auth_service.wallet.models import Adjustment, WalletCredit
    from auth_service.wallet.service import InsufficientBalanceError, adjust, credit
    from quest_common import audit

    engine = build_engine(fresh_db_url)
    rng = random.Random(2026)
    try:
        with Session(engine) as session:
            users = [User(user_name=f"rank_{n}", hashed_password="x") for n in range(8)]
            session.add_all(users)
            session.commit()
            start = datetime.now(UTC) - timedelta(seconds=200)
            history: dict[uuid.UUID, list[tuple[datetime, int]]] = {u.user_id: [] for u in users}
            for step in range(80):
                user = rng.choice(users)
                at = start + timedelta(seconds=step)
                qty = rng.choice([5, 10, 10, 20, -5])
                try:
                    if qty > 0:
                        key = f"rank:{uuid.uuid4()}"
                        wallet_credit = WalletCredit(
                            idempotency_key=key, user_id=user.user_id, item="gold", qty=qty
                        )
                        with AuthUnitOfWork(engine) as uow:
                            credit(
                                uow=uow,
                                credit=wallet_credit,
                                thresholds=DEFAULT_LEVEL_THRESHOLDS,
                                now=at,
                            )
                    else:
                        adjustment = Adjustment(item="gold", qty=qty, reason="rank test")
                        with AuthUnitOfWork(engine) as uow:
                            adjust(
                                uow=uow,
                                user_id=user.user_id,
                                adjustment=adjustment,
                                actor=audit.Actor(id=str(uuid.uuid4()), name="admin"),
                                thresholds=DEFAULT_LEVEL_THRESHOLDS,
                                now=at,
                            )
                except InsufficientBalanceError:
                    continue
                history[user.user_id].append((at, qty))
            banned = users[0]
            banned.status = UserStatus.BANNED
            session.add(banned)
            session.commit()
            listed = users[1:]
            for period in (Period.all, Period.week):
                expected: dict[uuid.UUID, tuple[int, datetime | None]] = {}
                for user in listed:
                    total, last = 0, None
                    for at, qty in history[user.user_id]:
                        # A week's earnings never go below 0; a balance never does anyway.
                        total = max(total + qty, 0)
                        last = at
                    expected[user.user_id] = (total, last)
                for user in listed:
                    value, last = expected[user.user_id]
                    got = board(
                        session=session,
                        item="gold",
                        period=period,
                        limit=3,
                        me=user,
                        now=datetime.now(UTC),
                    ).me
                    assert got is not None and got.value == value, period
                    above = sum(1 for v, _ in expected.values() if v > value)
                    assert got.shared_rank == 1 + above, (period, value)
                    if value == 0:
                        assert got.rank == got.shared_rank
                        continue
                    ties_first = sum(
                        1
                        for other in listed
                        if other.user_id != user.user_id
                        and expected[other.user_id][0] == value
                        and (expected[other.user_id][1], str(other.user_id))
                        < (last, str(user.user_id))
                    )
                    assert got.rank == got.shared_rank + ties_first, (period, value)
            assert (
                board(
                    session=session,
                    item="gold",
                    period=Period.all,
                    limit=10,
                    me=banned,
                    now=datetime.now(UTC),
                ).me
                is None
            )
    finally:
        engine.dispose()
