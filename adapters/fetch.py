"""Fetching a knowledge base from `KNOWLEDGE_URL`: the whole body or nothing, bounded in time and
size, errors as problems.

Redirects are not followed: a knowledge base that answers from somewhere else is refused, naming
where, so the address served is always the one configured.
"""

from __future__ import annotations

import aiohttp

from bot.knowledge.loader import MAX_FILE_BYTES, KnowledgeError, Problem

CHUNK_BYTES = 64 * 1024


def url_fetcher(*, timeout: float = 10.0, limit: int = MAX_FILE_BYTES):
    async def fetch(url: str) -> bytes:
        def refuse(message: str) -> KnowledgeError:
            return KnowledgeError([Problem(file=url, line=0, message=message)])

        too_large = refuse(f"file is larger than the limit of {limit} bytes")
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
                async with session.get(url, allow_redirects=False) as response:
                    if 300 <= response.status < 400:
                        where = response.headers.get("Location", "nowhere")
                        raise refuse(f"fetching the knowledge base was redirected (HTTP "
                                     f"{response.status}) to {where[:200]}; set KNOWLEDGE_URL "
                                     "to the final address")
                    if response.status != 200:
                        raise refuse(f"fetching the knowledge base failed: HTTP {response.status}")
                    if (response.content_length or 0) > limit:
                        raise too_large
                    data = bytearray()
                    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                        data += chunk
                        if len(data) > limit:
                            raise too_large
        except (aiohttp.ClientError, TimeoutError) as error:
            reason = f"{error.__class__.__name__} {error}".strip()
            raise refuse(f"cannot fetch the knowledge base: {reason}") from None
        return bytes(data)

    return fetch
