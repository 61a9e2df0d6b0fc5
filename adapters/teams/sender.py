"""Posting reminders into Teams channels proactively, from the conversation reference the bot saved
when it last heard there, as the configured app.

Only the boundary with the reminder runner lives here: the connector's answers become `Delivery`
values. Retrying is the runner's job (pacing, Retry-After, the cut-off), so nothing is retried here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams.cards import reminder as reminder_card
from adapters.teams.inbound import PLATFORM, stored_id
from adapters.teams.retry import RETRIED_STATUSES, retry_after, status_of
from bot.messages import Reply
from bot.reminders.service import Delivery
from bot.storage.conversations import Conversations
from bot.storage.subscriptions import Subscription

log = logging.getLogger(__name__)

NEVER_HEARD = ("no_conversation: the bot has never heard from this channel, so Teams gives it no "
               "address there; add the bot to the team and @mention it in the channel once")
PERMANENT = {
    401: "unauthorized (401): check MicrosoftAppId and MicrosoftAppPassword",
    403: "forbidden (403): the bot was removed from this team or channel, or may not post there; "
         "add it back and @mention it in the channel",
    404: "not_found (404): the channel or team is gone, or the bot was removed from it; add the "
         "bot back and @mention it in the channel",
    413: "too_large (413): the reminder is too large for Teams",
}


class TeamsSender:
    def __init__(self, *, adapter: Any, store: Conversations, app_id: str,
                 render: Callable[[Reply], list[dict]] = reminder_card) -> None:
        self.adapter = adapter
        self.store = store
        self.app_id = app_id
        self.render = render

    async def send(self, *, subscription: Subscription, reply: Reply) -> Delivery:
        saved = await self.store.conversation(platform=PLATFORM,
                                              conversation_id=stored_id(subscription.channel_id))
        if saved is None:
            return Delivery.failed(detail=NEVER_HEARD)
        reference = ConversationReference().deserialize(saved)
        errors: list[Exception] = []

        async def say(turn_context: TurnContext) -> None:
            # Caught here: raised, it would reach the adapter's on_turn_error, which tells the
            # channel "something went wrong" instead of letting the runner retry.
            turn_context.activity.id = None  # a new post, not a reply in someone's thread
            try:
                for payload in self.render(reply):
                    await turn_context.send_activity(Activity().deserialize(payload))
            except Exception as error:  # noqa: BLE001 - mapped to a Delivery below
                errors.append(error)

        try:
            await self.adapter.continue_conversation(reference, say, bot_app_id=self.app_id)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Delivery.retry(detail=f"network: {type(error).__name__}")
        if not errors:
            return Delivery.delivered()
        return _delivery(errors[0])

    async def check(self, *, channel_id: str) -> str | None:
        """Asked at `subscribe`: Teams gives no address for a channel the bot has not heard in."""
        saved = await self.store.conversation(platform=PLATFORM,
                                              conversation_id=stored_id(channel_id))
        return None if saved is not None else NEVER_HEARD


def _delivery(error: Exception) -> Delivery:
    status = status_of(error)
    if status in RETRIED_STATUSES:
        return Delivery.retry(after=retry_after(error), detail=f"teams: HTTP {status}")
    if status in PERMANENT:
        return Delivery.failed(detail=PERMANENT[status])
    if status is not None:
        return Delivery.retry(detail=f"teams: HTTP {status}")
    log.warning("teams: reminder failed: %r", error)
    return Delivery.retry(detail=f"error: {type(error).__name__}")
