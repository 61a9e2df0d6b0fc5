"""The Teams bot: Bot Framework activities in, core replies out as Adaptive Cards."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypedDict

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from adapters.teams.cards import (
    ANSWER_ACTION,
    CARD_CONTENT_TYPE,
    FEEDBACK_ACTION,
    private_answer,
    render,
)
from adapters.teams.inbound import PLATFORM, _digest, stored_id, to_message
from adapters.teams.retry import RetryPolicy, Sleep, with_retries
from bot.conversation.core import Core
from bot.messages import Reply
from bot.storage.events import first_delivery_or_new
from bot.storage.store import Store

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
WELCOME_WINDOW_SECONDS = 600
STORE_SECONDS = 2.0  # Teams waits 15 s for the whole turn; the store gets this much of it
CARD_ACTION = "adaptiveCard/action"  # the invoke an Action.Execute button sends
ERROR_TYPE = "application/vnd.microsoft.error"


def event_key(*parts: str) -> str:
    """A fixed-length key for `first_delivery` from ids of any length: a Teams conversation id
    can be longer than the store keeps, and cut short two messages would share a key."""
    return "teams:" + _digest(*parts)


class _RetryOptions(TypedDict, total=False):
    """Only what was given: `with_retries` has its own defaults."""

    sleep: Sleep
    rng: Callable[[], float]


class GuidanceTeamsBot(ActivityHandler):
    def __init__(self, *, core: Core, store: Store, anonymous: bool = False,
                 retry: RetryPolicy | None = None, sleep: Sleep | None = None,
                 rng: Callable[[], float] | None = None) -> None:
        self.core = core
        self.store = store
        self.anonymous = anonymous  # Emulator mode: no token proves who anyone is
        self.retry = retry or RetryPolicy()
        self._retry_options: _RetryOptions = {}
        if sleep is not None:
            self._retry_options["sleep"] = sleep
        if rng is not None:
            self._retry_options["rng"] = rng

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        conversation = activity.conversation.id if activity.conversation else None
        # An invoke is answered in its own HTTP response and posts nothing: a redelivery gets
        # the answer again (skipped, botbuilder would answer it 501).
        once = activity.type != ActivityTypes.invoke and activity.id
        if once and conversation and not await first_delivery_or_new(
                self.store, key=event_key(conversation, activity.id), timeout=STORE_SECONDS):
            log.info("teams: activity %s in %s already handled, ignoring the redelivery",
                     activity.id, conversation)
            return
        if conversation:
            try:  # where to post reminders: worth keeping, never worth an answer
                await asyncio.wait_for(self._remember(activity, conversation), STORE_SECONDS)
            except Exception as error:  # noqa: BLE001 - the store is down, full or stalled
                log.warning("teams: conversation %s not saved (%s); answering anyway",
                            conversation, type(error).__name__)
        await super().on_turn(turn_context)

    async def _remember(self, activity: Activity, conversation: str) -> None:
        """Keep where this conversation lives; for a channel thread, the channel itself as well,
        so that reminders can start a new post there rather than reply in someone's thread.
        An unauthenticated activity (Emulator mode) may record a new conversation, never move
        one already recorded: its service URL is only what the caller says."""
        reference = TurnContext.get_conversation_reference(activity).serialize()
        channel, _, thread = conversation.partition(";messageid=")
        places = [(conversation, reference)]
        if thread:
            channel_reference = {**reference, "conversation": {**reference["conversation"],
                                                               "id": channel}}
            channel_reference.pop("activityId", None)
            places.append((channel, channel_reference))
        for place, saved in places:
            if self.anonymous and await self.store.conversation(
                    platform=PLATFORM, conversation_id=stored_id(place)) is not None:
                continue
            await self.store.save_conversation(platform=PLATFORM, conversation_id=stored_id(place),
                                               reference=saved)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and activity.value.get("action"):
            await self._on_submit(turn_context, activity.value)
            return
        message = to_message(activity, anonymous=self.anonymous)
        await self.say(turn_context, await self.core.handle(message))

    async def _on_submit(self, turn_context: TurnContext, value: dict[str, Any]) -> None:
        action, entry = value.get("action"), value.get("entry")
        if action == ANSWER_ACTION and isinstance(entry, str):
            reply = self.core.answer_entry(entry_id=entry)
        elif action == FEEDBACK_ACTION and isinstance(entry, str) and isinstance(
                value.get("helpful"), bool):
            question = value.get("question") if isinstance(value.get("question"), str) else None
            reply = await self.core.feedback(platform=PLATFORM, entry=entry,
                                             helpful=value["helpful"], question=question)
        else:
            log.info("teams: ignoring a card submit with unknown data %r", sorted(value))
            reply = self.core.help()
        await self.say(turn_context, reply)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        recipient = turn_context.activity.recipient
        if recipient and any(member.id == recipient.id for member in members_added or ()):
            await self._welcome(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        """Welcome once per install. Teams sends installationUpdate and conversationUpdate for the
        same install, either may go missing, and a team's two may name different channels."""
        activity = turn_context.activity
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = channel_data.get("team")
        if not isinstance(team, dict):
            team = {}
        where = team.get("id") or (activity.conversation.id if activity.conversation else "")
        when = activity.timestamp or datetime.now(UTC)
        window = int(when.timestamp()) // WELCOME_WINDOW_SECONDS
        if await first_delivery_or_new(self.store, key=event_key("welcome", where, str(window)),
                                       timeout=STORE_SECONDS):
            await self.say(turn_context, self.core.welcome())

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Only `adaptiveCard/action` (a card's Action.Execute) is the bot's; any other invoke is
        the caller's mistake: 400. The SDK would answer 501, or 500 for an Action.Execute
        without a value (it fails to serialise its own error)."""
        if turn_context.activity.name == CARD_ACTION:
            return await self._on_execute(turn_context)
        log.info("teams: unsupported invoke %r", turn_context.activity.name)
        return InvokeResponse(status=400)

    async def _on_execute(self, turn_context: TurnContext) -> InvokeResponse:
        """An Action.Execute button: answered with a card in the invoke's own response, which
        Teams shows in place of the clicked card to the person who clicked, and to nobody else.
        Nothing is posted to the conversation, not even on an error."""
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return _error(400, "BadRequest", "value.action must be an Action.Execute")
        data = action.get("data")
        if not isinstance(data, dict):
            data = {}
        verb, entry, helpful = action.get("verb"), data.get("entry"), data.get("helpful")
        if not isinstance(entry, str) or verb not in (ANSWER_ACTION, FEEDBACK_ACTION) or (
                verb == FEEDBACK_ACTION and not isinstance(helpful, bool)):
            log.info("teams: ignoring an Action.Execute with verb %r and data %r", verb,
                     sorted(data))
            return _error(400, "NotSupported", "this button is not one of the bot's")
        try:
            answer = self.core.answer_entry(entry_id=entry)
            if verb == FEEDBACK_ACTION and isinstance(helpful, bool):  # a bool, checked above
                thanks = await self.core.feedback(platform=PLATFORM, entry=entry, helpful=helpful)
                card = private_answer(dataclasses.replace(answer, feedback=False),
                                      note=thanks.text)
            else:
                card = private_answer(answer)
        except Exception as error:  # noqa: BLE001 - on_turn_error would tell the whole channel
            log.error("teams: error answering an Action.Execute (%s) in conversation %s: %r",
                      verb, turn_context.activity.conversation.id
                      if turn_context.activity.conversation else None, error, exc_info=error)
            return _error(500, "InternalError", SORRY)
        return InvokeResponse(status=200, body={"statusCode": 200, "type": CARD_CONTENT_TYPE,
                                                "value": card})

    async def say(self, turn_context: TurnContext, reply: Reply) -> None:
        for payload in render(reply):
            activity = Activity().deserialize(payload)
            await with_retries(functools.partial(turn_context.send_activity, activity),
                               policy=self.retry, what="reply", **self._retry_options)


def _error(status: int, code: str, message: str) -> InvokeResponse:
    """An `adaptiveCard/action` error as the Universal Actions response format has it; Teams
    shows the clicker an error, and nobody else anything."""
    return InvokeResponse(status=status, body={"statusCode": status, "type": ERROR_TYPE,
                                               "value": {"code": code, "message": message}})


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """Log what was being handled, and tell the person briefly rather than go silent."""
    activity = turn_context.activity
    log.error("teams: error handling %s activity %s in conversation %s (channel %s): %r",
              activity.type, activity.id,
              activity.conversation.id if activity.conversation else None,
              activity.channel_id, error, exc_info=error)
    try:
        await turn_context.send_activity(MessageFactory.text(SORRY))
    except Exception as send_error:  # the connector may be what failed
        log.error("teams: could not tell the user about the error: %r", send_error)
