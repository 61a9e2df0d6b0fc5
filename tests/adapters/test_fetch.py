"""KNOWLEDGE_URL: a real HTTP fetch from a local server, the whole body or nothing, bounded in time
and size, redirects refused."""

from __future__ import annotations

import asyncio
import socket

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.fetch import url_fetcher
from app import CORE, create_app
from bot.knowledge.loader import KnowledgeError
from bot.settings import Settings
from tests.kbfactory import knowledge_dict, write_knowledge

TOPICS = 10
WHOLE = yaml.safe_dump(knowledge_dict(topics=TOPICS), sort_keys=False).encode()
# Cut where a topic starts: the first part alone is a valid, smaller knowledge base.
FIRST_PART = WHOLE[:WHOLE.index(b"- id: topic-4")]


async def _in_two_chunks(request):
    response = web.StreamResponse(headers={"Content-Type": "application/yaml"})
    await response.prepare(request)
    await response.write(FIRST_PART)
    await asyncio.sleep(0.3)
    await response.write(WHOLE[len(FIRST_PART):])
    await response.write_eof()
    return response


async def _trickle(request):
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(40):
        await response.write(b"# more\n")
        await asyncio.sleep(0.05)
    await response.write_eof()
    return response


@pytest.fixture
async def server():
    async def knowledge(request):
        return web.Response(text="entries: []\n")

    async def huge(request):
        return web.Response(body=b"#" * 5000)

    async def slow(request):
        await asyncio.sleep(5)
        return web.Response(text="too late")

    async def moved(request):
        raise web.HTTPFound("/kb.yaml")

    app = web.Application()
    app.router.add_get("/kb.yaml", knowledge)
    app.router.add_get("/huge.yaml", huge)
    app.router.add_get("/slow.yaml", slow)
    app.router.add_get("/two-chunks.yaml", _in_two_chunks)
    app.router.add_get("/trickle.yaml", _trickle)
    app.router.add_get("/moved.yaml", moved)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield test_server


async def test_a_knowledge_base_is_fetched(server):
    fetch = url_fetcher(timeout=5, limit=1000)
    assert await fetch(str(server.make_url("/kb.yaml"))) == b"entries: []\n"


@pytest.mark.parametrize("path, message", [
    ("/missing.yaml", "HTTP 404"),
    ("/huge.yaml", "larger than the limit of 1000 bytes"),
    ("/slow.yaml", "cannot fetch the knowledge base: TimeoutError"),
    ("/trickle.yaml", "cannot fetch the knowledge base: TimeoutError"),
    ("/moved.yaml", "redirected (HTTP 302) to /kb.yaml; set KNOWLEDGE_URL to the final address"),
])
async def test_a_failed_fetch_is_a_problem_naming_the_url(server, path, message):
    url = str(server.make_url(path))
    with pytest.raises(KnowledgeError) as caught:
        await url_fetcher(timeout=0.5, limit=1000)(url)
    assert str(caught.value.problems[0]).startswith(f"{url}:0: ") and message in str(caught.value)


async def test_an_unreachable_host_is_a_problem():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/kb.yaml"
    with pytest.raises(KnowledgeError) as caught:
        await url_fetcher(timeout=2)(url)
    assert "cannot fetch the knowledge base" in str(caught.value)


async def test_a_knowledge_base_sent_in_two_chunks_is_served_whole_at_start_and_by_reload(
        server, tmp_path):
    assert len(yaml.safe_load(FIRST_PART)["entries"]) < 6 + TOPICS
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "local", topics=1),
                        knowledge_url=str(server.make_url("/two-chunks.yaml")),
                        admin_token="admin-secret", reminders_enabled=False,
                        data_dir=tmp_path / "data")
    app = create_app(settings=settings)
    core = app[CORE]
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert len(core.knowledge.entries) == 6 + TOPICS
        response = await client.post("/api/chat", json={"text": "reload"},
                                     headers={"Authorization": "Bearer admin-secret"})
        reply = (await response.json())["text"]
        assert reply.startswith("Reloaded") and f"{6 + TOPICS} entries" in reply, reply
        assert len(core.knowledge.entries) == 6 + TOPICS
