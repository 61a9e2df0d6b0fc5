from __future__ import annotations

import sqlite3
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

import app as application
from bot.settings import Settings
from bot.storage.sqlstore import SQLStore
from tests.kbfactory import write_knowledge


async def test_the_app_migrates_its_sqlite_file_on_start_and_uses_it(tmp_path: Path) -> None:
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"),
                        data_dir=tmp_path / "data", reminders_enabled=False)
    web_app = application.create_app(settings=settings)
    core = web_app[application.CORE]
    assert isinstance(core.store, SQLStore)
    async with TestClient(TestServer(web_app)) as client:
        assert (await client.get("/healthz")).status == 200
        assert await core.store.first_delivery(key="Ev1") is True
    with sqlite3.connect(tmp_path / "data" / "guidance-bot.sqlite3") as connection:
        assert connection.execute("SELECT key FROM processed_events").fetchall() == [("Ev1",)]
