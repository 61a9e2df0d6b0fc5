"""Posting into a Teams conversation unprompted (reminders), from the reference saved when the bot
last heard there."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from adapters.teams.bot import PLATFORM, GuidanceTeamsBot, stored_id
from bot.messages import Reply
from bot.storage.store import Store

log = logging.getLogger(__name__)


class TeamsPoster:
    def __init__(self, *, adapter: CloudAdapter, bot: GuidanceTeamsBot, store: Store,
                 app_id: str) -> None:
        self.adapter = adapter
        self.bot = bot
        self.store = store
        self.app_id = app_id

    async def post(self, *, conversation_id: str, reply: Reply) -> bool:
        """Say `reply` in the conversation; False when the bot has never heard from it."""
        saved = await self.store.conversation(platform=PLATFORM,
                                              conversation_id=stored_id(conversation_id))
        if saved is None:
            return False
        reference = ConversationReference().deserialize(saved)

        async def say(turn_context: TurnContext) -> None:
            turn_context.activity.id = None  # a new message, not a reply to the made-up continuation id
            await self.bot.say(turn_context, reply)

        await self.adapter.continue_conversation(reference, say, bot_app_id=self.app_id)
        return True
