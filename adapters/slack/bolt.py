"""The bolt `AsyncApp` and its listeners: Slack events in, core replies out.

Listeners acknowledge first and answer after (`process_before_response=False`), so the cost of an
answer never delays the acknowledgement Slack wants within three seconds.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import Awaitable

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.inbound import command_message, to_message
from adapters.slack.render import (
    HELPFUL_ACTION,
    MAX_BLOCKS,
    NOT_HELPFUL_ACTION,
    REMINDER_MORE_ACTION,
    SHARE_ACTION,
    SUGGEST_ACTION,
    home_view,
    reply_message,
)
from bot.conversation.core import Core
from bot.messages import Reply
from bot.storage.events import EventLog, first_delivery_or_new

log = logging.getLogger("guidance_bot.slack")

SLASH_COMMAND = "/guidance"
ACK_STORE_SECONDS = 1.0  # see adapters/slack/http.py: the acknowledgement waits on this claim
# What adapters/slack/manifests/manifest*.yaml subscribe to; each has a listener, so none is
# ever answered 404.
SUBSCRIBED_EVENTS = ("app_home_opened", "app_mention", "message.im")
BOT_SCOPES = ("app_mentions:read", "channels:read", "chat:write", "commands", "groups:read", "im:history")
_USER_ID = re.compile(r"^[A-Z0-9]{2,40}$")


def where_from(context) -> tuple[tuple[str, ...], bool]:
    """The workspace and org the user acts from (in a Slack Connect channel, their own, not the
    channel's), and whether it is the workspace the bot's token belongs to (from auth.test)."""
    team, org = context.actor_team_id, context.actor_enterprise_id
    installed = context.authorize_result
    home_team = installed.team_id if installed else None
    home_org = installed.enterprise_id if installed else None
    if home_team:
        home = team == home_team
    else:  # installed across an Enterprise Grid org
        home = bool(home_org) and org == home_org
    return tuple(w for w in (team, org) if w), home


async def deliver(what: str, channel: str | None, call: Awaitable) -> bool:
    """Run one send; a failure is logged with where it was going, never dropped silently."""
    try:
        response = await call
    except (TimeoutError, SlackApiError, SlackClientError, aiohttp.ClientError) as error:
        log.error("slack: %s to channel %s failed: %s", what, channel, error)
        return False
    status = getattr(response, "status_code", 200)
    if status >= 300:
        log.error("slack: %s to channel %s failed: HTTP %s %s", what, channel, status,
                  getattr(response, "body", ""))
        return False
    return True


class InFlight:
    """The answers of one bolt app still running after their acknowledgement: bolt runs listeners
    as tasks nobody awaits, so shutdown waits for these (see `finish`) rather than cut answers off.
    One per app, so two apps in one process never wait on each other's answers."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def logged(self, listener):
        """Keep a listener's failure in the log, and out of bolt; count it in flight meanwhile.

        Bolt clears an acknowledgement when the listener raises afterwards, so a failing answer
        would turn a prompt 200 into a 404 three seconds later, and Slack would retry it.
        """

        @functools.wraps(listener)
        async def run(*args, **kwargs) -> None:
            task = asyncio.current_task()
            if task is not None:
                self.tasks.add(task)
            try:
                await listener(*args, **kwargs)
            except Exception:
                log.exception("slack: %s failed", listener.__name__)
            finally:
                if task is not None:
                    self.tasks.discard(task)

        return run

    async def finish(self, *, timeout: float) -> int:
        """Wait up to `timeout` for answers in flight; how many were still running after it."""
        pending = {task for task in self.tasks if task is not asyncio.current_task()}
        if not pending:
            return 0
        log.info("slack: finishing %d answer(s) in flight", len(pending))
        _, still_running = await asyncio.wait(pending, timeout=timeout)
        if still_running:
            log.warning("slack: %d answer(s) still running after %.0f s; stopping anyway",
                        len(still_running), timeout)
        return len(still_running)


class _WithoutTokenSkippedWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself, as we do, then warns at every start that the client we
    hand it (made from that same token) wins: a warning with nothing to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_bolt_app(*, core: Core, store: EventLog, client: AsyncWebClient,
                   signing_secret: str | None, in_flight: InFlight | None = None) -> AsyncApp:
    """An `AsyncApp` answering mentions, DMs, `/guidance`, buttons and the App Home; its answers
    in flight are counted in `in_flight` (for shutdown to wait on), a new one when not given."""
    logged = (in_flight if in_flight is not None else InFlight()).logged
    quiet = _WithoutTokenSkippedWarning()
    log.addFilter(quiet)
    try:
        app = AsyncApp(client=client, signing_secret=signing_secret or "",
                       request_verification_enabled=bool(signing_secret),
                       process_before_response=False, logger=log)
    finally:
        log.removeFilter(quiet)

    @app.middleware
    async def answer_each_event_once(body: dict, next) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await first_delivery_or_new(
                store, key=f"slack:event:{event_id}", timeout=ACK_STORE_SECONDS):
            log.info("slack: event %s already delivered; skipping the retry", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    async def answer_event(event: dict, context, client: AsyncWebClient) -> None:
        """A mention is answered in its thread (a new one under it), a DM in its own."""
        workspaces, home = where_from(context)
        message = to_message(event, bot_user_id=context.bot_user_id, workspaces=workspaces,
                             home=home)
        if message is None or message.channel_id is None:
            return
        reply = await core.handle(message)
        thread = event.get("thread_ts") or (None if message.is_direct else event.get("ts"))
        await deliver("chat.postMessage", message.channel_id, client.chat_postMessage(
            channel=message.channel_id, thread_ts=thread, **reply_message(reply)))

    @app.event("app_mention")
    @logged
    async def on_mention(event: dict, context, client: AsyncWebClient) -> None:
        await answer_event(event, context, client)

    @app.event("message")
    @logged
    async def on_message(event: dict, context, client: AsyncWebClient) -> None:
        await answer_event(event, context, client)

    @app.event("app_home_opened")
    @logged
    async def on_home(event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        day = core.clock().astimezone(core.timezone).date()
        view = home_view(principles=core.principles(), today=core.today(), day=day)
        await deliver("views.publish", f"home of {event['user']}",
                      client.views_publish(user_id=event["user"], view=view))

    @app.command(SLASH_COMMAND)
    @logged
    async def on_command(ack, command: dict, context) -> None:
        await ack()
        respond = context.respond
        if respond is None:
            log.warning("slack: %s without a response_url; nowhere to answer", SLASH_COMMAND)
            return
        workspaces, home = where_from(context)
        reply = await core.handle(command_message(command, workspaces=workspaces, home=home))
        await deliver("response_url", command.get("channel_id"), respond(
            response_type="ephemeral", **reply_message(reply, shareable=True)))

    async def show(reply: Reply, *, body: dict, client: AsyncWebClient, respond) -> None:
        """An answer to a click: privately when the click was on a private message, else in place."""
        channel = (body.get("channel") or {}).get("id")
        if (body.get("container") or {}).get("is_ephemeral") and respond is not None:
            await deliver("response_url", channel, respond(
                response_type="ephemeral", replace_original=False,
                **reply_message(reply, shareable=True)))
            return
        if not channel:
            return
        thread = (body.get("message") or {}).get("thread_ts")
        await deliver("chat.postMessage", channel, client.chat_postMessage(
            channel=channel, thread_ts=thread, **reply_message(reply)))

    @app.action(re.compile(rf"^{SUGGEST_ACTION}_\d+$"))
    @logged
    async def on_suggestion(ack, action: dict, body: dict, client: AsyncWebClient, context) -> None:
        await ack()
        await show(core.answer_entry(entry_id=str(action.get("value", ""))), body=body,
                   client=client, respond=context.respond)

    @app.action(re.compile(rf"^(?:{HELPFUL_ACTION}|{NOT_HELPFUL_ACTION})$"))
    @logged
    async def on_feedback(ack, action: dict, body: dict, client: AsyncWebClient, context) -> None:
        await ack()
        respond = context.respond
        try:
            value = json.loads(action.get("value") or "{}")
        except ValueError:
            value = {}
        value = value if isinstance(value, dict) else {}
        entry, question = value.get("entry"), value.get("question")
        reply = await core.feedback(
            platform="slack", helpful=action.get("action_id") == HELPFUL_ACTION,
            entry=entry if isinstance(entry, str) else None,
            question=question if isinstance(question, str) else None)
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        if (body.get("container") or {}).get("is_ephemeral") and respond is not None:
            await deliver("response_url", channel, respond(
                response_type="ephemeral", replace_original=False, text=reply.text))
        elif channel and user:
            thread = (body.get("message") or {}).get("thread_ts")
            await deliver("chat.postEphemeral", channel, client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread, text=reply.text))

    @app.action(REMINDER_MORE_ACTION)
    @logged
    async def on_reminder_more(ack, action: dict, body: dict, client: AsyncWebClient) -> None:
        """From a channel's daily reminder: the principle in full, shown only to who clicked."""
        await ack()
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        if not (channel and user):
            return
        reply = core.answer_entry(entry_id=str(action.get("value", "")))
        await deliver("chat.postEphemeral", channel, client.chat_postEphemeral(
            channel=channel, user=user, **reply_message(reply, shareable=True)))

    @app.action(SHARE_ACTION)
    @logged
    async def on_share(ack, action: dict, body: dict, context) -> None:
        await ack()
        respond = context.respond
        if respond is None:
            return
        reply = core.answer_entry(entry_id=str(action.get("value", "")))
        message = reply_message(reply)
        user = (body.get("user") or {}).get("id", "")
        if _USER_ID.match(user) and len(message["blocks"]) < MAX_BLOCKS:
            message["blocks"].append({"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"Shared by <@{user}>"}]})
        await deliver("response_url", (body.get("channel") or {}).get("id"), respond(
            response_type="in_channel", replace_original=False, **message))

    return app
