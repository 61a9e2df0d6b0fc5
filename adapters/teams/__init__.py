"""Microsoft Teams through the Bot Framework: the only package that imports botbuilder.

`setup_teams` adds `POST /api/messages` to the shared aiohttp application.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.background import Context
from bot.conversation.core import Core
from bot.settings import Settings
from bot.storage.store import Store

log = logging.getLogger(__name__)

# For proactive messages (reminders): the adapter and app id `adapters.senders` posts with.
TEAMS_POSTER = web.AppKey("teams_poster", object)


@dataclass(frozen=True, kw_only=True)
class BotConfig:
    """The attribute names `ConfigurationBotFrameworkAuthentication` reads, from our settings."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> BotConfig:
        return cls(APP_ID=settings.microsoft_app_id, APP_PASSWORD=settings.microsoft_app_password,
                   APP_TYPE=settings.microsoft_app_type,
                   APP_TENANTID=settings.microsoft_app_tenant_id, **overrides)


def cloud_adapter(*, settings: Settings, credentials_factory=None,
                  config_overrides: dict | None = None, outbound=None):
    """botbuilder's adapter, as our app, and its authentication (close it when done); also what
    `guidance-bot reminders run-due` posts to Teams with, outside the web application.
    `outbound` (`connectors.OutboundLimits`) bounds each call to a Bot Framework service."""
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
        ConfigurationServiceClientCredentialFactory,
    )

    from adapters.teams.connectors import CachedCredentialsFactory, OutboundLimits
    from adapters.teams.http import GuardedAuthentication

    config = BotConfig.from_settings(settings, **(config_overrides or {}))
    credentials = CachedCredentialsFactory(
        credentials_factory or ConfigurationServiceClientCredentialFactory(config, logger=log))
    authentication = GuardedAuthentication(ConfigurationBotFrameworkAuthentication(
        config, credentials_factory=credentials, logger=log), limits=outbound or OutboundLimits())
    return CloudAdapter(authentication), authentication


def setup_teams(app: web.Application, *, core: Core, settings: Settings, store: Store,
                credentials_factory=None, bot_options: dict | None = None,
                config_overrides: dict | None = None, outbound=None) -> list[Context]:
    """Serve the Teams bot at `POST /api/messages`.

    `credentials_factory` and `config_overrides` exist so tests never reach Microsoft's login
    service, and `outbound` so they need not wait out the real time limits; production leaves
    them unset. Returns the clean-up contexts for the composition root to register.
    """
    if settings.production and not settings.microsoft_app_id:
        log.info("teams: off (production without MicrosoftAppId, TEAMS_ENABLED=false)")
        return []
    from adapters.teams.bot import GuidanceTeamsBot, on_turn_error
    from adapters.teams.http import MessagesEndpoint
    from adapters.teams.proactive import TeamsPoster

    adapter, authentication = cloud_adapter(settings=settings, credentials_factory=credentials_factory,
                                            config_overrides=config_overrides, outbound=outbound)
    adapter.on_turn_error = on_turn_error
    emulator = not settings.microsoft_app_id
    bot = GuidanceTeamsBot(core=core, store=store, anonymous=emulator, **(bot_options or {}))
    app[TEAMS_POSTER] = TeamsPoster(adapter=adapter, app_id=settings.microsoft_app_id)
    endpoint = MessagesEndpoint(adapter=adapter, authentication=authentication, bot=bot,
                                emulator=emulator)
    app.router.add_post("/api/messages", endpoint.handle)

    async def close_clients(_: web.Application) -> AsyncIterator[None]:
        yield
        await authentication.close()

    if settings.microsoft_app_id:
        log.info("teams: on at POST /api/messages for app id %s", settings.microsoft_app_id)
    else:
        log.warning("teams: NO AUTHENTICATION on POST /api/messages: MicrosoftAppId is blank, so "
                    "it serves the Bot Framework Emulator on this machine only (loopback callers "
                    "and service URLs) and grants no admin. Set MicrosoftAppId and "
                    "MicrosoftAppPassword for Teams.")
        if settings.admins.by_platform.get("teams"):
            log.error("teams: TEAMS_ADMIN_IDS ignored: without MicrosoftAppId nobody's Teams "
                      "identity is proven")
    return [close_clients]
