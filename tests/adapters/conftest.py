from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.settings import Settings
from tests.adapters.bot_framework import serve_metadata
from tests.adapters.teams_support import FakeConnector
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore


@pytest.fixture
def kb_path(tmp_path):
    return write_knowledge(tmp_path / "kb")


@pytest.fixture
def settings(kb_path):
    return Settings(knowledge_path=kb_path, admin_token="admin-secret")


@pytest.fixture
def app(settings):
    return create_app(settings=settings, store=MemoryStore())


@pytest.fixture
async def client(app):
    """The whole application on a real server at 127.0.0.1 on an ephemeral port."""
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


@pytest.fixture
async def connector():
    """A fake Teams connector service on 127.0.0.1 that records what the bot sends."""
    fake = FakeConnector()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/"))
    yield fake
    await server.close()


@pytest.fixture(scope="session")
def bot_framework():
    """Bot Framework authentication checked locally: see `tests/adapters/bot_framework.py`."""
    yield from serve_metadata()
