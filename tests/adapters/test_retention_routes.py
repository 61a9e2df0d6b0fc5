"""Retention applied wherever the bot runs: the web application (with REMINDERS=off too) and
`guidance-bot reminders run-due`, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from adapters.cli.main import main
from app import create_app
from bot.settings import Settings
from bot.storage.sql.base import create_engine
from bot.storage.sqlstore import SQLStore, database_url
from tests.bot.conftest import NO_PG, PG_URL, sql_stores
from tests.kbfactory import write_knowledge
from tests.retention_seed import check, seed

TOKEN = "admin-token"


@pytest.mark.parametrize("sql_kind", ["sqlite", "postgresql"])
async def test_a_web_instance_without_reminders_forgets_what_is_past_its_retention(
        sql_kind, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="guidance_bot.retention")
    path = write_knowledge(tmp_path / "kb")
    async with sql_stores(sql_kind, tmp_path) as (store,):
        await seed(store)
        settings = Settings(knowledge_path=path, admin_token=TOKEN, reminders_enabled=False,
                            instance_id="app-1")
        async with TestClient(TestServer(create_app(settings=settings, store=store),
                                         host="127.0.0.1")) as client:
            async with asyncio.timeout(20):  # a pass runs at start; a safety net, not a measure
                while not any(r.getMessage().startswith("retention: forgot")
                              for r in caplog.records):
                    await asyncio.sleep(0.05)
            await check(store)
            response = await client.post("/api/chat", json={"text": "audit"},
                                         headers={"Authorization": f"Bearer {TOKEN}"})
            shown = (await response.json())["text"]
    assert "U-recent" in shown and "U-years" not in shown


@pytest.fixture
def database(request, tmp_path, monkeypatch):
    """DATABASE_URL for the command line: a SQLite file, or a PostgreSQL database of its own."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KNOWLEDGE_PATH", str(write_knowledge(tmp_path / "kb")))
    monkeypatch.setenv("REMINDERS", "off")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        return
    if not PG_URL:
        pytest.skip(NO_PG)
    name = f"test_retention_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgresql(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        asyncio.run(_postgresql(f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _postgresql(statement: str) -> None:
    engine = create_engine(url=database_url(url=PG_URL, data_dir=Path(".")),
                           isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_run_due_forgets_what_is_past_its_retention(database, capsys):
    async def seeded() -> None:
        store = SQLStore.from_url(url=database)
        try:
            await store.upgrade()
            await seed(store)
        finally:
            await store.close()

    async def checked() -> None:
        store = SQLStore.from_url(url=database)
        try:
            await check(store)
        finally:
            await store.close()

    asyncio.run(seeded())
    assert main(["reminders", "run-due"]) == 0
    assert '"due": 0' in capsys.readouterr().out
    asyncio.run(checked())
