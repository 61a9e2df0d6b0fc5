"""Admin views in Slack show what other people typed as written: a question planted by anyone
never becomes a formatted link, a mention or bold text in an admin's `unanswered` or `audit`."""

from __future__ import annotations

import pytest

from tests.adapters.planted import LINK, PLANTED, planted_audit_entry, strings
from tests.adapters.slack.harness import Harness, payload, slack_on
from tests.bot.conftest import sql_stores


@pytest.fixture(params=["sqlite", "postgresql"])
async def harness(request, tmp_path, fake_slack):
    async with sql_stores(request.param, tmp_path) as (store,), slack_on(
            store, tmp_path, fake_slack) as harness:
        await store.record_audit(entry=planted_audit_entry())  # see tests/adapters/test_admin_views.py
        yield harness


async def say(harness: Harness, text: str, *, user: str, n: int) -> dict:
    body = payload("message_im")
    body["event_id"] = f"EvPlanted{n}"
    body["event"].update(text=text, user=user, ts=f"1700000300.{n:06d}", client_msg_id=f"p-{n}")
    assert (await harness.event(body)).status == 200
    return (await harness.fake.wait_for("chat.postMessage", count=n))[-1].params


@pytest.mark.parametrize("command", ["unanswered", "audit"])
async def test_planted_markup_reaches_an_admin_as_plain_text(harness, command):
    await say(harness, PLANTED, user="U0USER", n=1)
    shown = await say(harness, command, user="U0ADMIN", n=2)
    found = strings(shown["blocks"], kinds={"mrkdwn": "text", "text": "text"})
    assert any(PLANTED in text for text in found["text"]), found
    assert not any(LINK in text or "*now*" in text for text in found["mrkdwn"]), found["mrkdwn"]
    assert "<https://evil.example|" not in shown["text"]
