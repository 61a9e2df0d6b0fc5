"""Reloading the knowledge base from Slack, through the signed route and the fake Web API."""

from __future__ import annotations

import pytest

from tests.adapters.admin_knowledge import BROKEN, NEW_ANSWER, OLD_ANSWER, QUESTION, break_, change
from tests.adapters.slack.harness import payload


class Conversation:
    def __init__(self, harness) -> None:
        self.harness = harness
        self.sent = 0

    async def say(self, text: str, *, user: str = "U0ADMIN") -> str:
        self.sent += 1
        body = payload("message_im")
        body["event_id"] = f"EvAdmin{self.sent}"
        body["event"].update(text=text, user=user, ts=f"1700000200.{self.sent:06d}",
                             client_msg_id=f"msg-{self.sent}")
        assert (await self.harness.event(body)).status == 200
        calls = await self.harness.fake.wait_for("chat.postMessage", count=self.sent)
        return calls[-1].params["text"]


async def test_an_admin_reloads_a_changed_knowledge_base_and_the_new_answer_is_served(harness):
    chat = Conversation(harness)
    assert OLD_ANSWER in await chat.say(QUESTION)
    change(_kb(harness))
    reply = await chat.say("reload")
    assert reply.startswith("Reloaded: now serving version") and "changed 1" in reply
    assert NEW_ANSWER in await chat.say(QUESTION)
    (entry,) = await harness.store.audit(limit=1)
    assert (entry.command, entry.outcome, entry.user_id, entry.channel_id) == (
        "reload", "ok", "U0ADMIN", "D0DIRECT")


@pytest.mark.parametrize("kind", sorted(BROKEN))
async def test_a_broken_knowledge_base_is_refused_and_the_old_answer_still_served(harness, kind):
    chat = Conversation(harness)
    expected = break_(_kb(harness), kind)
    reply = await chat.say("reload")
    assert reply.startswith("Reload refused") and expected in reply and BROKEN[kind][1] in reply
    assert OLD_ANSWER in await chat.say(QUESTION)


async def test_a_non_admin_is_refused_and_the_refusal_audited(harness):
    chat = Conversation(harness)
    change(_kb(harness))
    assert "only an admin can use 'reload'" in await chat.say("reload", user="U0USER")
    assert OLD_ANSWER in await chat.say(QUESTION, user="U0USER")
    (entry,) = await harness.store.audit(limit=5)
    assert (entry.command, entry.outcome, entry.platform, entry.user_id) == (
        "reload", "refused", "slack", "U0USER")


def _kb(harness):
    import app as application

    return harness.client.server.app[application.SETTINGS].knowledge_path
