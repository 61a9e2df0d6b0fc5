"""Several instances converge on the knowledge-base version a reload on any of them recorded."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

import app as application
from bot.conversation.access import Admins
from bot.conversation.admin import AdminCommands
from bot.knowledge.instances import KnowledgeSync
from bot.knowledge.loader import load_knowledge
from bot.knowledge.reload import Reloader
from bot.messages import Message
from bot.settings import Settings
from tests.bot.conftest import sql_stores
from tests.cores import new_core
from tests.kbfactory import knowledge_dict, write_knowledge
from tests.memory_store import MemoryStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = Message(platform="slack", user_id="UADMIN", user_name="ann", text="reload")


def instance(tmp_path, name, *, store, clock):
    path = write_knowledge(tmp_path / name)
    core = new_core(knowledge=load_knowledge(path=path),
                    admins=Admins.from_lists(slack={"UADMIN"}), store=store,
                    clock=lambda: clock[0])
    reloader = Reloader(core=core, path=path)
    sync = KnowledgeSync(core=core, reloader=reloader, store=store, instance=name)
    AdminCommands(core=core, reloader=reloader, sync=sync).register()
    return core, sync, path


def changed_knowledge(answer: str) -> str:
    data = knowledge_dict()
    data["entries"][6]["answer"] = answer
    return yaml.safe_dump(data)


async def test_an_instance_converges_on_a_reload_made_on_another(tmp_path):
    store, clock = MemoryStore(), [NOW]
    one, one_sync, one_path = instance(tmp_path, "one", store=store, clock=clock)
    two, two_sync, two_path = instance(tmp_path, "two", store=store, clock=clock)
    await one_sync.tick()
    await two_sync.tick()
    for path in (one_path, two_path):  # each instance reads its own copy, as a deploy would leave it
        (path / "kb.yaml").write_text(changed_knowledge("Newer answer."), encoding="utf-8")
    assert (await one.handle(ADMIN)).title == "Knowledge base reloaded"
    assert two.answer_entry(entry_id="topic-0").body == "Answer for topic 0."
    await two_sync.tick()
    assert two.answer_entry(entry_id="topic-0").body == "Newer answer."
    status = (await two.handle(replace(ADMIN, text="status"))).text
    version = one.knowledge.version
    assert f"Last reload by ann (slack) at 2026-03-02 09:00 UTC succeeded: version {version}." in status
    assert f"• one: serves {version}" in status and f"• two (this one): serves {version}" in status


async def test_an_instance_whose_source_differs_keeps_serving_and_says_so(tmp_path):
    store, clock = MemoryStore(), [NOW]
    one, _, one_path = instance(tmp_path, "one", store=store, clock=clock)
    two, two_sync, _ = instance(tmp_path, "two", store=store, clock=clock)
    before = two.knowledge.version
    (one_path / "kb.yaml").write_text(changed_knowledge("Only on one."), encoding="utf-8")
    await one.handle(ADMIN)
    await two_sync.tick()
    assert two.knowledge.version == before
    status = (await two.handle(Message(platform="slack", user_id="UADMIN", text="status"))).text
    assert f"cannot converge on {one.knowledge.version}" in status
    assert f"yields version {before}, not {one.knowledge.version}" in status
    assert f"it keeps serving {before}" in status
    clock[0] = NOW + timedelta(minutes=5)
    assert "silent since 2026-03-02 09:00 UTC" in (
        await two.handle(Message(platform="slack", user_id="UADMIN", text="status"))).text


async def test_a_refused_reload_is_recorded_but_not_converged_on(tmp_path):
    store, clock = MemoryStore(), [NOW]
    one, _, one_path = instance(tmp_path, "one", store=store, clock=clock)
    _, two_sync, _ = instance(tmp_path, "two", store=store, clock=clock)
    (one_path / "kb.yaml").write_text("entries: [oops\n", encoding="utf-8")
    assert (await one.handle(ADMIN)).title == "Reload refused"
    assert (await store.last_release()).ok is False
    await two_sync.tick()
    assert two_sync.note == ""
    status = (await one.handle(Message(platform="slack", user_id="UADMIN", text="status"))).text
    assert "Last reload by ann (slack) at 2026-03-02 09:00 UTC was refused." in status


async def test_two_app_instances_on_postgresql_converge_after_a_reload_on_one(tmp_path):
    token = "admin-token"
    async with sql_stores("postgresql", tmp_path, count=2) as stores:
        clients = []
        try:
            for name, store in zip(("one", "two"), stores, strict=True):
                path = write_knowledge(tmp_path / name)
                settings = Settings(knowledge_path=path, admin_token=token, reminders_enabled=False,
                                    knowledge_poll_seconds=0.05, instance_id=name)
                client = TestClient(TestServer(application.create_app(settings=settings,
                                                                      store=store)))
                await client.start_server()
                clients.append((client, path))
            for _, path in clients:
                (path / "kb.yaml").write_text(changed_knowledge("Converged answer."), encoding="utf-8")
            one, two = clients[0][0], clients[1][0]
            auth = {"Authorization": f"Bearer {token}"}
            reloaded = await (await one.post("/api/chat", json={"text": "reload"}, headers=auth)).json()
            assert reloaded["text"].startswith("Reloaded: now serving version")
            question = knowledge_dict()["entries"][6]["questions"][0]
            for _ in range(200):  # a bound, not a timing assertion: polls every 0.05 s
                answer = await (await two.post("/api/chat", json={"text": question})).json()
                if "Converged answer." in answer["text"]:
                    break
                await asyncio.sleep(0.05)
            assert "Converged answer." in answer["text"]
            for _ in range(200):
                status = await (await one.post("/api/chat", json={"text": "status"},
                                               headers=auth)).json()
                if status["text"].count("serves " + status["text"].split()[4].rstrip(",")) == 2:
                    break
                await asyncio.sleep(0.05)
            version = status["text"].split()[4].rstrip(",")
            assert f"• one (this one): serves {version}" in status["text"]
            assert f"• two: serves {version}" in status["text"]
        finally:
            for client, _ in clients:
                await client.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_a_new_release_of_the_same_version_is_tried_at_once_by_an_instance_that_failed_it(
        tmp_path, kind):
    """Within KNOWLEDGE_POLL_SECONDS, as the README promises, not a minute later."""
    token = {"Authorization": "Bearer admin-token"}
    async with sql_stores(kind, tmp_path, count=2) as stores:
        clients = []
        try:
            for name, store in zip(("one", "two"), stores, strict=True):
                path = write_knowledge(tmp_path / name)
                settings = Settings(knowledge_path=path, admin_token="admin-token",
                                    reminders_enabled=False, knowledge_poll_seconds=0.05,
                                    instance_id=name, data_dir=tmp_path / name)
                web_app = application.create_app(settings=settings, store=store)
                core = web_app[application.CORE]
                client = TestClient(TestServer(web_app, host="127.0.0.1"))
                await client.start_server()
                clients.append((client, path, core))
            (one, one_path, one_core), (_, two_path, two_core) = clients
            (one_path / "kb.yaml").write_text(changed_knowledge("Release two."), encoding="utf-8")
            await one.post("/api/chat", json={"text": "reload"}, headers=token)
            target = one_core.knowledge.version
            for _ in range(200):  # a bound, not a timing assertion: polls every 0.05 s
                if "cannot converge" in await _status(one, token):
                    break
                await asyncio.sleep(0.05)
            assert f"two: serves {two_core.knowledge.version} (cannot converge on {target}" in (
                await _status(one, token))
            # The deploy to two is fixed; the admin announces the same version again.
            (two_path / "kb.yaml").write_text(changed_knowledge("Release two."), encoding="utf-8")
            reply = await (await one.post("/api/chat", json={"text": "reload"},
                                          headers=token)).json()
            assert "The content is the same as the version already served." in reply["text"]
            for _ in range(200):
                if two_core.knowledge.version == target:
                    break
                await asyncio.sleep(0.05)
            assert two_core.knowledge.version == target
        finally:
            for client, _, _ in clients:
                await client.close()


async def _status(client, token) -> str:
    return (await (await client.post("/api/chat", json={"text": "status"},
                                     headers=token)).json())["text"]
