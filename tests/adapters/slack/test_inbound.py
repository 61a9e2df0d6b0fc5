"""What the bot reads from each Slack event, without a server (adapters/slack/inbound.py)."""

from __future__ import annotations

import pytest

from adapters.slack.inbound import command_message, to_message

BOT = "UBOT"


def test_a_mention_is_the_question_without_the_mention_answered_in_the_channel():
    message = to_message({"type": "app_mention", "user": "U1", "channel": "C1",
                          "text": "<@UBOT> can I  like a post by my MP?"},
                         bot_user_id=BOT, workspaces=("T1",), home=True)
    assert message is not None
    assert (message.text, message.channel_id, message.is_direct, message.workspaces) == (
        "can I like a post by my MP?", "C1", False, ("T1",))


def test_a_direct_message_is_direct_and_keeps_its_text():
    message = to_message({"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
                          "text": "can i tweet about work"}, bot_user_id=BOT, home=False)
    assert message is not None
    assert (message.text, message.is_direct, message.home_workspace) == (
        "can i tweet about work", True, False)


@pytest.mark.parametrize("event", [
    {"type": "message", "channel_type": "channel", "user": "U1", "channel": "C1", "text": "hi"},
    {"type": "message", "channel_type": "im", "bot_id": "B1", "channel": "D1", "text": "loop"},
    {"type": "message", "channel_type": "im", "subtype": "message_changed", "user": "U1",
     "channel": "D1", "text": "edited"},
    {"type": "app_mention", "channel": "C1", "text": "<@UBOT> no user"},
    {"type": "app_mention", "user": "U1", "text": "<@UBOT> no channel"},
    {"type": "app_mention", "user": "U1", "channel": ["C1"], "text": "a channel that is a list"},
    {"type": "reaction_added", "user": "U1", "channel": "C1"},
], ids=["channel-chatter", "a-bot", "an-edit", "no-user", "no-channel", "odd-channel", "other-event"])
def test_what_the_bot_must_not_answer_is_no_message(event):
    assert to_message(event, bot_user_id=BOT) is None


def test_a_slash_command_in_a_dm_is_direct_and_in_a_channel_is_not():
    dm = command_message({"user_id": "U1", "channel_id": "D1", "channel_name": "directmessage",
                          "text": "politics"})
    channel = command_message({"user_id": "U1", "channel_id": "C1", "channel_name": "general"})
    assert (dm.is_direct, dm.text, channel.is_direct, channel.text) == (True, "politics", False, "")
