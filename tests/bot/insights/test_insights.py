"""`unanswered` groups thousands of questions correctly, comparing each with a few groups only."""

from __future__ import annotations

from bot.insights import records as insights
from tests.bot.unanswered_questions import sample


def test_topics_asked_in_several_wordings_are_found_among_thousands_of_one_off_questions():
    data = sample()
    groups = insights.unanswered(data.records, limit=20)
    assert [(g.example, g.count) for g in groups] == data.expected[:20]
    assert all(g.askers == 7 for g in groups)


def test_each_wording_is_compared_with_a_bounded_number_of_groups(monkeypatch):
    compared: list[int] = []
    extract = insights.process.extractOne

    def counting(query, choices, **options):
        compared.append(len(choices))
        return extract(query, choices, **options)

    monkeypatch.setattr(insights.process, "extractOne", counting)
    data = sample(topics=10, noise=3_000)
    insights.unanswered(data.records, limit=20)
    assert max(compared) <= insights.MAX_CANDIDATES
    assert len(compared) <= insights.MAX_WORDINGS


def test_no_more_than_the_most_asked_wordings_are_grouped(monkeypatch):
    monkeypatch.setattr(insights, "MAX_WORDINGS", 50)
    data = sample(topics=10, noise=3_000)
    groups = insights.unanswered(data.records, limit=20)
    assert [(g.example, g.count) for g in groups[:10]] == data.expected[:10]
    assert len(groups) == 20
