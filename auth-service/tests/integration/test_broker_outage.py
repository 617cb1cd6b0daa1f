"""A login never depends on the broker: with RabbitMQ cut off, logins succeed and their events
go out, each exactly once, when it is back. Runs the real server process; the broker is reached
through a TCP proxy that the test cuts (the real RabbitMQ is never touched)."""

import json
from collections.abc import Callable

import httpx

from quest_common.events import SIGN_IN_KEYS
from quest_devtools.testing.plugin import BrokerNames, amqp_target, drain_queue
from quest_devtools.testing.proxy import TcpProxy

PREFIX = "/api/auth"


def test_logins_succeed_while_the_broker_is_cut_and_events_follow_once(
    fresh_db_url: str,
    amqp_url: str,
    broker_names: BrokerNames,
    tcp_proxy: Callable[[str, int], TcpProxy],
    start_service: Callable[[dict[str, str]], str],
) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    queue = broker_names.probe("sign-ins", *SIGN_IN_KEYS)
    base = start_service(
        {
            "DATABASE_URL": fresh_db_url,
            "AMQP_URL": proxy.url_for(amqp_url),
            "EVENTS_EXCHANGE": broker_names.exchange,
        }
    )
    with httpx.Client(base_url=base, timeout=30) as client:
        signed_up = client.post(
            f"{PREFIX}/signup", json={"user_name": "outage_user", "password": "outage-pass"}
        )
        assert signed_up.status_code == 201
        user_id = signed_up.json()["user_id"]

        proxy.cut()
        statuses = [
            client.post(
                f"{PREFIX}/login/access-token",
                data={"username": "outage_user", "password": "outage-pass"},
            ).status_code
            for _ in range(20)
        ]
        assert statuses == [200] * 20
        # Nothing could have gone out: the broker is unreachable for the service.
        assert drain_queue(amqp_url, queue, wait_seconds=1.0, idle_seconds=0.5) == []

        proxy.restore()
        bodies = drain_queue(amqp_url, queue, wait_seconds=30, expect=20, idle_seconds=2.0)

    events = [json.loads(body) for body in bodies]
    assert len(events) == 20
    assert len({e["id"] for e in events}) == 20  # none twice
    assert {e["subject"] for e in events} == {user_id}
    assert [e["type"] for e in events].count("NewUserSignIn") == 1
