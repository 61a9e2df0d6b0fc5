"""The whole application on a real aiohttp server, wired to `FakeSlack`, and signed requests to it."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.conversation.access import Admins
from bot.conversation.core import Core
from bot.settings import Settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PAYLOADS = Path(__file__).parents[1] / "slack_payloads"


def payload(name: str) -> dict:
    """A golden payload, as Slack sends it; a fresh copy each time so tests may edit it."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")))


def signed_headers(body: bytes, *, timestamp: str | None = None, secret: str = SECRET) -> dict:
    timestamp = timestamp or str(int(time.time()))
    signature = SignatureVerifier(signing_secret=secret).generate_signature(
        timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


@dataclass
class Harness:
    client: TestClient
    fake: FakeSlack
    store: MemoryStore
    core: Core

    async def send(self, body: bytes, *, content_type: str, headers: dict | None = None,
                   sign: bool = True, timestamp: str | None = None) -> ClientResponse:
        signature = signed_headers(body, timestamp=timestamp) if sign else {}
        all_headers = {"Content-Type": content_type, **signature,
                       **(headers or {})}
        return await self.client.post("/slack/events", data=body, headers=all_headers)

    async def event(self, body: dict, **options) -> ClientResponse:
        return await self.send(json.dumps(body).encode(), content_type="application/json",
                               **options)

    async def command(self, fields: dict, **options) -> ClientResponse:
        return await self.send(urlencode(fields).encode(),
                               content_type="application/x-www-form-urlencoded", **options)

    async def interaction(self, body: dict, **options) -> ClientResponse:
        return await self.send(urlencode({"payload": json.dumps(body)}).encode(),
                               content_type="application/x-www-form-urlencoded", **options)


def settings_for(tmp_path: Path, fake: FakeSlack, **overrides) -> Settings:
    values = dict(knowledge_path=write_knowledge(tmp_path / "kb"), slack_bot_token="xoxb-test",
                  slack_signing_secret=SECRET, slack_api_url=fake.api_url,
                  admins=Admins.from_lists(slack=["U0ADMIN"]))
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def slack_on(store, tmp_path: Path, fake: FakeSlack) -> AsyncIterator[Harness]:
    """The whole application on `store` (a real SQL store, say), wired to `fake`."""
    import app as application

    settings = settings_for(tmp_path, fake, reminders_enabled=False)
    web_app = application.create_app(settings=settings, store=store)
    core = web_app[application.CORE]
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Harness(client=client, fake=fake, store=store, core=core)
    finally:
        await client.close()
