"""The reminder senders this instance can use, one per configured platform.

Each platform's owner adds its sender here; a platform left out is posted by another instance
that has it configured (the runner never claims slots it cannot send).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp

from bot.background import Context
from bot.reminders import service as reminders
from bot.reminders.service import Sender


@asynccontextmanager
async def open_senders(*, settings: Any, store: Any, app: Any = None
                       ) -> AsyncIterator[dict[str, Sender]]:
    """`app`, the web application when there is one, lends its Teams adapter; without it (the
    `run-due` command) one is made from the settings, as the web application would."""
    senders: dict[str, Sender] = {}
    async with AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        if settings.slack_bot_token:
            from slack_sdk.web.async_client import AsyncWebClient

            from adapters.slack.render import reminder_message
            from adapters.slack.sender import SlackWebSender

            # slack_sdk joins method names onto the base URL, which must end with a slash.
            options = ({"base_url": settings.slack_api_url.rstrip("/") + "/"}
                       if settings.slack_api_url else {})
            # The runner owns retries (pacing, Retry-After, the cut-off); slack_sdk's own would
            # resend behind its back.
            client = AsyncWebClient(token=settings.slack_bot_token, session=session,
                                    retry_handlers=[], **options)
            senders["slack"] = SlackWebSender(client=client, render=reminder_message)
        from adapters.teams import TEAMS_POSTER, cloud_adapter
        from adapters.teams.sender import TeamsSender

        poster = app.get(TEAMS_POSTER) if app is not None else None
        if poster is not None:
            senders["teams"] = TeamsSender(adapter=poster.adapter, store=store, app_id=poster.app_id)
        elif settings.microsoft_app_id or not settings.production:  # as setup_teams serves Teams
            adapter, authentication = cloud_adapter(settings=settings)
            stack.push_async_callback(authentication.close)
            senders["teams"] = TeamsSender(adapter=adapter, store=store,
                                           app_id=settings.microsoft_app_id)
        yield senders


def reminder_service(*, settings: Any, runner: reminders.ReminderRunner, store: Any,
                     interval: float = 30.0) -> Context:
    """The clean-up context that opens `runner`'s senders and runs the scheduler with the web
    application (unless REMINDERS=off)."""

    async def context(app: Any) -> AsyncIterator[None]:
        # Opened even with REMINDERS=off (posting left to `run-due`): `subscribe` asks them whether
        # the bot can post in the channel.
        async with open_senders(settings=settings, store=store, app=app) as opened:
            runner.senders.update(opened)
            if settings.reminders_enabled:
                async for _ in reminders.scheduler_context(runner=runner, interval=interval)(app):
                    yield
            else:
                yield
            runner.senders.clear()

    return context
