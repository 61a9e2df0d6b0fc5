"""`/readyz` asks the real SQL store for `SELECT 1`."""

from __future__ import annotations

import socket

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.observability import Metrics, setup_observability
from bot.knowledge.loader import load_knowledge
from bot.storage.sqlstore import SQLStore
from tests.cores import new_core
from tests.kbfactory import write_knowledge


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def readyz(tmp_path, store: SQLStore) -> tuple[int, dict]:
    metrics = Metrics()
    core = new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path / "kb")), store=store,
                    observers=(metrics,))
    app = web.Application()
    setup_observability(app, core=core, metrics=metrics, ping_timeout=2.0)
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            response = await client.get("/readyz")
            return response.status, await response.json()
    finally:
        await store.close()


async def test_ready_when_the_sqlite_store_answers(tmp_path):
    store = SQLStore.from_url(url=f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    await store.upgrade()
    status, body = await readyz(tmp_path, store)
    assert (status, body["checks"]["store"]) == (200, "ok")


async def test_not_ready_when_postgresql_is_unreachable(tmp_path):
    store = SQLStore.from_url(url=f"postgresql://nobody@127.0.0.1:{closed_port()}/bot")
    status, body = await readyz(tmp_path, store)
    assert (status, body["checks"]["store"]) == (503, "unreachable")
