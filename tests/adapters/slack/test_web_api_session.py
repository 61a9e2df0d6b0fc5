"""Answers reach the Web API over one kept-alive session, closed when the application stops."""

from __future__ import annotations

import asyncio
import logging

from adapters.slack.bolt import InFlight
from adapters.slack.setup import BOLT_APP, IN_FLIGHT
from tests.adapters.slack.harness import payload


async def test_answers_share_one_connection_to_the_web_api(harness):
    for number in range(3):
        body = payload("app_mention")
        body["event_id"] = f"EvSession{number}"
        body["event"]["ts"] = f"1700000100.00030{number}"
        response = await harness.event(body)
        assert response.status == 200
        await harness.fake.wait_for("chat.postMessage", count=number + 1)
    assert len(harness.fake.peers) == 1


async def test_the_session_is_closed_when_the_application_stops(harness):
    client = harness.client.server.app[BOLT_APP].client
    assert client.session is not None and not client.session.closed
    await harness.client.close()
    assert client.session.closed


async def test_stopping_lets_answers_already_acknowledged_reach_slack(harness, caplog):
    harness.fake.latency = 0.3
    with caplog.at_level(logging.INFO, logger="guidance_bot.slack"):
        response = await harness.event(payload("app_mention"))
        assert response.status == 200
        await harness.client.close()  # shutdown and cleanup, as after SIGTERM
    assert len(harness.fake.called("chat.postMessage")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "finishing 1 answer(s) in flight" in caplog.text


async def test_each_slack_app_counts_only_its_own_answers_in_flight(harness):
    harness.fake.latency = 0.3
    ours = harness.client.server.app[IN_FLIGHT]
    response = await harness.event(payload("app_mention"))
    assert response.status == 200
    for _ in range(100):
        if ours.tasks:
            break
        await asyncio.sleep(0.01)
    assert len(ours.tasks) == 1
    assert await InFlight().finish(timeout=0.01) == 0  # another app's: nothing of ours to wait on
    await harness.client.close()
    assert not ours.tasks
    assert len(harness.fake.called("chat.postMessage")) == 1
