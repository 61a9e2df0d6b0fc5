"""What one anonymous client can cost the bot: a rate limit per client on the web chat's API, and
`unanswered` grouping in a thread, so the server keeps answering while it runs."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.insights import records as insights
from bot.settings import Settings, SettingsError
from tests.bot.conftest import sql_stores
from tests.kbfactory import write_knowledge

TOKEN = "admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["sqlite", "postgresql"])
async def web(request, tmp_path):
    async def start(**settings):
        path = write_knowledge(tmp_path / "kb")
        app = create_app(settings=Settings(knowledge_path=path, admin_token=TOKEN,
                                           reminders_enabled=False, **settings), store=store)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    clients: list[TestClient] = []
    async with sql_stores(request.param, tmp_path) as (store,):
        try:
            yield start
        finally:
            for client in clients:
                await client.close()


async def test_a_client_over_the_limit_gets_429_with_retry_after_on_chat_and_feedback(web):
    client = await web(web_rate_limit=3)
    statuses = [(await client.post("/api/chat", json={"text": "principles"})).status
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    for path, body in (("/api/chat", {"text": "principles"}),
                       ("/api/feedback", {"entry": "principle-1", "helpful": True})):
        response = await client.post(path, json=body)
        assert response.status == 429, path
        assert 1 <= int(response.headers["Retry-After"]) <= 20
        assert "too many" in (await response.json())["error"]
    # The admin, who holds the token, is not held to it.
    response = await client.post("/api/chat", json={"text": "stats"}, headers=ADMIN)
    assert response.status == 200 and (await response.json())["title"] == "Stats"


async def test_the_limit_can_be_turned_off(web):
    client = await web(web_rate_limit=0)
    for _ in range(40):
        assert (await client.post("/api/chat", json={"text": "principles"})).status == 200


def test_web_rate_limit_is_read_from_the_environment(tmp_path):
    kb = str(write_knowledge(tmp_path / "kb"))
    assert Settings.from_env({"KNOWLEDGE_PATH": kb}).web_rate_limit == 30
    assert Settings.from_env({"KNOWLEDGE_PATH": kb, "WEB_RATE_LIMIT": "0"}).web_rate_limit == 0
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"KNOWLEDGE_PATH": kb, "WEB_RATE_LIMIT": "lots"})
    assert refused.value.problems[0].startswith("WEB_RATE_LIMIT:")


async def test_healthz_is_answered_while_unanswered_is_grouping(web, monkeypatch):
    """Ordering, not timing: the grouping is held until /healthz has been answered. On the event
    loop it would hold the loop too, /healthz could not be answered, and it gives up waiting."""
    started, released = threading.Event(), threading.Event()
    group = insights.unanswered

    def held(records, **options):
        started.set()
        held.waited = released.wait(timeout=20)
        return group(records, **options)

    monkeypatch.setattr(insights, "unanswered", held)
    client = await web(web_rate_limit=0)
    for text in ("parking permits at the office", "parking permit office", "canteen menu"):
        assert (await client.post("/api/chat", json={"text": text})).status == 200
    grouping = asyncio.create_task(client.post("/api/chat", json={"text": "unanswered"},
                                               headers=ADMIN))
    assert await asyncio.to_thread(started.wait, 20)
    health = await client.get("/healthz")
    answered_while_grouping = not released.is_set() and not grouping.done()
    released.set()
    reply = await (await grouping).json()
    assert health.status == 200 and answered_while_grouping and held.waited
    assert "2× “parking permits at the office”" in reply["text"]
