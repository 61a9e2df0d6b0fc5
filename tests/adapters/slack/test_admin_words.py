"""Slack, through the signed route and the fake Web API: a question that begins with an admin word
is answered for everyone; the command with its arguments is an admin's only."""

from __future__ import annotations

from tests.adapters.slack.harness import payload

QUESTION = "stats about our followers - can I share them?"


async def test_a_question_beginning_with_an_admin_word_is_answered_for_admin_and_user(harness):
    said = [(QUESTION, "U0USER"), (QUESTION, "U0ADMIN"), ("stats 30", "U0USER"),
            ("stats 30", "U0ADMIN")]
    for number, (text, user) in enumerate(said):
        body = payload("message_im")
        body["event_id"] = f"EvWords{number}"
        body["event"].update(text=text, user=user, ts=f"1700000300.{number:06d}",
                             client_msg_id=f"words-{number}")
        assert (await harness.event(body)).status == 200
        await harness.fake.wait_for("chat.postMessage", count=number + 1)
    calls = await harness.fake.wait_for("chat.postMessage", count=len(said))
    user_question, admin_question, user_stats, admin_stats = (c.params["text"] for c in calls)
    for text in (user_question, admin_question):
        assert "only an admin" not in text and not text.startswith("Last ")
    assert "only an admin can use 'stats'" in user_stats
    assert admin_stats.startswith("Last 30 day(s):")
    audited = await harness.store.audit(limit=10)
    assert [(e.command, e.user_id, e.outcome) for e in audited] == [
        ("stats", "U0ADMIN", "ok"), ("stats", "U0USER", "refused")]
