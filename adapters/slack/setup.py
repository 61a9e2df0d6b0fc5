"""The one call `app.py` makes: mount Slack on the shared aiohttp application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bolt import InFlight, build_bolt_app
from adapters.slack.http import SlackEvents
from adapters.slack.socket_mode import socket_mode_context
from bot.background import Context
from bot.conversation.core import Core
from bot.settings import Settings
from bot.storage.store import Store

log = logging.getLogger("guidance_bot.slack")

DEFAULT_API_URL = "https://slack.com/api/"
ANSWER_DRAIN_SECONDS = 10.0  # at shutdown, for answers already acknowledged to reach Slack
BOLT_APP = web.AppKey("slack_bolt", AsyncApp)
IN_FLIGHT = web.AppKey("slack_in_flight", InFlight)  # that bolt app's answers still running


def web_client(*, token: str | None, api_url: str | None) -> AsyncWebClient:
    """A Web API client that waits out a 429 per its Retry-After instead of failing the send."""
    base_url = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
    return AsyncWebClient(token=token, base_url=base_url, logger=log, retry_handlers=[
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
    ])


def shared_session(client: AsyncWebClient, in_flight: InFlight):
    """One kept-alive session for every Web API call; without it slack_sdk opens a new session,
    and a new connection, for each call, which cost a third of the time of each answered event.
    Closed only after the answers already acknowledged have been sent (cleanup runs once no
    request is in flight, so no new answer can start)."""

    async def context(_: web.Application) -> AsyncIterator[None]:
        client.session = aiohttp.ClientSession()
        try:
            yield
        finally:
            await in_flight.finish(timeout=ANSWER_DRAIN_SECONDS)
            await client.session.close()

    return context


def setup_slack(app: web.Application, *, core: Core, settings: Settings, store: Store
                ) -> list[Context]:
    """Mount what the settings enable; return the clean-up contexts for the composition root to
    register (none when Slack is not configured at all)."""
    http = settings.slack_http_enabled
    socket = bool(settings.slack_app_token and settings.slack_bot_token)
    if not (http or socket):
        return []
    client = web_client(token=settings.slack_bot_token, api_url=settings.slack_api_url)
    in_flight = InFlight()
    bolt = build_bolt_app(core=core, store=store, client=client,
                          signing_secret=settings.slack_signing_secret, in_flight=in_flight)
    app[BOLT_APP] = bolt
    app[IN_FLIGHT] = in_flight
    contexts = [shared_session(client, in_flight)]
    if http:
        app.router.add_routes(SlackEvents(bolt=bolt, signing_secret=settings.slack_signing_secret or "",
                                          store=store).routes())
        log.info("slack: events on at POST /slack/events")
    if socket:
        contexts.append(socket_mode_context(bolt=bolt, app_token=settings.slack_app_token or ""))
        log.info("slack: Socket Mode on")
    return contexts
