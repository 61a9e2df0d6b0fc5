"""`POST /api/messages`: bad requests answered 4xx here, good ones handed to botbuilder's CloudAdapter.

`CloudAdapter.process` turns only PermissionError into 401; a malformed or foreign token makes the
JWT code raise anything (DecodeError, IndexError, KeyError) and aiohttp answers 500. So the
authentication is wrapped to turn every failure into PermissionError, and the body is checked
here before the SDK sees it.

The wrapper also hands out pooled outgoing clients (see `connectors`).
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import Bot, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.exceptions import DeserializationError

from adapters.teams.connectors import ClientPool, OutboundLimits, PooledConnectorFactory
from adapters.web.chat import json_error, read_json_object

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Teams' own messages are at most about 28 KB, card submits less


class GuardedAuthentication(BotFrameworkAuthentication):
    """Delegates to the real authentication; any failure to authenticate becomes PermissionError,
    and outgoing clients come from pools that live as long as the application."""

    def __init__(self, inner: BotFrameworkAuthentication, *,
                 limits: OutboundLimits | None = None) -> None:
        self._inner = inner
        self.limits = limits or OutboundLimits()
        self.connectors = ClientPool()
        self.token_clients = ClientPool()

    async def close(self) -> None:
        await self.connectors.close()
        await self.token_clients.close()

    async def authenticate_request(self, activity: Activity, auth_header: str
                                   ) -> AuthenticateRequestResult:
        try:
            result = await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as error:
            raise PermissionError(f"token rejected: {type(error).__name__}") from error
        identity = result.claims_identity
        if identity.authentication_type != AuthenticationConstants.ANONYMOUS_AUTH_TYPE:
            # Replies go where the token says, never where the body says. Only channel tokens
            # name a service URL; an Emulator or skill token names none and is refused.
            vouched = identity.get_claim_value(AuthenticationConstants.SERVICE_URL_CLAIM)
            if not isinstance(vouched, str) or not vouched:
                raise PermissionError("the token vouches for no serviceUrl")
            activity.service_url = vouched
        if result.connector_factory is not None:
            result.connector_factory = PooledConnectorFactory(
                result.connector_factory, self.connectors, limits=self.limits)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str
                                             ) -> AuthenticateRequestResult:
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except PermissionError:
            raise
        except Exception as error:
            raise PermissionError(f"token rejected: {type(error).__name__}") from error

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return PooledConnectorFactory(self._inner.create_connector_factory(claims_identity),
                                      self.connectors, limits=self.limits)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        claims = claims_identity.claims or {}
        key = tuple(str(claims.get(name)) for name in ("aud", "appid", "azp"))  # a claim may be a list
        return await self.token_clients.get(
            key, lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


def is_loopback_host(host: str | None) -> bool:
    """`localhost` or a loopback address literal; other names are not looked up (a name can be
    made to point anywhere)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def from_this_machine(request: web.Request) -> bool:
    """The TCP peer is a loopback address and no proxy relayed the request on someone's behalf."""
    if "Forwarded" in request.headers or "X-Forwarded-For" in request.headers:
        return False
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return isinstance(peer, tuple) and bool(peer) and is_loopback_host(str(peer[0]))


def _problem(data: dict[str, Any]) -> str | None:
    """Why this is not an activity the adapter can answer, or None."""
    if not isinstance(data.get("type"), str) or not data["type"]:
        return "'type' must be a non-empty string"
    service_url = data.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
        return "'serviceUrl' must be an http(s) URL"
    try:
        parts = urlsplit(service_url)
        _ = parts.port  # raises here for a port that is not a number
    except ValueError:
        return "'serviceUrl' must be an http(s) URL"
    if not parts.hostname or "@" in parts.netloc:
        return "'serviceUrl' must name a host, and no user name or password"
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "'conversation.id' must be a string"
    recipient = data.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str):
        return "'recipient.id' must be a string"
    if data.get("from") is not None and not isinstance(data["from"], dict):
        return "'from' must be an object"
    return None


class MessagesEndpoint:
    def __init__(self, *, adapter: CloudAdapter, authentication: BotFrameworkAuthentication,
                 bot: Bot, emulator: bool = False) -> None:
        self.adapter = adapter
        self.authentication = authentication
        self.bot = bot
        self.emulator = emulator  # no credentials: only this machine may call

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.emulator and not from_this_machine(request):
            log.warning("teams: refused a request to /api/messages from %s: without MicrosoftAppId "
                        "only this machine (the Bot Framework Emulator) may call", request.remote)
            return json_error(403, "without MicrosoftAppId this endpoint serves only this machine")
        if request.content_type != "application/json":
            return json_error(415, "content type must be application/json")
        data = await read_json_object(request, limit=MAX_BODY_BYTES)
        problem = _problem(data)
        if problem:
            return json_error(400, problem)
        if self.emulator and not is_loopback_host(urlsplit(data["serviceUrl"]).hostname):
            log.warning("teams: refused an activity whose serviceUrl is not on this machine")
            return json_error(403, "without MicrosoftAppId replies go only to this machine")
        try:
            activity = Activity().deserialize(data)
        except (DeserializationError, ValueError, TypeError, AttributeError):
            return json_error(400, "not a Bot Framework activity")
        auth_header = request.headers.get("Authorization") or None
        try:
            authenticated = await self.authentication.authenticate_request(activity, auth_header)
        except PermissionError as error:
            log.warning("teams: rejected a request to /api/messages: %s", error)
            return json_error(401, "unauthorized")
        invoke_response = await self.adapter.process_activity(authenticated, activity,
                                                              self.bot.on_turn)
        if invoke_response:
            body = invoke_response.body  # plain JSON from our bot, or an SDK model
            return web.json_response(data=body if isinstance(body, dict) else serializer_helper(body),
                                     status=invoke_response.status)
        return web.Response(status=201)
