"""Slack through the real route: signed requests in, what the fake Web API recorded out."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from bot.messages import Reply, ReplyKind
from tests.adapters.slack.fake_slack import BOT_ID, BOT_USER_ID
from tests.adapters.slack.harness import payload


def block_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


async def test_a_mention_is_answered_in_a_thread(harness):
    response = await harness.event(payload("app_mention"))
    assert response.status == 200
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHANNEL"
    assert call.params["thread_ts"] == "1700000100.000200"
    assert "Consult and engage" in call.params["text"]
    assert call.params["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "emoji": True, "text": "Consult and engage"}}
    actions = [e["action_id"] for b in call.params["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert actions == ["guidance_helpful", "guidance_not_helpful"]


async def test_a_mention_in_a_thread_stays_in_that_thread(harness):
    body = payload("app_mention")
    body["event"]["thread_ts"] = "1700000000.000001"
    await harness.event(body)
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1700000000.000001"


async def test_a_direct_message_is_answered_in_the_dm_not_in_a_thread(harness):
    assert (await harness.event(payload("message_im"))).status == 200
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0DIRECT"
    assert "thread_ts" not in call.params
    assert "Be transparent and accountable" in call.params["text"]


async def test_the_slash_command_answers_privately_with_a_share_button(harness):
    fields = payload("slash_command")
    fields["response_url"] = harness.fake.response_url_for("command")
    response = await harness.command(fields)
    assert response.status == 200
    (call,) = await harness.fake.wait_for("response_url")
    assert call.params["response_type"] == "ephemeral"
    assert "Be transparent and accountable" in call.params["text"]
    buttons = {e["action_id"]: e for b in call.params["blocks"] if b["type"] == "actions"
               for e in b["elements"]}
    assert buttons["guidance_share"]["value"] == "principle-3"
    assert not harness.fake.called("chat.postMessage")


async def test_share_in_channel_posts_the_answer_for_everyone(harness):
    body = payload("block_actions")
    body["container"]["is_ephemeral"] = True
    body["response_url"] = harness.fake.response_url_for("share")
    body["actions"][0].update(action_id="guidance_share", value="principle-3")
    assert (await harness.interaction(body)).status == 200
    (call,) = await harness.fake.wait_for("response_url")
    assert call.params["response_type"] == "in_channel"
    assert "Be transparent and accountable" in call.params["text"]
    assert "Shared by <@U0USER>" in block_text(call.params["blocks"])
    assert "guidance_share" not in block_text(call.params["blocks"])


async def test_a_suggestion_click_answers_in_the_thread(harness):
    body = payload("block_actions")
    assert (await harness.interaction(body)).status == 200
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHANNEL"
    assert call.params["thread_ts"] == "1700000100.000200"
    title = harness.core.knowledge.entry("topic-1").title
    assert title in call.params["text"]


async def test_feedback_is_recorded_and_thanked_privately(harness):
    body = payload("block_actions")
    body["actions"][0].update(action_id="guidance_not_helpful",
                              value=json.dumps({"entry": "topic-1", "question": "can I?"}))
    assert (await harness.interaction(body)).status == 200
    (call,) = await harness.fake.wait_for("chat.postEphemeral")
    assert call.params["user"] == "U0USER" and call.params["channel"] == "C0CHANNEL"
    assert call.params["thread_ts"] == "1700000100.000200"
    (vote,) = harness.store.feedback
    assert (vote.platform, vote.entry, vote.helpful, vote.question) == (
        "slack", "topic-1", False, "can I?")


async def test_feedback_with_a_tampered_value_still_acks_and_records(harness):
    body = payload("block_actions")
    body["actions"][0].update(action_id="guidance_helpful", value="not json")
    assert (await harness.interaction(body)).status == 200
    await harness.fake.wait_for("chat.postEphemeral")
    assert [(v.entry, v.helpful) for v in harness.store.feedback] == [(None, True)]


async def test_opening_the_app_home_publishes_the_principles_and_today(harness):
    assert (await harness.event(payload("app_home_opened"))).status == 200
    (call,) = await harness.fake.wait_for("views.publish")
    assert call.params["user_id"] == "U0USER"
    view = call.params["view"]
    assert view["type"] == "home"
    text = block_text(view["blocks"])
    for title in ("Go where citizens already are", "Adhere to the Civil Service Code"):
        assert title in text
    assert harness.core.today().title in text


async def test_a_retry_of_the_same_event_is_answered_once(harness):
    now = int(time.time())
    first = harness.event(payload("app_mention"), timestamp=str(now - 2))
    retry = harness.event(payload("app_mention"), timestamp=str(now),
                          headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    statuses = [r.status for r in await asyncio.gather(first, retry)]
    assert statuses == [200, 200]
    # Slack resending the very same signed request is acknowledged too, and not run.
    again = await harness.event(payload("app_mention"), timestamp=str(now),
                                headers={"X-Slack-Retry-Num": "2"})
    assert again.status == 200
    # A later distinct event is answered, so by then any duplicate would have been posted too.
    await harness.event(payload("message_im"))
    await harness.fake.wait_for("chat.postMessage", count=2)
    assert sorted(c.params["channel"] for c in harness.fake.called("chat.postMessage")) == [
        "C0CHANNEL", "D0DIRECT"]


async def test_messages_from_bots_and_ourselves_are_never_answered(harness):
    ours = payload("message_im")
    ours["event_id"] = "Ev1"
    ours["event"].update(user=BOT_USER_ID, bot_id=BOT_ID)
    other_bot = payload("message_im")
    other_bot["event_id"] = "Ev2"
    other_bot["event"].update(user="U0OTHERBOT", bot_id="B0OTHER")
    bot_message = payload("message_im")
    bot_message["event_id"] = "Ev3"
    bot_message["event"].update(subtype="bot_message")
    bot_mention = payload("app_mention")
    bot_mention["event_id"] = "Ev4"
    bot_mention["event"]["bot_id"] = "B0OTHER"
    for body in (ours, other_bot, bot_message, bot_mention):
        assert (await harness.event(body)).status == 200
    await harness.event(payload("message_im"))
    (call,) = await harness.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0DIRECT"
    assert len(harness.fake.called("chat.postMessage")) == 1


async def test_every_subscribed_event_type_gets_a_2xx(harness):
    variants = {
        "app_mention": payload("app_mention"),
        "message.im": payload("message_im"),
        "app_home_opened": payload("app_home_opened"),
    }
    edited = payload("message_im")
    edited["event"] = {"type": "message", "subtype": "message_changed", "channel": "D0DIRECT",
                       "channel_type": "im", "hidden": True, "ts": "1.2",
                       "message": {"text": "x", "user": "U0USER"}}
    variants["message_changed"] = edited
    messages_tab = payload("app_home_opened")
    messages_tab["event"]["tab"] = "messages"
    variants["app_home_opened (messages tab)"] = messages_tab
    unknown = payload("app_mention")
    unknown["event"] = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}
    variants["tokens_revoked"] = unknown
    for number, (name, body) in enumerate(variants.items()):
        body["event_id"] = f"Ev2xx{number}"
        response = await harness.event(body)
        assert 200 <= response.status < 300, name


async def test_url_verification_and_ssl_check_are_answered(harness):
    response = await harness.event({"token": "t", "challenge": "abc123", "type": "url_verification"})
    assert response.status == 200
    assert (await response.json()) == {"challenge": "abc123"}
    response = await harness.command({"ssl_check": "1", "token": "t"})
    assert response.status == 200


async def test_a_429_is_waited_out_and_the_answer_still_arrives(harness):
    harness.fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    await harness.event(payload("message_im"))
    first, second = await harness.fake.wait_for("chat.postMessage", count=2)
    assert first.params == second.params


async def test_a_failed_send_is_logged_with_the_channel(harness, caplog):
    harness.fake.fail("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.ERROR, logger="guidance_bot.slack"):
        await harness.event(payload("app_mention"))
        await harness.fake.wait_for("chat.postMessage")
        async with asyncio.timeout(5):
            while not any("C0CHANNEL" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.01)
    (record,) = [r for r in caplog.records if "C0CHANNEL" in r.getMessage()]
    assert "channel_not_found" in record.getMessage()


async def test_a_free_question_is_answered_with_its_principle_named(harness):
    entry = harness.core.knowledge.entry("topic-1")
    body = payload("message_im")
    body["event"]["text"] = entry.questions[0]
    await harness.event(body)
    (call,) = await harness.fake.wait_for("chat.postMessage")
    principle = harness.core.knowledge.principle(entry.principle)
    assert call.params["blocks"][0]["text"]["text"] == entry.title
    assert call.params["blocks"][1]["elements"][0]["text"] == (
        f"Principle {entry.principle}: {principle.title}")


async def test_admin_commands_follow_slack_admin_ids(harness):
    async def reload(message, arguments):
        return Reply(kind=ReplyKind.NOTICE, title="Reloaded", body=f"Reloaded by {message.user_id}")

    harness.core.register_admin(name="reload", summary="reload the knowledge base", run=reload)
    for number, user in enumerate(("U0USER", "U0ADMIN")):
        body = payload("message_im")
        body["event_id"] = f"EvAdmin{number}"
        body["event"].update(text="reload", user=user)
        await harness.event(body)
    texts = sorted(c.params["text"] for c in await harness.fake.wait_for("chat.postMessage", count=2))
    assert texts[0] == "Reloaded by U0ADMIN"
    assert "only an admin" in texts[1]
