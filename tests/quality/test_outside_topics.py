"""The shipped outside entries turn away private life, selling, paid promotion, platform features
and office admin, and leave alone questions about the guidance that only mention those things.

Wordings here are written for the test, not taken from any evaluation set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from tests.cores import new_core

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def core():
    return new_core(knowledge=load_knowledge(path=KNOWLEDGE))


@pytest.mark.parametrize(("question", "entry"), [
    ("what age does my son need to be for snapchat", "outside-family-and-private-life"),
    ("how do I sell my old bike on facebook marketplace", "outside-buying-selling-and-scams"),
    ("how much budget do we need for sponsored posts on instagram", "outside-advertising-and-growth"),
    ("how do I pin a tweet", "outside-platform-features"),
    ("is the payroll deadline this week", "outside-everyday-work"),
    ("my personal facebook was hacked and someone is posting as me", "outside-account-access"),
])
def test_a_question_outside_the_guidance_is_told_so(core, question, entry):
    reply = core.answer(question=question)
    assert (reply.answered, reply.principle, reply.entry) == (False, None, entry), reply


@pytest.mark.parametrize(("question", "principle"), [
    ("my dad is standing as a councillor, can I campaign for him on facebook", 6),
    ("can I criticise the minister in my choir's whatsapp group", 6),
    ("can I tag the minister in my tweet", 6),
    ("how can we reach children and young people online", 1),
])
def test_a_question_about_the_guidance_set_in_private_life_is_still_answered(core, question,
                                                                              principle):
    reply = core.answer(question=question)
    assert reply.answered and reply.principle == principle, reply
