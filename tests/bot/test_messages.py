"""The plain text of a reply, composed from its data: what the CLI, the web chat, `ask --json`
and every platform's notification say."""

from __future__ import annotations

from datetime import date

from bot.messages import Layout, Listing, Point, Reply, ReplyKind, Suggestion

POINTS = (Point(title="principles", text="all six"), Point(title="One", text="x", principle=1))


def test_points_go_under_the_body_s_first_paragraph_or_in_their_own_under_a_lead():
    under = Reply(kind=ReplyKind.NOTICE, body="Lead in:\n\nLater.", points=POINTS)
    assert under.text == "Lead in:\n• principles: all six\n1. One\n\nLater."
    after = Reply(kind=ReplyKind.NOTICE, body="Body.", points=POINTS, layout=Layout.AFTER_BODY,
                  lead="Say:")
    assert after.text == "Body.\n\nSay:\n• principles: all six\n1. One"
    before = Reply(kind=ReplyKind.NOTICE, body="Body.", points=POINTS[1:],
                   layout=Layout.BEFORE_BODY, lead="List:")
    assert before.text == "List:\n1. One\n\nBody."


def test_each_listing_writes_a_point_its_way():
    points = (Point(title="Added", text="a, b"), Point(title="p1"))
    assert Listing.LINES.lines(points) == "Added: a, b\np1"
    assert Listing.COUNTS.lines(points[:1]) == "• Added (a, b)"
    assert Listing.BULLETS.lines(points[:1]) == "• Added: a, b"


def test_an_answer_names_its_principle_and_cites_its_source():
    reply = Reply(kind=ReplyKind.ANSWER, title="Politics", body="Be impartial.", principle=6,
                  principle_title="Adhere to the Code", entry="politics", source="The Code")
    assert reply.text == ("Politics (Principle 6: Adhere to the Code)\n\nBe impartial.\n\n"
                          "Source: The Code")


def test_a_reminder_says_its_day_and_tip_and_leaves_its_source_out():
    reply = Reply(kind=ReplyKind.NOTICE, title="Principle of the day: 1. One", body="Remember.",
                  tip="Check.", entry="p1", source="S", day=date(2026, 3, 2), closing="Ask me.")
    assert reply.text == ("Principle of the day: 1. One (on Monday)\n\nRemember.\n\n"
                          "Tip: Check.\n\nAsk me.")


def test_a_reply_that_cannot_answer_says_where_else_to_ask():
    suggestions = Reply(kind=ReplyKind.SUGGESTIONS, body="Did you mean?", tip="Ask a manager.",
                        suggestions=(Suggestion(entry="a", principle=2, title="A", score=70.0),))
    assert suggestions.text == ("Did you mean?\n1. A (principle 2)\n\n"
                                "If not, I may not cover it. Ask a manager.")
    unknown = Reply(kind=ReplyKind.NOT_FOUND, body="Sorry.", tip="Ask a manager.")
    assert unknown.text == "Sorry.\n\nAsk a manager."


def test_a_reply_with_only_a_title_says_it_and_a_written_one_says_what_is_written():
    assert Reply(kind=ReplyKind.NOTICE, title="Principle").text == "Principle"
    assert Reply(kind=ReplyKind.NOTICE, body="Body.", written="As written.").text == "As written."
