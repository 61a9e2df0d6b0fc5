"""Teams activities in: pure functions from a Bot Framework activity to the core's `Message`.

`adapters/teams/bot.py` calls `to_message` for every message activity; who asked, where, and what
they typed without the @mention are decided here alone, testable without a server.
"""

from __future__ import annotations

import hashlib

from botbuilder.schema import Activity, ChannelAccount

from bot.messages import Message

PLATFORM = "teams"
MAX_STORED_ID = 255  # characters the store keeps of a conversation or channel id


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def user_id(account: ChannelAccount | None) -> str:
    """Admins are listed by Azure AD object id (TEAMS_ADMIN_IDS); Teams' own id is the fallback."""
    if account is None:
        return ""
    return account.aad_object_id or account.id or ""


def stored_id(conversation_id: str) -> str:
    """What the store keeps a conversation (and its subscription) under: its id, or a digest of
    an id too long for the store (a group chat's id can run to hundreds of characters)."""
    if len(conversation_id) <= MAX_STORED_ID:
        return conversation_id
    return "sha256:" + _digest(conversation_id)


def strip_mention(activity: Activity) -> str:
    """The text without the @mention of this bot (what `TurnContext.remove_recipient_mention` does,
    but a malformed mention entity from a client does not raise)."""
    text = activity.text if isinstance(activity.text, str) else ""
    recipient = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or ():
        properties = getattr(entity, "additional_properties", None) or {}
        mentioned = properties.get("mentioned")
        if getattr(entity, "type", None) != "mention" or not isinstance(mentioned, dict):
            continue
        mention_text = properties.get("text")
        if mentioned.get("id") == recipient and isinstance(mention_text, str) and mention_text:
            text = text.replace(mention_text, " ")
    name = activity.recipient.name if activity.recipient else None
    if name:  # the mention entity was missing or malformed
        text = text.replace(f"<at>{name}</at>", " ")
    return " ".join(text.split())


def to_message(activity: Activity, *, anonymous: bool) -> Message:
    """`anonymous` where nobody's identity is proven (the Emulator): such a message never opens
    an admin command."""
    conversation = activity.conversation
    return Message(
        platform=PLATFORM, user_id=user_id(activity.from_property),
        text=strip_mention(activity).strip(),
        # A channel, not the thread in it: what `subscribe` subscribes and reminders post to.
        channel_id=stored_id(conversation.id.partition(";messageid=")[0])
        if conversation and conversation.id else None,
        is_direct=(conversation.conversation_type or "personal") == "personal"
        if conversation else True,
        user_name=activity.from_property.name if activity.from_property else None,
        anonymous=anonymous,
    )
