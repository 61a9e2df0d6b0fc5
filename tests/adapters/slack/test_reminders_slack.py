"""Reminders posted through slack_sdk's real client to a local fake of the Slack Web API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.web.async_client import AsyncWebClient

import app as application
from adapters.slack.sender import SlackWebSender
from bot.conversation.access import Admins
from bot.knowledge.loader import load_knowledge
from bot.messages import Reply, ReplyKind
from bot.reminders.service import Calendar, Outcome, Policy, ReminderRunner
from bot.settings import Settings
from bot.storage.sqlstore import SQLStore
from bot.storage.subscriptions import SlotStatus, Subscription
from tests.adapters.reminder_slack_api import FakeSlackWebAPI
from tests.bot.conftest import NO_PG, PG_URL
from tests.bot.fakes import FakeClock, FakeSleep
from tests.cores import new_core
from tests.kbfactory import write_knowledge
from tests.memory_store import MemoryStore

LONDON = ZoneInfo("Europe/London")
REPLY = Reply(kind=ReplyKind.NOTICE, title="Principle of the day", body="Principle 1 today.")
PROJECT = Path(__file__).resolve().parents[3]


def sub(channel: str) -> Subscription:
    return Subscription(platform="slack", channel_id=channel, at=time(9),
                        created_at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
async def slack_api():
    api = FakeSlackWebAPI(per_channel_interval=0.0)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as session:
        yield session


def sender_for(api: FakeSlackWebAPI, session: aiohttp.ClientSession, *,
               token: str = "xoxb-test") -> SlackWebSender:
    return SlackWebSender(client=AsyncWebClient(token=token, base_url=api.url, session=session,
                                                retry_handlers=[]))


async def test_slack_answers_become_deliveries(slack_api: FakeSlackWebAPI, session) -> None:
    sender = sender_for(slack_api, session)
    assert (await sender.send(subscription=sub("C1"), reply=REPLY)).outcome is Outcome.DELIVERED
    assert slack_api.posts == [("C1", "Principle 1 today.")]

    slack_api.not_in_channel.add("C2")
    failed = await sender.send(subscription=sub("C2"), reply=REPLY)
    assert (failed.outcome, failed.detail.split(":")[0]) == (Outcome.FAILED, "not_in_channel")
    assert "invite" in failed.detail

    slack_api.random_429 = 1.0
    limited = await sender.send(subscription=sub("C3"), reply=REPLY)
    assert (limited.outcome, limited.retry_after) == (Outcome.RETRY, 1.0)

    bad_token = await sender_for(slack_api, session, token="xoxb-wrong").send(
        subscription=sub("C4"), reply=REPLY)
    assert bad_token.outcome is Outcome.FAILED and "SLACK_BOT_TOKEN" in bad_token.detail
    assert slack_api.counts() == {"C1": 1}


async def test_unreachable_slack_is_a_retry(session) -> None:
    api = FakeSlackWebAPI()
    await api.start()
    url = api.url
    await api.stop()
    sender = SlackWebSender(client=AsyncWebClient(token="xoxb-test", base_url=url, session=session,
                                                  retry_handlers=[]))
    delivery = await sender.send(subscription=sub("C1"), reply=REPLY)
    assert delivery.outcome is Outcome.RETRY and delivery.detail.startswith("network")


async def test_random_429s_are_retried_until_every_channel_has_one_post(
        slack_api: FakeSlackWebAPI, session, tmp_path: Path) -> None:
    slack_api.random_429 = 0.4
    knowledge = load_knowledge(path=write_knowledge(tmp_path / "kb"))
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON))
    core = new_core(knowledge=knowledge, clock=clock)
    store = MemoryStore()
    channels = [f"C{i:03}" for i in range(60)]
    for channel in channels:
        await store.save_subscription(subscription=sub(channel))
    sleep = FakeSleep()
    runner = ReminderRunner(store=store, senders={"slack": sender_for(slack_api, session)},
                            compose=core.daily, calendar=Calendar(timezone=LONDON), clock=clock,
                            sleep=sleep, monotonic=sleep.monotonic, policy=Policy(concurrency=8))
    for _ in range(20):
        await runner.run_due()
        clock.advance(minutes=5)
        if all(s.status is SlotStatus.DELIVERED for s in (await store.last_slots()).values()):
            break
    assert slack_api.counts() == {channel: 1 for channel in channels}
    assert slack_api.rejected_429 > 10
    assert 1.0 in sleep.calls  # Retry-After was honoured before trying again


async def test_the_scheduler_starts_with_the_web_application(
        slack_api: FakeSlackWebAPI, tmp_path: Path) -> None:
    settings = Settings(knowledge_path=write_knowledge(tmp_path / "kb"),
                        slack_bot_token="xoxb-test", slack_signing_secret="s",
                        slack_api_url=slack_api.url.rstrip("/"), admins=Admins())
    clock = FakeClock(datetime(2026, 3, 2, 9, 1, tzinfo=LONDON))
    store = MemoryStore()
    await store.save_subscription(subscription=sub("CWEB"))
    web_app = application.create_app(settings=settings, store=store, clock=clock)
    core = web_app[application.CORE]
    async with TestClient(TestServer(web_app)):
        for _ in range(200):
            if slack_api.posts:
                break
            await asyncio.sleep(0.02)
    assert slack_api.counts() == {"CWEB": 1}
    assert "Principle of the day" in slack_api.posts[0][1]
    off = replace(settings, reminders_enabled=False)
    assert [command.name for command in core.admin_commands][-3:] == [
        "subscribe", "unsubscribe", "subscriptions"]
    async with TestClient(TestServer(application.create_app(settings=off, store=store,
                                                            clock=clock))) as client:
        assert (await client.get("/healthz")).status == 200


async def _run_due(*, env: dict[str, str], at: str, options: tuple[str, ...] = ()
                   ) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli.main", "reminders", "run-due", "--at", at, *options, env=env,
        cwd=PROJECT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path):
    """A DATABASE_URL a separate process can use: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip(NO_PG)
    import asyncpg

    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _sixty_subscriptions(*, store: SQLStore, database: str, slack_api: FakeSlackWebAPI,
                               tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """Sixty subscribed channels in a migrated store, and the environment `run-due` needs."""
    await store.upgrade()
    channels = [f"C{i:03}" for i in range(60)]
    for channel in channels:
        await store.save_subscription(subscription=sub(channel))
    env = {**os.environ, "DATABASE_URL": database, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": slack_api.url,
           "KNOWLEDGE_PATH": str(write_knowledge(tmp_path / "kb"))}
    return channels, env


async def test_a_runner_killed_mid_fan_out_is_finished_by_the_next_without_reposting(
        slack_api: FakeSlackWebAPI, database: str, tmp_path: Path) -> None:
    store = SQLStore.from_url(url=database)
    try:
        channels, env = await _sixty_subscriptions(store=store, database=database,
                                                   slack_api=slack_api, tmp_path=tmp_path)
        slack_api.hang_after = 20  # every post after the 20th hangs, as if Slack stalled
        first = await _run_due(env=env, at="2026-03-02T09:00")
        for _ in range(500):  # until the 20 posts are recorded and the rest are stuck
            slots = await store.slots(day=date(2026, 3, 2))
            if sum(s.status is SlotStatus.DELIVERED for s in slots) == 20:
                break
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        await first.communicate()
        assert first.returncode == -signal.SIGKILL
        slots = await store.slots(day=date(2026, 3, 2))
        assert sum(s.status is SlotStatus.DELIVERED for s in slots) == 20
        assert any(s.status is SlotStatus.CLAIMED for s in slots)
        assert len(slots) < 60

        slack_api.hang_after = None
        second = await _run_due(env=env, at="2026-03-02T09:15")  # after the leases expired
        out, err = await second.communicate()
        assert second.returncode == 0, err.decode()
        assert slack_api.counts() == {channel: 1 for channel in channels}
        slots = await store.slots(day=date(2026, 3, 2))
        assert [s.status for s in slots] == [SlotStatus.DELIVERED] * 60
        assert b'"delivered": 40' in out
    finally:
        await store.close()


async def test_two_run_due_processes_at_once_post_each_slot_once(
        slack_api: FakeSlackWebAPI, database: str, tmp_path: Path) -> None:
    store = SQLStore.from_url(url=database)
    try:
        channels, env = await _sixty_subscriptions(store=store, database=database,
                                                   slack_api=slack_api, tmp_path=tmp_path)
        runs = [await _run_due(env=env, at="2026-03-02T09:00") for _ in range(2)]
        outputs = await asyncio.gather(*(run.communicate() for run in runs))
        assert [run.returncode for run in runs] == [0, 0], [err.decode() for _, err in outputs]
        assert slack_api.counts() == {channel: 1 for channel in channels}
        delivered = sum(json.loads(out)["delivered"] for out, _ in outputs)
        assert delivered == 60
    finally:
        await store.close()


async def test_run_due_reports_its_progress_on_stderr_and_its_outcome_on_stdout(
        slack_api: FakeSlackWebAPI, database: str, tmp_path: Path) -> None:
    store = SQLStore.from_url(url=database)
    try:
        channels, env = await _sixty_subscriptions(store=store, database=database,
                                                   slack_api=slack_api, tmp_path=tmp_path)
        run = await _run_due(env=env, at="2026-03-02T09:00", options=("--progress-every", "25"))
        out, err = await run.communicate()
    finally:
        await store.close()
    assert run.returncode == 0, err.decode()
    lines = [line for line in err.decode().splitlines() if line.startswith("reminders: ")]
    assert lines[0] == "reminders: 60 due; 0 closed past the cut-off; 0 held by another runner"
    counted = [line.split()[1] for line in lines[1:-1]]
    assert {"25", "50"} <= set(counted)  # every 25 posts (and, on a slow machine, every 10 s)
    assert counted == sorted(counted, key=int)
    assert lines[-1].startswith("reminders: finished: 60 of 60 done: 60 delivered, 0 to retry, "
                                "0 failed, 0 taken by another runner in ")
    assert json.loads(out)["delivered"] == 60 == len(channels)
