from __future__ import annotations

import pytest

from bot.matching.drafts import find_draft, segments


@pytest.mark.parametrize("message, post", [
    ('Draft for our Facebook page: "From Monday you can renew your licence online" ok to post?',
     "From Monday you can renew your licence online"),
    ("is this ok: Can't wait for Thursday's announcement, the new targets will surprise people",
     "Can't wait for Thursday's announcement, the new targets will surprise people"),
    ("> Excited to share our new consultation on bus routes, have your say\nok from the dept account?",
     "Excited to share our new consultation on bus routes, have your say"),
    ("Draft tweet - 'We are hiring graduates this autumn, apply now' - fine?",
     "We are hiring graduates this autumn, apply now"),
    ("We're hiring graduates this autumn in Leeds and Cardiff, apply on our careers site - ok to post?",
     "We're hiring graduates this autumn in Leeds and Cardiff, apply on our careers site"),
])
def test_a_pasted_post_is_recognised_as_a_draft(message, post):
    assert find_draft(message).post == post


@pytest.mark.parametrize("question", [
    "Can I post about politics on my own account?",
    "ok to post about my job on linkedin?",
    "quick q re twitter: can we reply to people who complain about our service there",
    "I said \"no comment\" to a journalist who asked about our policy, was that right?",
    "sign a petition online as a civil servant - allowed?",
    "what's the 'rule' on retweets",
])
def test_an_ordinary_question_is_not_taken_for_a_draft(question):
    assert find_draft(question) is None


def test_a_long_message_is_split_into_sentences_that_say_whether_they_ask():
    parts = segments("We run events. Our manager likes email. Should we use Facebook?")
    assert [p.asks for p in parts] == [True, False, False, True]
    assert parts[-1].text == "Should we use Facebook?"
    assert segments("one short question?") == segments("one short question?")[:1]
