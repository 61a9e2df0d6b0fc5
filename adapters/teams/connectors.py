"""Long-lived, bounded outgoing clients, instead of botbuilder's new ones for every activity.

Left alone, botbuilder makes for every incoming activity a new `MicrosoftAppCredentials` (a new
MSAL app with an empty token cache, so a blocking token request to login.microsoftonline.com on the
event loop before every reply), a new connector client (a new `requests` session and TLS
connection, never closed) and a new user-token client; building each msrest configuration alone
costs milliseconds of CPU. Here credentials, connector clients and user-token clients are made
once per key, reused, and closed when the application stops.

Each connector client also sends in a thread pool of its own, with connect and read timeouts and
a deadline (`OutboundLimits`). msrest sends with blocking `requests` in the event loop's default
pool, with a 100 s timeout: a service URL that never answers would fill that pool, and every other
reply, and everything else the bot runs in threads (matching, reloads), would wait behind it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from botframework.connector.auth import ConnectorFactory, ServiceClientCredentialsFactory
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncHTTPPolicy, AsyncPipeline, SansIOHTTPPolicy
from msrest.pipeline.async_requests import (
    AsyncPipelineRequestsHTTPSender,
    AsyncRequestsCredentialsPolicy,
)
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.async_requests import (
    AsyncRequestsClientResponse,
    AsyncRequestsHTTPSender,
)

log = logging.getLogger(__name__)

MAX_CLIENTS = 16  # one per Teams region's service URL in practice


@dataclass(frozen=True, kw_only=True)
class OutboundLimits:
    """How long one call to a Bot Framework service may take, and how many threads it may hold.

    Teams gives up on the request that carried an activity after 15 s, so a reply that has not
    gone by then is late anyway."""

    connect_seconds: float = 5.0
    read_seconds: float = 10.0
    deadline_seconds: float = 15.0  # one call, with msrest's reconnects and the token fetch
    threads: int = 8  # per connector client, that is per service URL (Teams uses one per region)


class CachedCredentialsFactory(ServiceClientCredentialsFactory):
    """Reuses credentials, and so their MSAL token cache, for the same app id and audience."""

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self._inner = inner
        self._credentials: dict[tuple, object] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        if key not in self._credentials:
            self._credentials[key] = await self._inner.create_credentials(
                app_id, oauth_scope, login_endpoint, validate_authority)
        return self._credentials[key]


class ClientPool:
    """msrest clients by key, at most `limit` of them (the oldest is closed to make room)."""

    def __init__(self, *, limit: int = MAX_CLIENTS) -> None:
        self._limit = limit
        self._clients: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, key: Hashable, make: Callable[[], Awaitable[object]]):
        async with self._lock:
            if key in self._clients:
                self._clients.move_to_end(key)
                return self._clients[key]
            client = await make()
            self._clients[key] = client
            while len(self._clients) > self._limit:
                _, oldest = self._clients.popitem(last=False)
                await _close(oldest)
            return client

    def __len__(self) -> int:
        return len(self._clients)

    async def close(self) -> None:
        async with self._lock:
            clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await _close(client)


async def _close(client) -> None:
    # A user-token client is not itself an msrest client; the one it wraps is.
    target = client if hasattr(client, "__aexit__") else getattr(client, "_client", None)
    if target is None:
        return
    try:
        await target.__aexit__(None, None, None)
    except Exception as error:
        log.warning("teams: could not close an outgoing client: %r", error)


class PooledConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, pool: ClientPool, *,
                 limits: OutboundLimits = OutboundLimits()) -> None:
        self._inner = inner
        self._pool = pool
        self._limits = limits

    async def create(self, service_url: str, audience: str):
        async def make():
            return bounded(await self._inner.create(service_url, audience), limits=self._limits)

        return await self._pool.get((service_url, audience), make)


def bounded(client, *, limits: OutboundLimits):
    """`client` (a botbuilder ConnectorClient) sending in its own threads, within `limits`: the
    pipeline msrest builds, with the sender swapped and the token fetched in those threads."""
    config = client.config
    config.connection.timeout = (limits.connect_seconds, limits.read_seconds)
    # One immediate reconnect, for a kept-alive connection the other end dropped; msrest's own
    # three, with back-off, would hold a thread for seconds. `retry.py` decides the rest.
    config.retry_policy.retries = 1
    executor = ThreadPoolExecutor(max_workers=limits.threads, thread_name_prefix="teams-send")
    policies: list = [config.user_agent_policy, RawDeserializer(), config.http_logger_policy]
    credentials = config.credentials
    if isinstance(credentials, (AsyncHTTPPolicy, SansIOHTTPPolicy)):
        policies.insert(1, credentials)
    elif credentials is not None:
        policies[1:1] = [_TokenInThreads(credentials, executor=executor, limits=limits),
                         AsyncRequestsCredentialsPolicy(credentials)]
    config.pipeline = AsyncPipeline(policies, AsyncPipelineRequestsHTTPSender(
        _BoundedSender(config, executor=executor, limits=limits)))
    return client


class _BoundedSender(AsyncRequestsHTTPSender):
    """msrest's `requests` sender, in `executor` rather than the loop's default pool, and given
    up on after the deadline (the thread stays until the read timeout frees it)."""

    def __init__(self, config, *, executor: ThreadPoolExecutor, limits: OutboundLimits) -> None:
        super().__init__(config)
        self._executor = executor
        self._deadline = limits.deadline_seconds

    async def __aexit__(self, *exc_details):
        await super().__aexit__(*exc_details)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def send(self, request, **kwargs):
        session = kwargs.get("session", self.session)
        options = self._configure_send(request, **kwargs)
        call = functools.partial(session.request, request.method, request.url, **options)
        future = asyncio.get_running_loop().run_in_executor(self._executor, call)
        try:
            response = await asyncio.wait_for(future, self._deadline)
        except requests.RequestException as error:
            raise ClientRequestError("Error occurred in request.", inner_exception=error) from error
        return AsyncRequestsClientResponse(request, response)


class _TokenInThreads(AsyncHTTPPolicy):
    """Fetches the app's token (MSAL, blocking, no timeout of its own) in the sender's threads
    within the deadline; msrest's credentials policy after it then finds it in MSAL's cache
    instead of fetching it on the event loop."""

    def __init__(self, credentials, *, executor: ThreadPoolExecutor,
                 limits: OutboundLimits) -> None:
        super().__init__()
        self._credentials = credentials
        self._executor = executor
        self._deadline = limits.deadline_seconds

    async def send(self, request, **kwargs):
        fetch = getattr(self._credentials, "get_access_token", None)
        if fetch is not None and getattr(self._credentials, "microsoft_app_id", None):
            future = asyncio.get_running_loop().run_in_executor(self._executor, fetch)
            await asyncio.wait_for(future, self._deadline)
        return await self.next.send(request, **kwargs)
