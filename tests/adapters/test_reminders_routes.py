"""Reminders end to end: admins subscribe channels through the real Slack and Teams routes (signed
Slack requests, Bot Framework activities), then one runner pass, with an injected clock, posts
through the real clients to the local fake Slack Web API and the fake Teams connector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer

import app as application
from adapters.senders import open_senders
from bot.conversation.access import Admins
from bot.conversation.core import Core
from bot.reminders.service import ReminderRunner, calendar_from
from bot.settings import Settings
from bot.storage.sqlstore import SQLStore
from bot.storage.subscriptions import SlotStatus
from tests.adapters.bot_framework import BotFramework
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.harness import Harness, payload, settings_for
from tests.adapters.teams_support import FakeConnector, golden
from tests.bot.fakes import FakeClock, FakeSleep

LONDON = ZoneInfo("Europe/London")
TEAMS_ADMIN = "00000000-0000-0000-0000-0000000000a1"
TEAMS_USER = "00000000-0000-0000-0000-0000000000a2"
TEAMS_CHANNEL = "19:comms-team-channel@thread.tacv2"


@dataclass
class Both:
    slack: Harness
    connector: FakeConnector
    connector_url: str
    store: SQLStore
    core: Core
    clock: FakeClock
    settings: Settings
    app: object
    events: int = 0

    async def mention(self, text: str, *, user: str, channel: str) -> dict:
        """`@Guidance Bot <text>` in a Slack channel; the reply the bot posted in its thread."""
        self.events += 1
        body = payload("app_mention")
        ts = f"1700000{self.events:03}.000100"
        body["event"].update(text=f"<@UBOT> {text}", user=user, channel=channel, ts=ts, event_ts=ts)
        body["event_id"] = f"Ev{self.events:04}"
        assert (await self.slack.event(body)).status == 200
        await self.slack.fake.wait_until(lambda: any(
            c.params.get("thread_ts") == ts for c in self.slack.fake.called("chat.postMessage")))
        return next(c.params for c in self.slack.fake.called("chat.postMessage")
                    if c.params.get("thread_ts") == ts)

    async def slash(self, text: str, *, user: str, channel: str) -> dict:
        """`/guidance <text>` in a Slack channel; the private answer sent to the response URL."""
        self.events += 1
        fields = payload("slash_command")
        fields.update(text=text, user_id=user, channel_id=channel,
                      response_url=self.slack.fake.response_url_for(f"cmd{self.events}"))
        assert (await self.slack.command(fields)).status == 200
        await self.slack.fake.wait_until(lambda: any(
            c.params["id"] == f"cmd{self.events}" for c in self.slack.fake.called("response_url")))
        return next(c.params for c in self.slack.fake.called("response_url")
                    if c.params["id"] == f"cmd{self.events}")

    async def teams(self, text: str, *, aad: str) -> str:
        """`@Guidance Bot <text>` in a Teams channel; the reply card, as JSON text."""
        self.events += 1
        before = len(self.connector.received)
        activity = golden("channel_mention", service_url=self.connector_url,
                          id=f"17000000{self.events:05}", text=f"<at>Guidance Bot</at> {text}")
        activity["from"]["aadObjectId"] = aad
        response = await self.slack.client.post(
            "/api/messages", json=activity,
            headers=BotFramework.headers(service_url=self.connector_url))
        assert response.status in (200, 201)
        (reply,) = self.connector.received[before:]
        return json.dumps(reply["activity"])


@pytest.fixture
async def both(tmp_path, bot_framework):
    fake = FakeSlack()
    await fake.start()
    connector = FakeConnector()
    connector_server = TestServer(connector.app(), host="127.0.0.1")
    await connector_server.start_server()
    store = SQLStore.from_url(url=f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    await store.upgrade()
    clock = FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=LONDON))  # a Monday
    settings = settings_for(tmp_path, fake, reminders_enabled=False,
                            admins=Admins.from_lists(slack=["U0ADMIN"], teams=[TEAMS_ADMIN]),
                            **bot_framework.settings())
    web_app = application.create_app(settings=settings, store=store, clock=clock,
                                     teams_options=bot_framework.teams_options())
    core = web_app[application.CORE]
    client = TestClient(TestServer(web_app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Both(slack=Harness(client=client, fake=fake, store=store, core=core),
                   connector=connector, connector_url=str(connector_server.make_url("/")),
                   store=store, core=core, clock=clock, settings=settings, app=web_app)
    finally:
        await client.close()
        await connector_server.close()
        await fake.close()
        await store.close()


def subscribed(subscriptions) -> dict[tuple[str, str], str]:
    return {(s.platform, s.channel_id): f"{s.at:%H:%M} {'daily' if s.every_day else 'weekdays'}"
            for s in subscriptions}


async def test_admins_subscribe_through_both_routes_and_one_pass_posts_to_both(both: Both) -> None:
    refused = await both.mention("subscribe", user="U0USER", channel="C0OTHER")
    assert "only an admin" in refused["text"]
    assert "only an admin" in await both.teams("subscribe", aad=TEAMS_USER)
    assert await both.store.subscriptions() == []

    reply = await both.mention("subscribe 09:30", user="U0ADMIN", channel="C0CHANNEL")
    assert reply["text"].startswith("Subscribed: this channel gets the principle of the day at 09:30")
    assert "Monday 02 March" in reply["text"]
    private = await both.slash("subscribe 08:45 daily skip-holidays", user="U0ADMIN",
                               channel="C0SLASH")
    assert private["response_type"] == "ephemeral" and private["text"].startswith("Subscribed")
    card = await both.teams("subscribe 09:30", aad=TEAMS_ADMIN)
    assert "Subscribed: this channel gets the principle of the day at 09:30" in card
    assert subscribed(await both.store.subscriptions()) == {
        ("slack", "C0CHANNEL"): "09:30 weekdays", ("slack", "C0SLASH"): "08:45 daily",
        ("teams", TEAMS_CHANNEL): "09:30 weekdays"}  # the channel, not the thread it was said in

    posted_before = len(both.slack.fake.called("chat.postMessage"))
    async with open_senders(settings=both.settings, store=both.store, app=both.app) as senders:
        assert set(senders) == {"slack", "teams"}
        sleep = FakeSleep()
        runner = ReminderRunner(store=both.store, senders=senders, compose=both.core.daily,
                                calendar=calendar_from(settings=both.settings), clock=both.clock,
                                sleep=sleep, monotonic=sleep.monotonic, notify=both.core.notify)
        both.clock.advance(hours=1, minutes=31)  # 09:31
        report = await runner.run_due()
        assert (report.delivered, report.failed, report.closed) == (3, 0, 0)
        again = await runner.run_due()  # nothing twice
        assert (again.due, again.delivered) == (0, 0)

    reminder = both.core.daily(day=both.clock().date())
    slack_posts = both.slack.fake.called("chat.postMessage")[posted_before:]
    assert sorted(c.params["channel"] for c in slack_posts) == ["C0CHANNEL", "C0SLASH"]
    for call in slack_posts:
        assert "thread_ts" not in call.params
        assert call.params["blocks"][0]["text"]["text"] == reminder.title
    teams_post = both.connector.received[-1]
    assert (teams_post["conversation"], teams_post["reply_to"]) == (TEAMS_CHANNEL, None)
    assert reminder.title in json.dumps(teams_post["activity"]["attachments"][0]["content"])
    slots = await both.store.last_slots()
    assert {key: slot.status for key, slot in slots.items()} == {
        key: SlotStatus.DELIVERED for key in subscribed(await both.store.subscriptions())}

    metrics = await (await both.slack.client.get("/metrics")).text()
    assert 'guidance_bot_reminders_total{outcome="delivered",platform="slack"} 2.0' in metrics
    assert 'guidance_bot_reminders_total{outcome="delivered",platform="teams"} 1.0' in metrics

    listing = await both.teams("subscriptions", aad=TEAMS_ADMIN)
    assert "3 channel(s) get reminders" in listing and "last: delivered on Mon 02 Mar 2026" in listing

    refused = await both.slash("unsubscribe", user="U0USER", channel="C0CHANNEL")
    assert "only an admin" in refused["text"]
    assert (await both.slash("unsubscribe", user="U0ADMIN", channel="C0CHANNEL"))["text"].startswith(
        "Unsubscribed")
    assert "Unsubscribed" in await both.teams("unsubscribe", aad=TEAMS_ADMIN)
    assert list(subscribed(await both.store.subscriptions())) == [("slack", "C0SLASH")]


async def test_a_channel_the_bot_cannot_post_in_is_reported_at_subscribe_and_in_the_listing(
        both: Both) -> None:
    both.slack.fake.not_member.add("C0PRIVATE")
    async with open_senders(settings=both.settings, store=both.store, app=both.app) as senders:
        sleep = FakeSleep()
        runner = ReminderRunner(store=both.store, senders=senders, compose=both.core.daily,
                                calendar=calendar_from(settings=both.settings), clock=both.clock,
                                sleep=sleep, monotonic=sleep.monotonic, notify=both.core.notify)
        warned = await both.slash("subscribe 09:00", user="U0ADMIN", channel="C0PRIVATE")
        assert warned["text"].startswith("Subscribed")
        assert "But I cannot post in this channel yet (not_in_channel" in warned["text"]
        assert "/invite @Guidance Bot" in warned["text"]
        assert "cannot post" not in await both.teams("subscribe 09:00", aad=TEAMS_ADMIN)

        both.connector.failures = [403]
        both.clock.advance(hours=1, minutes=1)
        report = await runner.run_due()
        assert (report.delivered, report.failed) == (0, 2)
    assert "Sorry" not in json.dumps(both.connector.received)  # no error message in the channel

    listing = (await both.slash("subscriptions", user="U0ADMIN", channel="C0CHANNEL"))["text"]
    (slack_line,) = [line for line in listing.splitlines() if line.startswith("• slack C0PRIVATE:")]
    assert "last: failed" in slack_line and "invite" in slack_line
    (teams_line,) = [line for line in listing.splitlines() if line.startswith(f"• teams {TEAMS_CHANNEL}:")]
    assert "last: failed" in teams_line and "removed from this team or channel" in teams_line
    metrics = await (await both.slack.client.get("/metrics")).text()
    assert 'guidance_bot_reminders_total{outcome="failed",platform="slack"} 1.0' in metrics
