"""Socket Mode: the same bolt app over a WebSocket Slack opens to us, so no public URL is needed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

log = logging.getLogger("guidance_bot.slack")
SOCKET_MODE = web.AppKey("slack_socket_mode", AsyncSocketModeHandler)


def socket_mode_context(*, bolt: AsyncApp, app_token: str):
    """A `cleanup_ctx` entry: connected while the web application runs, closed when it stops."""

    async def connected(app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(bolt, app_token=app_token, logger=log)
        await handler.connect_async()
        log.info("slack: Socket Mode connected")
        app[SOCKET_MODE] = handler
        try:
            yield
        finally:
            await handler.close_async()

    return connected
