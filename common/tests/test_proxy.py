import socket

import pika
import pytest

from quest_common.broker.connection import connect
from quest_devtools.testing.plugin import amqp_target


def test_proxy_forwards_then_cut_breaks_and_restore_recovers(amqp_url: str, tcp_proxy) -> None:
    proxy = tcp_proxy(*amqp_target(amqp_url))
    via_proxy = proxy.url_for(amqp_url)
    connection = connect(via_proxy, name="proxy-test")
    assert connection.is_open
    proxy.cut()
    with pytest.raises((pika.exceptions.AMQPError, OSError)):
        connection.channel().queue_declare(queue="", exclusive=True)
        connection.process_data_events(time_limit=1)
    with pytest.raises((pika.exceptions.AMQPError, OSError)):
        connect(via_proxy, name="proxy-test-2")
    proxy.restore()
    again = connect(via_proxy, name="proxy-test-3")
    assert again.is_open
    again.close()


def test_proxy_refuses_while_cut_at_tcp_level(tcp_proxy) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    proxy = tcp_proxy("127.0.0.1", server.getsockname()[1])
    proxy.cut()
    client = socket.create_connection(proxy.address, timeout=2)
    client.settimeout(2)
    assert client.recv(1) == b""  # closed by the proxy straight away
    client.close()
    server.close()
