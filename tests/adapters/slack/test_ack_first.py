"""Slack gets its acknowledgement before the answer is worked out, however long that takes."""

from __future__ import annotations

import asyncio
import logging

from tests.adapters.slack.harness import payload


def hold_answers(harness) -> asyncio.Event:
    """Make every answer wait until the returned event is set."""
    gate = asyncio.Event()
    handle = harness.core.handle

    async def held(message):
        await gate.wait()
        return await handle(message)

    harness.core.handle = held
    return gate


async def test_an_event_is_acknowledged_before_it_is_answered(harness):
    gate = hold_answers(harness)
    response = await harness.event(payload("app_mention"))
    assert response.status == 200
    assert harness.fake.called("chat.postMessage") == []
    gate.set()
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHANNEL"


async def test_the_slash_command_is_acknowledged_before_it_is_answered(harness):
    gate = hold_answers(harness)
    fields = payload("slash_command")
    fields["response_url"] = harness.fake.response_url_for("command")
    response = await harness.command(fields)
    assert response.status == 200
    assert harness.fake.called("response_url") == []
    gate.set()
    await harness.fake.wait_for("response_url")


def break_answers(harness) -> None:
    async def broken(message):
        raise RuntimeError("the core fell over")

    harness.core.handle = broken


async def test_a_failing_answer_still_acknowledges_the_event_and_is_logged(harness, caplog):
    break_answers(harness)
    with caplog.at_level(logging.ERROR, logger="guidance_bot.slack"):
        response = await harness.event(payload("app_mention"))
        assert response.status == 200
        async with asyncio.timeout(5):
            while not any("on_mention failed" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.01)
    assert harness.fake.called("chat.postMessage") == []


async def test_a_failing_answer_still_acknowledges_the_slash_command(harness):
    break_answers(harness)
    fields = payload("slash_command")
    fields["response_url"] = harness.fake.response_url_for("command")
    response = await harness.command(fields)
    assert response.status == 200


async def test_a_command_without_a_response_url_is_acknowledged(harness):
    fields = payload("slash_command")
    del fields["response_url"]
    assert (await harness.command(fields)).status == 200
