"""Socket Mode against a local WebSocket server that the fake `apps.connections.open` hands out."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app as application
from bot.conversation.access import Admins
from tests.adapters.slack.harness import payload, settings_for
from tests.memory_store import MemoryStore


@pytest.fixture
async def socket_client(tmp_path, fake_slack):
    settings = settings_for(tmp_path, fake_slack, slack_signing_secret=None,
                            slack_app_token="xapp-1-test", admins=Admins())
    client = TestClient(TestServer(application.create_app(settings=settings, store=MemoryStore()),
                                   host="127.0.0.1", port=0))
    await client.start_server()
    yield client
    await client.close()


def envelope(envelope_id: str, *, retry_attempt: int = 0) -> dict:
    return {"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else "",
            "payload": payload("app_mention")}


async def test_socket_mode_connects_and_answers_a_mention_once(socket_client, fake_slack):
    (opened,) = await fake_slack.wait_for("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-1-test"
    await fake_slack.wait_for("socket.connected")

    await fake_slack.push(envelope("env-1"))
    (ack,) = await fake_slack.wait_for("socket.ack")
    assert ack.params["envelope_id"] == "env-1"
    (call,) = await fake_slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHANNEL"
    assert call.params["thread_ts"] == "1700000100.000200"
    assert "Consult and engage" in call.params["text"]

    await fake_slack.push(envelope("env-2", retry_attempt=1))
    await fake_slack.wait_for("socket.ack", count=2)
    home = {"envelope_id": "env-3", "type": "events_api", "accepts_response_payload": False,
            "payload": payload("app_home_opened")}
    await fake_slack.push(home)
    await fake_slack.wait_for("views.publish")
    assert len(fake_slack.called("chat.postMessage")) == 1


async def test_socket_mode_alone_mounts_no_http_route(socket_client, fake_slack):
    response = await socket_client.post("/slack/events", data=b"{}")
    assert response.status in (404, 405)
