"""Posting reminders into Slack channels with the Web API (`chat.postMessage`).

Only the boundary with the reminder runner lives here: Slack's answers become `Delivery`
values. How a reminder looks is the Slack adapter's business, passed in as `render`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.messages import Reply
from bot.reminders.service import Delivery
from bot.storage.subscriptions import Subscription

# Errors that no retry will fix: someone has to invite the bot or grant a permission.
PERMANENT = {
    "not_in_channel": "not_in_channel: the bot is not a member; invite it to the channel",
    "channel_not_found": "channel_not_found: the channel is gone, or private without the bot",
    "is_archived": "is_archived: the channel is archived",
    "restricted_action": "restricted_action: the workspace does not let the bot post there",
    "missing_scope": "missing_scope: the app needs the chat:write scope",
    "not_authed": "not_authed: check SLACK_BOT_TOKEN",
    "invalid_auth": "invalid_auth: check SLACK_BOT_TOKEN",
    "account_inactive": "account_inactive: the bot user was deactivated",
    "token_revoked": "token_revoked: reinstall the app",
}


def plain_text(reply: Reply) -> dict[str, Any]:
    """For tests and tools; `open_senders` passes the adapter's Block Kit `reminder_message`."""
    return {"text": reply.text}


class SlackWebSender:
    def __init__(self, *, client: AsyncWebClient,
                 render: Callable[[Reply], dict[str, Any]] = plain_text) -> None:
        self.client = client
        self.render = render

    async def send(self, *, subscription: Subscription, reply: Reply) -> Delivery:
        try:
            await self.client.chat_postMessage(channel=subscription.channel_id,
                                               **self.render(reply))
        except SlackApiError as error:
            response = error.response
            code = str(response.get("error", "")) if isinstance(response.data, dict) else ""
            if response.status_code == 429 or code == "ratelimited":
                return Delivery.retry(after=_retry_after(response.headers), detail="ratelimited")
            if code in PERMANENT:
                return Delivery.failed(detail=PERMANENT[code])
            return Delivery.retry(detail=f"slack error: {code or response.status_code}")
        except (aiohttp.ClientError, TimeoutError) as error:
            return Delivery.retry(detail=f"network: {type(error).__name__}")
        return Delivery.delivered()

    async def check(self, *, channel_id: str) -> str | None:
        """Asked at `subscribe`: a slash command works in channels the bot is not in, where every
        reminder would then fail. Without channels:read/groups:read it cannot tell: None."""
        try:
            response = await self.client.conversations_info(channel=channel_id)
        except SlackApiError as error:
            data = error.response.data if isinstance(error.response.data, dict) else {}
            code = str(data.get("error", ""))
            return PERMANENT[code] if code in PERMANENT and code != "missing_scope" else None
        except (aiohttp.ClientError, TimeoutError):
            return None
        channel = response.get("channel") or {}
        if channel.get("is_archived"):
            return PERMANENT["is_archived"]
        if channel.get("is_member") is False and not channel.get("is_im"):
            return PERMANENT["not_in_channel"] + " with /invite @Guidance Bot"
        return None


def _retry_after(headers: Any) -> float | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None
