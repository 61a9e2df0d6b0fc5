"""KNOWLEDGE_URL: a real HTTP fetch from a local server, bounded in time and size."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.fetch import url_fetcher
from bot.knowledge import KnowledgeError


@pytest.fixture
async def server():
    async def knowledge(request):
        return web.Response(text="entries: []\n")

    async def huge(request):
        return web.Response(body=b"#" * 5000)

    async def slow(request):
        await asyncio.sleep(5)
        return web.Response(text="too late")

    app = web.Application()
    app.router.add_get("/kb.yaml", knowledge)
    app.router.add_get("/huge.yaml", huge)
    app.router.add_get("/slow.yaml", slow)
    async with TestServer(app, host="127.0.0.1") as test_server:
        yield test_server


async def test_a_knowledge_base_is_fetched(server):
    fetch = url_fetcher(timeout=5, limit=1000)
    assert await fetch(str(server.make_url("/kb.yaml"))) == b"entries: []\n"


@pytest.mark.parametrize("path, message", [
    ("/missing.yaml", "HTTP 404"),
    ("/huge.yaml", "larger than the limit of 1000 bytes"),
    ("/slow.yaml", "cannot fetch the knowledge base: TimeoutError"),
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
