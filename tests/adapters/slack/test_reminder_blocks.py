"""The daily reminder in Block Kit, posted by `SlackWebSender` through slack_sdk to the fake Web API,
and its "Tell me more" button through the real route."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import ASK_PROMPT, MAX_HEADER_CHARS, REMINDER_MORE_ACTION, reminder_message
from adapters.slack.sender import SlackWebSender
from bot.messages import Reply, ReplyKind
from bot.reminders.service import Outcome
from bot.storage.subscriptions import Subscription
from tests.adapters.slack.harness import payload

SUB = Subscription(platform="slack", channel_id="C0CHANNEL", at=time(9),
                   created_at=datetime(2026, 1, 1, tzinfo=UTC))


async def test_the_reminder_is_posted_in_block_kit_with_a_way_to_ask(harness) -> None:
    reminder = harness.core.daily(day=date(2026, 3, 2))
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token="xoxb-test", base_url=harness.fake.api_url, session=session,
                                retry_handlers=[])
        sender = SlackWebSender(client=client, render=reminder_message)
        delivery = await sender.send(subscription=SUB, reply=reminder)
    assert delivery.outcome is Outcome.DELIVERED
    (call,) = harness.fake.called("chat.postMessage")
    params = call.params
    assert params["channel"] == "C0CHANNEL" and "thread_ts" not in params
    assert params["text"].startswith(reminder.title) and reminder.tip in params["text"]
    blocks = params["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                                    "text": reminder.title}}
    assert blocks[1] == {"type": "section", "text": {"type": "mrkdwn", "text": reminder.body}}
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert any(reminder.tip in text for text in contexts)
    assert {"type": "section", "text": {"type": "mrkdwn", "text": ASK_PROMPT}} in blocks
    (button,) = blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == (REMINDER_MORE_ACTION, reminder.entry)


def test_user_text_is_escaped_and_slack_limits_are_kept() -> None:
    reply = Reply(kind=ReplyKind.NOTICE, title="T" * 400, body="<!channel> & @here " + "x" * 7000,
                  tip="<https://evil.example|click>", entry="principle-1")
    message = reminder_message(reply)
    dumped = json.dumps(message)
    assert "<!channel>" not in dumped and "<https://evil" not in dumped
    assert len(message["blocks"][0]["text"]["text"]) <= MAX_HEADER_CHARS
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")


def test_a_reminder_without_an_entry_still_says_how_to_ask() -> None:
    message = reminder_message(Reply(kind=ReplyKind.NOTICE, title="Principle"))
    assert [b["type"] for b in message["blocks"]] == ["header", "section"]
    assert message["text"] == "Principle"


async def test_tell_me_more_answers_only_the_person_who_clicked(harness) -> None:
    body = payload("block_actions")
    body["container"].pop("thread_ts")
    body["message"].pop("thread_ts")
    body["actions"][0].update(action_id=REMINDER_MORE_ACTION, block_id="reminder",
                              value="principle-3")
    assert (await harness.interaction(body)).status == 200
    (call,) = await harness.fake.wait_for("chat.postEphemeral")
    assert (call.params["channel"], call.params["user"]) == ("C0CHANNEL", "U0USER")
    assert "Be transparent and accountable" in call.params["text"]
    assert not harness.fake.called("chat.postMessage")
