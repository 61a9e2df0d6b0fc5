"""Slack gets its acknowledgement before the answer is worked out, however long that takes."""

from __future__ import annotations

import asyncio
import logging
import threading

from aiohttp.test_utils import TestClient, TestServer

import app as application
from tests.adapters.slack.harness import Harness, payload, settings_for
from tests.memory_store import MemoryStore


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


class BlockingEncoder:
    """The real encoder, except that a question containing BLOCK holds its worker thread until
    the test lets it go: a match as slow as the test likes, with no clock involved."""

    def __init__(self, real) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()

    def encode(self, texts):
        if any("BLOCK" in text for text in texts):
            self.entered.set()
            self.release.wait(60)
        return self.real.encode(texts)

    def encode_stored(self, texts):
        return self.real.encode_stored(texts)

    def vocabulary(self):
        return self.real.vocabulary()


async def test_a_slow_match_never_delays_another_events_acknowledgement(tmp_path, fake_slack, encoder):
    settings = settings_for(tmp_path, fake_slack)
    blocking = BlockingEncoder(encoder)
    web_app = application.create_app(settings=settings, store=MemoryStore(), encoder=blocking)
    core = web_app[application.CORE]
    client = TestClient(TestServer(web_app, host="127.0.0.1", port=0))
    await client.start_server()
    harness = Harness(client=client, fake=fake_slack, store=core.store, core=core)
    try:
        slow = payload("app_mention")
        slow["event"]["text"] = "<@UBOT> BLOCK can we run a campaign with a charity"
        assert (await harness.event(slow)).status == 200
        assert await asyncio.to_thread(blocking.entered.wait, 30)
        # The slow match holds a worker thread; the event loop is free for everyone else.
        other = payload("app_mention")
        other["event_id"], other["event"]["ts"] = "Ev0OTHER", "1700000200.000300"
        assert (await harness.event(other)).status == 200
        assert (await client.get("/healthz")).status == 200
        await harness.fake.wait_for("chat.postMessage", timeout=30)  # answered meanwhile, too
        assert not blocking.release.is_set()
        blocking.release.set()
        await harness.fake.wait_for("chat.postMessage", count=2, timeout=30)
    finally:
        blocking.release.set()
        await client.close()
