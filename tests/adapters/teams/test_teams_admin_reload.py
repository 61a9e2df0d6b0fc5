"""Reloading the knowledge base from Teams, through the app's real Bot Framework route with tokens
checked (admin needs a proven identity), with the replies sent to a fake connector service over
HTTP."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.conversation.access import Admins
from bot.settings import Settings
from tests.adapters.admin_knowledge import BROKEN, NEW_ANSWER, OLD_ANSWER, QUESTION, break_, change
from tests.adapters.bot_framework import BotFramework
from tests.adapters.teams_support import FakeConnector, golden
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

ADMIN_AAD = "00000000-0000-0000-0000-0000000000a1"
OTHER_AAD = "00000000-0000-0000-0000-0000000000c3"


class Teams:
    def __init__(self, client, connector, connector_url, store, path) -> None:
        self.client, self.connector, self.connector_url = client, connector, connector_url
        self.store, self.path = store, path
        self.sent = 0

    async def say(self, text: str, *, aad: str = ADMIN_AAD) -> str:
        self.sent += 1
        activity = golden("personal_message", service_url=self.connector_url, text=text,
                          id=f"17000000000{self.sent:02d}")
        activity["from"]["aadObjectId"] = aad
        response = await self.client.post(
            "/api/messages", json=activity,
            headers=BotFramework.headers(service_url=self.connector_url))
        assert response.status == 201
        sent = self.connector.activities[-1]
        cards = [a["content"] for a in sent.get("attachments", [])]
        return sent.get("text", "") + "\n" + repr(cards)


@pytest.fixture
async def teams(tmp_path, bot_framework):
    connector = FakeConnector()
    connector_server = TestServer(connector.app())
    await connector_server.start_server()
    path = write_knowledge(tmp_path / "kb")
    settings = Settings(knowledge_path=path, reminders_enabled=False,
                        admins=Admins.from_lists(teams=[ADMIN_AAD]), **bot_framework.settings())
    store = MemoryStore()
    client = TestClient(TestServer(create_app(settings=settings, store=store,
                                              teams_options=bot_framework.teams_options())))
    await client.start_server()
    try:
        yield Teams(client, connector, str(connector_server.make_url("/")), store, path)
    finally:
        await client.close()
        await connector_server.close()


async def test_an_admin_reloads_a_changed_knowledge_base_and_the_new_answer_is_served(teams):
    assert OLD_ANSWER in await teams.say(QUESTION)
    change(teams.path)
    reply = await teams.say("reload")
    assert "Reloaded: now serving version" in reply and "changed 1" in reply
    assert NEW_ANSWER in await teams.say(QUESTION)
    (entry,) = await teams.store.audit(limit=1)
    assert (entry.command, entry.outcome, entry.platform, entry.user_id) == (
        "reload", "ok", "teams", ADMIN_AAD)


@pytest.mark.parametrize("kind", sorted(BROKEN))
async def test_a_broken_knowledge_base_is_refused_and_the_old_answer_still_served(teams, kind):
    expected = break_(teams.path, kind)
    reply = await teams.say("reload")
    assert "Reload refused" in reply and expected in reply and BROKEN[kind][1] in reply
    assert OLD_ANSWER in await teams.say(QUESTION)


async def test_a_non_admin_is_refused_and_the_refusal_audited(teams):
    change(teams.path)
    assert "only an admin can use 'reload'" in await teams.say("reload", aad=OTHER_AAD)
    assert OLD_ANSWER in await teams.say(QUESTION, aad=OTHER_AAD)
    (entry,) = await teams.store.audit(limit=5)
    assert (entry.command, entry.outcome, entry.platform, entry.user_id) == (
        "reload", "refused", "teams", OTHER_AAD)
