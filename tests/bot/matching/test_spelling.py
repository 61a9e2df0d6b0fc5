"""Typos respelt before the encoder reads them, and only typos."""

from __future__ import annotations

import pytest

from bot.matching.spelling import Speller

MODEL = {word: rank for rank, word in enumerate(
    "the group political post about council colleagues complaint ministers ousted leeds leaks".split())}


@pytest.fixture
def speller():
    return Speller(guidance=["Can I post about party politics?", "Instagram and purdah rules"], model=MODEL)


@pytest.mark.parametrize("typed, meant", [
    ("can i post politcal views", "can i post political views"),
    ("instagarm stories", "instagram stories"),
    ("purdha rules", "purdah rules"),
    ("a whatsapp groop", "a whatsapp group"),
    ("colleages complane about the cuncil", "colleagues complaint about the council"),
])
def test_a_slip_is_respelt_as_the_known_word(speller, typed, meant):
    assert speller.respell(typed) == meant


def test_the_guidances_own_word_wins_a_tie_with_the_models():
    speller = Speller(guidance=["politics"], model={"polities": 0})
    assert speller.respell("politcs") == "politics"


@pytest.mark.parametrize("text", [
    "can i post on mumsnet",  # nobody knows it, nothing is near
    "HMRC and Ofsted on politics",  # acronyms and names inside a sentence
    "our Leds office",  # a capital inside a sentence is a name, even one slip from a known word
    "the group post about politics",  # known words
    "a bit",  # too short to tell a slip from another word
])
def test_what_is_not_a_slip_is_left_alone(speller, text):
    assert speller.respell(text) == text


def test_a_slip_at_the_start_of_a_sentence_is_still_respelt(speller):
    assert speller.respell("Hi. Politcal posts?") == "Hi. political posts?"
