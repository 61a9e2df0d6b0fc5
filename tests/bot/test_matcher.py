from __future__ import annotations

import yaml

from bot.knowledge import parse_knowledge
from bot.matcher import Matcher, content_words, stem
from tests.kbfactory import knowledge_dict


def knowledge_with(*topics: dict):
    data = knowledge_dict(topics=0)
    data["entries"].extend(topics)
    return parse_knowledge(sources=[("kb.yaml", yaml.safe_dump(data).encode())])


def topic(entry_id: str, principle: int, questions: list[str], keywords=()) -> dict:
    return {"id": entry_id, "principle": principle, "title": entry_id.replace("-", " "),
            "answer": "An answer.", "source": "Test", "questions": questions,
            "keywords": list(keywords)}


def test_one_entry_that_fits_outweighs_a_crowd_of_weak_matches():
    knowledge = knowledge_with(
        topic("criticising-ministers", 6, ["criticising government ministers on twitter"]),
        *[topic(f"platform-{i}", 1, [f"channel choice {i}"], keywords=["twitter", "government"])
          for i in range(4)],
    )
    match = Matcher(knowledge=knowledge).match(text="can I criticise the government on twitter?")
    assert match.outcome == "answer" and match.best.entry.id == "criticising-ministers"


def test_a_near_perfect_match_is_not_outvoted_by_another_principle():
    knowledge = knowledge_with(
        topic("own-profile", 6, ["saying where i work on my linkedin"]),
        *[topic(f"consulting-{i}", 2, [f"promoting consultation {i} on linkedin"],
                keywords=["have your say"]) for i in range(2)],
        *[topic(f"rota-{i}", 1, [f"work rota {i}"]) for i in range(5)],  # "work" is common
    )
    match = Matcher(knowledge=knowledge).match(text="Can I say where I work on LinkedIn?")
    assert [c.entry.principle for c in match.candidates[:3]] == [6, 2, 2]
    assert match.outcome == "answer" and match.best.entry.id == "own-profile"


def test_typos_and_word_forms_still_find_the_entry():
    knowledge = knowledge_with(topic("impartiality", 6, ["staying impartial about politics"],
                                     keywords=["political views"]))
    match = Matcher(knowledge=knowledge).match(text="do i need to stay impartail about polticial views")
    assert match.outcome == "answer" and match.best.entry.id == "impartiality"


def test_a_real_word_a_letter_or_a_prefix_away_is_not_taken_for_a_typo():
    knowledge = knowledge_with(topic("budgets", 3, ["how we spend public money"]),
                               topic("decisions", 3, ["explaining unpopular decisions"]))
    matcher = Matcher(knowledge=knowledge)
    for question in ("do we send public money", "popular decisions"):  # "spend", "unpopular"
        assert matcher.match(text=question).best.coverage < 1, question
    assert matcher.match(text="explaining unpoplar decisions").best.entry.id == "decisions"


def test_words_the_guidance_never_uses_are_not_covered():
    knowledge = knowledge_with(topic("impartiality", 6, ["staying impartial about politics"]))
    assert Matcher(knowledge=knowledge).match(text="where can I book annual leave").outcome == "none"


def test_related_forms_share_a_stem():
    assert {stem(w) for w in ("politics", "political")} == {"politic"}
    assert {stem(w) for w in ("criticise", "criticising")} == {"criticis"}
    assert {stem(w) for w in ("accountability", "accountable")} == {"accountabl"}
    assert content_words("Can I post, please?") == ["post"]


def test_the_word_set_shortcut_agrees_with_rapidfuzz():
    """The matcher skips rapidfuzz when word sets show the likeness is 100; they must agree."""
    import random
    from pathlib import Path

    from rapidfuzz import fuzz

    from bot.knowledge import load_knowledge
    from bot.matcher import _WordSets

    matcher = Matcher(knowledge=load_knowledge(path=Path(__file__).resolve().parents[2] / "knowledge"))
    words = sorted({w for variants in matcher._variants for v in variants for w in v.split()})
    rng = random.Random(5)
    for variants in matcher._variants:
        sets = _WordSets(variants)
        for _ in range(40):
            query = " ".join(rng.sample(words, rng.randint(1, 4)) + rng.choice(variants).split()[:3])
            best = max(fuzz.token_set_ratio(query, v, processor=None) for v in variants)
            assert sets.surely_alike(frozenset(query.split())) == (best == 100), (query, variants)


