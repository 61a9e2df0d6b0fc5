"""A fake Bot Framework connector service and helpers to post golden activities to the real route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation.core import Core
from bot.knowledge.loader import load_knowledge
from bot.settings import Settings
from tests.cores import new_core
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

ACTIVITIES = Path(__file__).parent / "teams_activities"


@dataclass
class FakeConnector:
    """Records what the bot sends; answers with the statuses queued in `failures` first."""

    received: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    retry_after: str | None = None  # sent as Retry-After with each queued failure
    attempts: int = 0
    peers: set = field(default_factory=set)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self.activity)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.activity)
        return app

    async def activity(self, request: web.Request) -> web.Response:
        self.attempts += 1
        self.peers.add(request.transport.get_extra_info("peername"))
        body = await request.json()
        if self.failures:
            status = self.failures.pop(0)
            headers = {"Retry-After": self.retry_after} if self.retry_after else None
            return web.json_response({"error": {"code": "Throttled", "message": "try later"}},
                                     status=status, headers=headers)
        self.received.append({"conversation": request.match_info["conversation"],
                              "reply_to": request.match_info.get("reply_to"),
                              "authorization": request.headers.get("Authorization"),
                              "activity": body})
        return web.json_response({"id": f"sent-{len(self.received)}"})

    @property
    def activities(self) -> list[dict]:
        return [item["activity"] for item in self.received]


def shown_once(activity: dict) -> dict:
    """The card of a card activity as the connector received it, after checking that Teams shows
    it once: one Adaptive Card with its fallback text, a one-line `summary` for clients that cannot
    show cards, and no `text` (which Teams can show as a second message beside the card)."""
    from adapters.teams.cards import CARD_CONTENT_TYPE

    assert activity["type"] == "message"
    assert "text" not in activity, activity.get("text")
    assert isinstance(activity.get("summary"), str) and activity["summary"].strip()
    assert "\n" not in activity["summary"]
    (attachment,) = activity["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    assert attachment["content"]["fallbackText"].strip()
    return attachment["content"]


def golden(name: str, /, *, service_url: str, **changes) -> dict:
    activity = json.loads((ACTIVITIES / f"{name}.json").read_text(encoding="utf-8"))
    activity["serviceUrl"] = service_url
    activity.update(changes)
    return activity


def make_core(tmp_path: Path, *, store: MemoryStore | None = None, observers=(),
              **settings) -> Core:
    knowledge = load_knowledge(path=write_knowledge(tmp_path / "kb"))
    return new_core(knowledge=knowledge, store=store or MemoryStore(), observers=observers,
                    admins=settings.get("admins") or Settings().admins)


async def no_sleep(_: float) -> None:
    return None


@dataclass
class Harness:
    client: TestClient
    connector: FakeConnector
    connector_url: str
    store: MemoryStore
    core: Core
    sleeps: list[float]

    async def post(self, name: str, /, **changes):
        return await self.client.post("/api/messages",
                                      json=golden(name, service_url=self.connector_url, **changes))


@asynccontextmanager
async def bot_on(store, tmp_path: Path, *, bot_framework=None,
                 **settings) -> AsyncIterator[TestClient]:
    """The whole application on `store` (a real SQL store, say), with a fake Teams connector
    beside it at `client.connector` and `client.connector_url`; with `bot_framework` (the
    fixture), Bot Framework tokens are checked, as with credentials, and `client.teams_headers`
    are what a signed request carries."""
    from app import create_app

    connector = FakeConnector()
    connector_server = TestServer(connector.app(), host="127.0.0.1")
    await connector_server.start_server()
    path = write_knowledge(tmp_path / "kb")
    options = {}
    if bot_framework is not None:
        settings.update(bot_framework.settings())
        options["teams_options"] = bot_framework.teams_options()
    client = TestClient(TestServer(create_app(store=store, settings=Settings(
        knowledge_path=path, reminders_enabled=False, web_rate_limit=0, **settings), **options),
        host="127.0.0.1"))
    await client.start_server()
    client.connector, client.connector_url = connector, str(connector_server.make_url("/"))
    client.teams_headers = {} if bot_framework is None else bot_framework.headers(
        service_url=client.connector_url)
    try:
        yield client
    finally:
        await client.close()
        await connector_server.close()
