"""What posting into a Teams conversation unprompted (reminders) goes out as: the application's
adapter and app id, lent by `setup_teams` to the reminder senders (`adapters.senders`), which post
through `adapters.teams.sender.TeamsSender` from the reference saved when the bot last heard there."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter


@dataclass(frozen=True, kw_only=True)
class TeamsPoster:
    adapter: CloudAdapter
    app_id: str