def outside(entry_id: str, questions: list[str], keywords=()) -> dict:
    return {"id": entry_id, "kind": "outside", "title": entry_id.replace("-", " "),
            "answer": "Ask the platform.", "source": "Not covered by the guidance",
            "questions": questions, "keywords": list(keywords)}


def test_an_outside_entry_in_the_lead_is_the_verdict_not_put_to_the_vote():
    knowledge = knowledge_with(
        outside("passwords", ["resetting a forgotten password"], keywords=["password", "reset"]),
        *[topic(f"platform-{i}", 1, [f"choosing channel {i} on twitter"], keywords=["twitter"])
          for i in range(4)],
    )
    match = Matcher(knowledge=knowledge).match(text="how do I reset my twitter password?")
    assert match.outcome == "answer" and match.best.entry.id == "passwords"


def test_outside_entries_below_the_leader_change_no_score_and_take_no_voters_place():
    """Three principle-1 entries outvote the principle-6 leader; four outside entries scoring
    between them must not push them out of the vote, nor change any guidance word's weight."""
    guidance = [topic("criticising-ministers", 6, ["criticising ministers on twitter"]),
                *[topic(f"platform-{i}", 1, [f"ministers channel {i}"],
                        keywords=["twitter", "ministers"]) for i in range(3)]]
    crowd = [outside(f"how-to-{i}", [f"ministers twitter criticising password {i}"],
                     keywords=["ministers", "twitter", "criticising"]) for i in range(4)]
    question = "criticising ministers on twitter channel"
    before = Matcher(knowledge=knowledge_with(*guidance)).match(text=question)
    after = Matcher(knowledge=knowledge_with(*guidance, *crowd)).match(text=question)
    assert [c.entry.id for c in after.candidates][:2] == ["criticising-ministers", "how-to-0"]
    assert before.best.entry.id == after.best.entry.id == "platform-0"
    assert after.outcome == "answer" and after.best.score == before.best.score
    assert after.candidates[0].score == before.candidates[0].score


def test_a_tie_between_the_guidance_and_an_outside_entry_goes_to_the_guidance():
    knowledge = knowledge_with(outside("signing-in", ["signing in trouble"], keywords=["login"]),
                               topic("official-accounts", 1, ["who owns the account"],
                                     keywords=["login"]))  # read first, the outside one would win
    first, second = Matcher(knowledge=knowledge).match(text="login").candidates[:2]
    assert first.score == second.score
    assert (first.entry.id, second.entry.id) == ("official-accounts", "signing-in")


def test_an_outside_entry_is_found_by_its_keywords_not_by_the_words_of_its_questions():
    knowledge = knowledge_with(
        topic("starting-a-page", 1, ["should our team start a page"]),
        topic("running-out-of-time", 1, ["no time to keep our page going"]),
        outside("signing-in", ["locked out of our team's page", "how long does a reset take"],
                keywords=["locked out", "reset", "time"]),
    )
    matcher = Matcher(knowledge=knowledge)
    for question in ("should our team start a page?", "a page for our team", "how long?"):
        assert all(c.entry.id != "signing-in" for c in matcher.match(text=question).candidates)
    assert matcher.match(text="locked out, how do I reset it").entry.id == "signing-in"
    assert "signing-in" in [c.entry.id for c in matcher.match(text="no time").candidates]


FILLER = [topic(f"rota-{i}", 1 + i % 6, [f"work rota {i}"]) for i in range(40)]  # "followers" is rare


