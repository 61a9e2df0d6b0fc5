"""Long-lived outgoing clients, instead of botbuilder's new ones for every activity.

Left alone, botbuilder makes for every incoming activity a new `MicrosoftAppCredentials` (a new
MSAL app with an empty token cache, so a blocking token request to login.microsoftonline.com on the
event loop before every reply), a new connector client (a new `requests` session and TLS
connection, never closed) and a new user-token client; building each msrest configuration alone
costs milliseconds of CPU. Here credentials, connector clients and user-token clients are made
once per key, reused, and closed when the application stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from botframework.connector.auth import ConnectorFactory, ServiceClientCredentialsFactory

log = logging.getLogger(__name__)

MAX_CLIENTS = 16  # one per Teams region's service URL in practice


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
    def __init__(self, inner: ConnectorFactory, pool: ClientPool) -> None:
        self._inner = inner
        self._pool = pool

    async def create(self, service_url: str, audience: str):
        return await self._pool.get((service_url, audience),
                                    lambda: self._inner.create(service_url, audience))
