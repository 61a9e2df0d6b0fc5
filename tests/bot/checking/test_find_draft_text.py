"""Recognising a draft in a message: reuses bot.matching.drafts.find_draft, with pasted forms."""

from __future__ import annotations

import pytest

from bot.checking import find_draft_text


@pytest.mark.parametrize("message, draft", [
    ("Draft for the team page: 'Our Bath office has a new accessible entrance from Monday' ok to post?",
     "Our Bath office has a new accessible entrance from Monday"),
    ("is this ok: Loving the new hybrid working rules, best decision the department has made",
     "Loving the new hybrid working rules, best decision the department has made"),
    ("> Our stall at the careers fair is by the main doors, come and see us\nok for the dept account?",
     "Our stall at the careers fair is by the main doors, come and see us"),
    ("&gt; Our stall at the careers fair is by the main doors\n&gt; come and see us!\nfine to post?",
     "Our stall at the careers fair is by the main doors\ncome and see us!"),
    ("> We are recruiting 30 new coastguards in Devon this spring",
     "We are recruiting 30 new coastguards in Devon this spring"),
    ("ok to post from our account?\n\nNew cycle lanes open on the A61 this week, ride safe everyone",
     "New cycle lanes open on the A61 this week, ride safe everyone"),
    ("```\nThe consultation on river bathing sites closes on Friday\n```\nthoughts?",
     "The consultation on river bathing sites closes on Friday"),
    ("check We will definitely reopen the museum by Easter",
    "We will definitely reopen the museum by Easter"),
    ("/guidance check Tories out! #GTTO", "Tories out! #GTTO"),
    ("check: 'Our figures are out tomorrow, spoiler: they're bad' ok?",
     "Our figures are out tomorrow, spoiler: they're bad"),
])
def test_a_draft_is_found_in_each_form(message, draft):
    assert find_draft_text(message) == draft


@pytest.mark.parametrize("question", [
    "can I post about politics?",
    "Can I post about politics on my own account?",
    "is it ok to tweet about my job in my own time?",
    "check if I can share a colleague's photo",
    "check whether civil servants can sign petitions",
    "what does principle 6 say about elections",
    "check",
    "> can I like a minister's post?",
])
def test_an_ordinary_question_is_not_a_draft(question):
    assert find_draft_text(question) is None