def test_a_perfect_fit_shared_with_another_principle_is_offered_not_guessed():
    knowledge = knowledge_with(topic("polls", 2, ["let followers choose between options"]),
                               topic("conversation", 4, ["follow what people say about you"]),
                               *FILLER)
    match = Matcher(knowledge=knowledge).match(text="followers")
    assert match.outcome == "suggest"
    assert {c.entry.id for c in match.candidates[:2]} == {"polls", "conversation"}


def test_a_perfect_fit_shared_within_one_principle_is_still_answered():
    knowledge = knowledge_with(topic("polls", 2, ["let followers choose between options"]),
                               topic("surveys", 2, ["ask followers what they think"]),
                               *FILLER)
    match = Matcher(knowledge=knowledge).match(text="followers")
    assert match.outcome == "answer" and match.best.entry.principle == 2


def test_chat_spellings_meet_the_words_the_guidance_spells_out():
    knowledge = knowledge_with(topic("leaks", 6, ["leaking documents from another department"]),
                               *FILLER)
    matcher = Matcher(knowledge=knowledge)
    assert content_words("shud we") == [] and content_words("ppl") == content_words("people")
    match = matcher.match(text="a leaked doc from another dept")
    assert match.best.entry.id == "leaks" and match.best.coverage == 1


def test_a_question_that_is_exactly_an_entrys_keyword_is_answered_though_its_word_is_common():
    common = [topic(f"common-{i}", 6, [f"personal tiktok rules {i}"]) for i in range(3)]
    knowledge = knowledge_with(topic("platforms", 1, ["which sites to use"], keywords=["tiktok"]),
                               *common, *FILLER)
    matcher = Matcher(knowledge=knowledge)
    for question in ("tiktok?", "shud we be on TikTok"):
        match = matcher.match(text=question)
        assert match.outcome == "answer" and match.best.entry.id == "platforms", question
    # Entries that only contain the word among others promise nothing: no answer on "rules".
    assert matcher.match(text="rules?").outcome != "answer"


def test_an_exact_wording_shared_by_two_principles_is_not_answered_on_that_alone():
    knowledge = knowledge_with(topic("platforms", 1, ["which sites to use"], keywords=["tiktok"]),
                               topic("own-time", 6, ["my own time"], keywords=["tiktok"]),
                               *FILLER)
    assert Matcher(knowledge=knowledge).match(text="tiktok").outcome != "answer"


def test_a_clear_leader_is_not_outvoted_by_two_entries_far_behind_it():
    """Each voter counts by how far it stands above the vote's floor, not by its whole score:
    two entries of another principle 27 and 29 points behind the leader once outvoted it."""
    knowledge = knowledge_with(topic("blocked-sites", 1, ["twitter blocked by the firewall"]),
                               topic("open-data", 3, ["open data on twitter"]),
                               topic("open-decisions", 3, ["open decisions on twitter"]), *FILLER)
    match = Matcher(knowledge=knowledge).match(
        text="can't open twitter on my laptop, it's blocked by the firewall")
    assert [c.entry.id for c in match.candidates[:3]] == ["blocked-sites", "open-data",
                                                          "open-decisions"]
    assert match.candidates[0].score - match.candidates[1].score > 20
    assert match.outcome == "answer" and match.best.entry.id == "blocked-sites"


def test_an_outside_entry_a_keyword_found_counts_the_platform_words_too():
    """Found by "hacked" alone, the outside entry lost to an entry that listed the question's
    everyday platform words; platforms and posting are what both are about."""
    knowledge = knowledge_with(
        topic("the-law", 6, ["personal data on facebook", "someone else's photos in a post"],
              keywords=["personal data"]),
        outside("signing-in", ["someone hacked my account"], keywords=["hacked"]),
        *FILLER,
    )
    matcher = Matcher(knowledge=knowledge)
    assert matcher.match(text="my personal facebook was hacked and is posting").entry.id == "signing-in"
    # no keyword, no pull: platform words alone never bring an outside entry in
    match = matcher.match(text="personal data in a facebook post")
    assert match.best.entry.id == "the-law"
    assert all(c.entry.id != "signing-in" for c in match.candidates)
