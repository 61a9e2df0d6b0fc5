"""Admin views in Teams and the web chat show what other people typed as written: a question
planted by anyone never becomes a clickable `[Re-login](...)` in an admin's `unanswered` or
`audit`. (Slack: tests/adapters/slack/test_admin_views.py.)"""

from __future__ import annotations

import pytest

from bot.conversation.access import Admins
from tests.adapters.planted import LINK, PLANTED, planted_audit_entry, strings
from tests.adapters.teams_support import bot_on, golden
from tests.bot.conftest import sql_stores

ADMIN_AAD = "00000000-0000-0000-0000-0000000000a1"
USER_AAD = "00000000-0000-0000-0000-0000000000c3"
TOKEN = "admin-token"


@pytest.fixture(params=["sqlite", "postgresql"])
async def bot(request, tmp_path, bot_framework):
    """Teams with tokens checked (admin needs a proven identity), on a real SQL store; one row
    of its audit log holds planted text (no command takes free text as its arguments, but ids
    and names come from elsewhere, and an audit view must not trust any of it)."""
    async with sql_stores(request.param, tmp_path) as (store,), bot_on(
            store, tmp_path, bot_framework=bot_framework, admin_token=TOKEN,
            admins=Admins.from_lists(teams=[ADMIN_AAD])) as client:
        await store.record_audit(entry=planted_audit_entry())
        yield client


async def teams(client, text: str, *, aad: str, n: int) -> dict:
    activity = golden("personal_message", service_url=client.connector_url, text=text,
                      id=f"17000000009{n:02d}")
    activity["from"]["aadObjectId"] = aad
    response = await client.post("/api/messages", json=activity, headers=client.teams_headers)
    assert response.status == 201
    return client.connector.activities[-1]


@pytest.mark.parametrize("command", ["unanswered", "audit"])
async def test_teams_shows_planted_markdown_to_an_admin_as_plain_text(bot, command):
    await teams(bot, PLANTED, aad=USER_AAD, n=1)
    shown = await teams(bot, command, aad=ADMIN_AAD, n=2)
    found = strings(shown["attachments"], kinds={"TextBlock": "text", "TextRun": "text"})
    assert any(PLANTED in text for text in found["TextRun"]), found
    assert not any(LINK in text for text in found["TextBlock"]), found["TextBlock"]


@pytest.mark.parametrize("command", ["unanswered", "audit"])
async def test_the_web_chat_gives_an_admin_planted_markup_as_plain_text(bot, command):
    """The API's `text` is plain text, and the page puts it in with `textContent` (chat.js):
    what was typed is what the admin reads, never markup."""
    assert (await bot.post("/api/chat", json={"text": PLANTED})).status == 200
    response = await bot.post("/api/chat", json={"text": command},
                              headers={"Authorization": f"Bearer {TOKEN}"})
    reply = await response.json()
    assert response.status == 200 and reply["kind"] == "notice"
    assert PLANTED in reply["text"]
