"""Posting a reminder into Teams the way production does: through the sender `open_senders` makes
from the web application's Teams adapter (the reminder runner's path)."""

from __future__ import annotations

from datetime import time

from aiohttp import web

from adapters.senders import open_senders
from bot.messages import Reply
from bot.reminders.service import Delivery
from bot.settings import Settings
from bot.storage.store import Store
from bot.storage.subscriptions import Subscription


async def post_reminder(app: web.Application, *, store: Store, channel: str,
                        reply: Reply) -> Delivery:
    async with open_senders(settings=Settings(reminders_enabled=False), store=store,
                            app=app) as senders:
        return await senders["teams"].send(
            subscription=Subscription(platform="teams", channel_id=channel, at=time(9)),
            reply=reply)
