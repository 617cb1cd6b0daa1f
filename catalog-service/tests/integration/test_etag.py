"""ETag / If-None-Match on reads, and a read cache that every write invalidates — on every
replica, through PostgreSQL notifications."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import text

from catalog_service.core.changes import Change, read_version, record_change
from catalog_service.core.config import Settings
from catalog_service.core.db import create_db_engine, libpq_dsn
from catalog_service.core.read_cache import VersionTracker
from catalog_service.core.uow import UnitOfWork
from catalog_service.main import create_app


def test_reads_carry_an_etag_and_if_none_match_gives_304(client: TestClient, api: Any) -> None:
    quest = api.quest()
    for url in (
        "/api/catalog/quests",
        f"/api/catalog/quests/{quest['quest_id']}",
        f"/api/catalog/rewards/{quest['reward_id']}",
        "/api/catalog/rewards",
        "/api/catalog/triggers",
    ):
        first = client.get(url)
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"'), url  # strong
        same = client.get(url, headers={"If-None-Match": etag})
        assert same.status_code == 304, url
        assert same.content == b""
        assert same.headers["etag"] == etag
        # Listed among others, or weak-compared: still a match.
        assert client.get(url, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_write_changes_the_etag_and_the_body(client: TestClient, api: Any) -> None:
    quest = api.quest()
    url = f"/api/catalog/quests/{quest['quest_id']}"
    list_url = "/api/catalog/quests?limit=1000"
    before, list_before = client.get(url), client.get(list_url)
    # Warm: served from the cache now.
    assert client.get(url).headers["etag"] == before.headers["etag"]

    client.patch(url, json={"title": "Changed"}, headers=api.headers)

    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["title"] == "Changed"
    assert after.headers["etag"] != before.headers["etag"]
    list_after = client.get(list_url, headers={"If-None-Match": list_before.headers["etag"]})
    assert list_after.status_code == 200
    titles = {q["quest_id"]: q["title"] for q in list_after.json()["data"]}
    assert titles[quest["quest_id"]] == "Changed"

    # A reward change reaches the quests that embed it.
    client.patch(
        f"/api/catalog/rewards/{quest['reward_id']}", json={"reward_qty": 77}, headers=api.headers
    )
    assert client.get(url).json()["reward"]["reward_qty"] == 77


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_write_on_one_replica_invalidates_the_other_replicas_cache(
    make_settings: Callable[..., Settings], admin_headers: dict[str, str], api: Any
) -> None:
    # No periodic resync: only the notification can tell replica B about the write.
    settings = make_settings(version_resync_seconds=3600)
    quest = api.quest()
    url = f"/api/catalog/quests/{quest['quest_id']}"
    with (
        TestClient(create_app(settings)) as replica_a,
        TestClient(create_app(settings)) as replica_b,
    ):
        assert replica_b.get(url).json()["title"] == quest["title"]
        assert replica_b.get(url).json()["title"] == quest["title"]
        assert len(replica_b.app.state.runtime.cache) == 1  # type: ignore[attr-defined]

        changed = replica_a.patch(url, json={"title": "Seen everywhere"}, headers=admin_headers)
        assert changed.status_code == 200

        assert _wait_for(lambda: replica_b.get(url).json()["title"] == "Seen everywhere")


def test_reads_bypass_the_cache_while_the_version_is_unknown(client: TestClient, api: Any) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    quest = api.quest()
    url = f"/api/catalog/quests/{quest['quest_id']}"
    assert client.get(url).status_code == 200
    assert runtime.versions.known() is not None
    # A change that bypasses the service (no version bump) is not seen: the cache answers.
    with runtime.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE quest SET title = 'Changed behind the cache' WHERE quest_id = %s",
            (quest["quest_id"],),
        )
    assert client.get(url).json()["title"] == quest["title"]
    # Simulate a lost LISTEN connection: the cache must not be trusted, reads hit the database.
    runtime.versions.stop()
    assert runtime.versions.known() is None
    assert client.get(url).json()["title"] == "Changed behind the cache"


def test_a_cache_hit_carries_the_request_id_and_is_counted_in_metrics(
    client: TestClient, api: Any
) -> None:
    """A hit is answered in front of the middleware stack: it must still echo the gateway's
    request id (or make one) and count in the same per-route series as a rendered read."""
    api.quest()
    url = "/api/catalog/quests?limit=7"

    def served_200() -> float:
        for line in client.get("/metrics").text.splitlines():
            if (
                line.startswith("http_requests_total{")
                and 'route="/quests"' in line
                and 'status="200"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    first = client.get(url)  # rendered by the route, cached
    before = served_200()
    hits = [client.get(url, headers={"X-Request-ID": f"hit-{i}"}) for i in range(3)]
    assert [h.headers["x-request-id"] for h in hits] == ["hit-0", "hit-1", "hit-2"]
    assert all(
        h.content == first.content and h.headers["etag"] == first.headers["etag"] for h in hits
    )
    made = {client.get(url).headers["x-request-id"] for _ in range(3)}
    assert len(made) == 3 and all(made)  # one of its own per request
    assert client.get(url, headers={"X-Request-ID": "x" * 65}).headers["x-request-id"] != "x" * 65
    assert served_200() == before + 7


def test_a_resync_that_read_before_a_commit_does_not_take_the_version_back(
    fresh_db_url: str,
) -> None:
    """The version tracker resyncs by a plain read; a commit observed while that read was on its
    way must not be undone by it, or this replica would serve bodies cached before the commit as
    current — right when `QuestChanged` makes processing read the quest list again."""
    # A database of its own: the change recorded here leaves a `QuestChanged` in its outbox,
    # which no other test's relay must publish.
    engine = create_db_engine(fresh_db_url)
    tracker = VersionTracker(dsn=libpq_dsn(engine))
    uow = UnitOfWork(engine, on_version=tracker.observe)

    def commit_a_change() -> None:
        with UnitOfWork(engine, on_version=tracker.observe) as writer:
            record_change(session=writer.session, change=Change.updated)
            writer.commit()

    class CommitDuringRead(psycopg.Connection):  # type: ignore[type-arg]
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            cursor = super().execute(*args, **kwargs)
            rows = cursor.fetchall()  # the value read before the commit below
            commit_a_change()
            return type("Rows", (), {"fetchone": lambda _self: rows[0] if rows else None})()

    try:
        with psycopg.connect(libpq_dsn(engine), autocommit=True) as plain:
            tracker._resync(plain)
        before = tracker._version
        with CommitDuringRead.connect(libpq_dsn(engine), autocommit=True) as racing:
            tracker._resync(racing)
        with uow:
            committed = read_version(uow.session)
        assert committed == before + 1
        assert tracker._version == committed  # not the older value the resync read
        # With no commit during the read, the resync stays exact (a restore may go back).
        with engine.begin() as conn:
            conn.execute(text("UPDATE catalog_state SET version = version - 1 WHERE id = 1"))
        with psycopg.connect(libpq_dsn(engine), autocommit=True) as plain:
            tracker._resync(plain)
        assert tracker._version == committed - 1
    finally:
        engine.dispose()
