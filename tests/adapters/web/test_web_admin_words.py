"""`/api/chat`: a question that begins with an admin word is answered, with or without the admin
token; the command with its arguments still needs the token."""

from __future__ import annotations

import pytest

QUESTIONS = ("status update about my department on Facebook ok?",
             "stats about our followers - can I share them?")
ADMIN = {"Authorization": "Bearer admin-secret"}  # the token of the `settings` fixture


async def say(client, text: str, headers: dict) -> dict:
    async with client.post("/api/chat", json={"text": text}, headers=headers) as response:
        assert response.status == 200
        return await response.json()


@pytest.mark.parametrize("headers", [ADMIN, {}], ids=["admin", "non-admin"])
async def test_questions_beginning_with_admin_words_are_answered(client, headers):
    for text in QUESTIONS:
        reply = await say(client, text, headers)
        assert reply["kind"] in ("answer", "suggestions", "not_found"), text
        assert "only an admin" not in reply["text"] and "Last 7 day(s)" not in reply["text"]


async def test_the_command_with_its_arguments_still_needs_the_token(client):
    assert (await say(client, "stats 30", ADMIN))["text"].startswith("Last 30 day(s):")
    refused = await say(client, "stats 30", {})
    assert refused["kind"] == "refusal" and "only an admin can use 'stats'" in refused["text"]
