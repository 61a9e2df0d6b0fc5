"""Fixtures for the Slack tests: the fake Slack, and the whole application wired to it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app as application
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import Harness, settings_for
from tests.memory_store import MemoryStore


@pytest.fixture
async def fake_slack():
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def harness(tmp_path, fake_slack):
    settings = settings_for(tmp_path, fake_slack)
    store = MemoryStore()
    web_app = application.create_app(settings=settings, store=store)
    core = web_app[application.CORE]
    client = TestClient(TestServer(web_app, host="127.0.0.1", port=0))
    await client.start_server()
    yield Harness(client=client, fake=fake_slack, store=store, core=core)
    await client.close()
