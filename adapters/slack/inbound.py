"""Slack events in: pure functions from what Slack sends to the core's `Message`.

Bolt's listeners (`adapters/slack/bolt.py`) call these and nothing else decides what a person
asked, so each rule (whose messages are answered, what a mention looks like) is tested here
without a server.
"""

from __future__ import annotations

import re

from bot.messages import Message

PLATFORM = "slack"
# Message subtypes that are still a person typing a question.
_HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
_ANY_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>\s*")


def from_bot(event: dict) -> bool:
    """Another bot's message, or one of ours: answering it could start a reply loop."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        event.get("subtype") not in _HUMAN_SUBTYPES)


def strip_mention(text: str, *, bot_user_id: str | None) -> str:
    """The question without the `@Guidance Bot` that addressed it."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    else:
        text = _ANY_MENTION.sub(" ", text, count=1)
    return " ".join(text.split())


def to_message(event: dict, *, bot_user_id: str | None, workspaces: tuple[str, ...] = (),
               home: bool = True) -> Message | None:
    """A mention in a channel (`app_mention`) or a direct message (`message` in an IM), or None
    for what the bot must not answer: a bot's message, one with no user, or no channel to answer
    in. `workspaces` and `home` are where the user acts from, as `bolt.where_from` reads them."""
    channel, user = event.get("channel"), event.get("user")
    if from_bot(event) or not isinstance(user, str) or not user or not isinstance(channel, str):
        return None
    kind = event.get("type")
    if kind == "app_mention":
        text, direct = strip_mention(event.get("text") or "", bot_user_id=bot_user_id), False
    elif kind == "message" and event.get("channel_type") == "im":
        text, direct = event.get("text") or "", True
    else:
        return None
    return Message(platform=PLATFORM, user_id=user, text=text, channel_id=channel,
                   is_direct=direct, workspaces=workspaces, home_workspace=home)


def command_message(command: dict, *, workspaces: tuple[str, ...] = (), home: bool = True
                    ) -> Message:
    """`/guidance <text>`: answered wherever it was typed, privately."""
    return Message(platform=PLATFORM, user_id=command.get("user_id", ""),
                   text=command.get("text") or "", channel_id=command.get("channel_id"),
                   is_direct=command.get("channel_name") == "directmessage",
                   workspaces=workspaces, home_workspace=home)
