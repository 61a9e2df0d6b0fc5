from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from bot.conversation.access import Admins
from bot.conversation.core import Arguments, Core
from bot.messages import Message, Reply, ReplyKind
from bot.reminders.daily import principle_of_the_day
from tests.cores import new_core


def ask(core: Core, text: str, **fields) -> Reply:
    fields = {"platform": "slack", "user_id": "U1", **fields}
    return asyncio.run(core.handle(Message(text=text, **fields)))


def test_help_for_empty_text_and_for_help(core):
    for text in ("", "   ", "help", "HELP!", "?"):
        reply = ask(core, text)
        assert reply.kind is ReplyKind.NOTICE and "principle 3" in reply.text, text


def test_greeting_gets_a_welcome_listing_the_principles(core):
    reply = ask(core, "Hello!")
    assert reply.title == "Welcome to Guidance Bot"
    assert [p.principle for p in reply.points] == [1, 2, 3, 4, 5, 6]


def test_principles_lists_six_in_order(core):
    reply = ask(core, "principles")
    assert [p.principle for p in reply.points] == [1, 2, 3, 4, 5, 6]
    assert "1. Go where citizens already are" in reply.text


def test_principle_n_in_several_phrasings(core):
    for text, number in (("principle 3", 3), ("Tell me about principle 5", 5),
                         ("what is principle two?", 2), ("Principle number 6", 6)):
        reply = ask(core, text)
        assert reply.answered and reply.principle == number and reply.entry == f"principle-{number}"


def test_principle_out_of_range_is_explained(core):
    reply = ask(core, "principle 9")
    assert not reply.answered and "numbered 1 to 6" in reply.text


def test_off_topic_question_is_not_covered_and_says_where_to_ask(core):
    reply = ask(core, "How tall is the Eiffel tower in Paris?")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert "line manager" in reply.text and len(reply.points) == 6


def test_a_known_variant_is_answered_with_its_entry(core, small_kb):
    entry = small_kb.entry("topic-3")
    reply = ask(core, entry.questions[2])
    assert reply.answered and reply.entry == "topic-3" and reply.principle == entry.principle
    assert entry.answer in reply.text and reply.source == entry.source


def test_text_over_the_limit_is_cut_not_refused(core, small_kb):
    question = small_kb.entry("topic-2").questions[0]
    reply = ask(core, question + " " + "z" * 5000)
    assert reply.kind in (ReplyKind.ANSWER, ReplyKind.SUGGESTIONS, ReplyKind.NOT_FOUND)
    assert len(reply.question) == 2000


def test_answer_entry_is_what_a_clicked_suggestion_shows(core):
    assert core.answer_entry(entry_id="topic-1").entry == "topic-1"
    assert core.answer_entry(entry_id="gone").kind is ReplyKind.NOTICE


def test_admin_commands_are_checked_in_one_place(small_kb):
    ran = []

    async def reload(message, arguments):
        ran.append(arguments)
        return Reply(kind=ReplyKind.NOTICE, body="reloaded")

    core = new_core(knowledge=small_kb, admins=Admins.from_lists(slack={"UADMIN"}))
    core.register_admin(name="reload", summary="reload the knowledge base", run=reload,
                        arguments=Arguments(usage="[now]", accepts=lambda rest: rest in ("", "now")))
    refused = ask(core, "reload now")
    assert refused.kind is ReplyKind.REFUSAL and ran == []
    assert ask(core, "reload now", user_id="UADMIN").text == "reloaded"
    assert ran == ["now"]
    question = ask(core, "reload now or later?", user_id="UADMIN")  # not its arguments
    assert question.kind is not ReplyKind.NOTICE and ran == ["now"]
    web = Message(platform="web", user_id="web", text="reload", authenticated_admin=True)
    assert asyncio.run(core.handle(web)).text == "reloaded"


def test_today_uses_the_local_date_in_london(core, clock, small_kb):
    # 23:30 UTC on a summer Sunday is already Monday in London.
    clock.now = datetime(2026, 7, 5, 23, 30, tzinfo=UTC)
    monday = principle_of_the_day(knowledge=small_kb, day=date(2026, 7, 6))
    reply = ask(core, "today")
    assert reply.principle == monday.principle.principle
    assert "(on" not in reply.text


def test_today_at_the_weekend_names_mondays_principle(core, clock, small_kb):
    clock.now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday
    reply = ask(core, "today")
    monday = principle_of_the_day(knowledge=small_kb, day=date(2026, 11, 23))
    assert reply.principle == monday.principle.principle and "on Monday" in reply.text


def test_daily_cycles_through_all_six_on_working_days(small_kb):
    start = date(2026, 11, 2)  # a Monday
    days = [start + timedelta(days=i) for i in range(14)]
    working = [d for d in days if d.weekday() < 5]
    numbers = [principle_of_the_day(knowledge=small_kb, day=d).principle.principle for d in working]
    assert sorted(numbers[:6]) == [1, 2, 3, 4, 5, 6]
    assert all((b - a) % 6 == 1 for a, b in zip(numbers, numbers[1:], strict=False))


def test_daily_tip_rotates_between_appearances(small_kb):
    start = date(2026, 11, 2)
    seen = {}
    for i in range(60):
        day = start + timedelta(days=i)
        if day.weekday() < 5:
            daily = principle_of_the_day(knowledge=small_kb, day=day)
            seen.setdefault(daily.principle.principle, []).append(daily.tip)
    for tips in seen.values():
        assert tips[0] != tips[1]


def test_a_swapped_snapshot_serves_new_questions_while_old_replies_stay_whole(core, tmp_path):
    from bot.knowledge.loader import load_knowledge
    from tests.kbfactory import write_knowledge

    new = load_knowledge(path=write_knowledge(tmp_path / "new", topics=12, seed=7))
    old = core.swap(snapshot=core.build_snapshot(knowledge=new))
    assert core.knowledge.version == new.version != old.knowledge.version
    assert ask(core, "principle 1").entry == "principle-1"


def test_feedback_is_recorded_in_the_store(core):
    asyncio.run(core.feedback(platform="web", entry="topic-1", helpful=False, question="q"))
    assert core.store.feedback[0].entry == "topic-1" and core.store.feedback[0].helpful is False


def outside_core(tmp_path, **options) -> Core:
    from bot.knowledge.loader import load_knowledge
    from tests.kbfactory import write_knowledge

    return new_core(knowledge=load_knowledge(path=write_knowledge(tmp_path / "outside", outside=2)),
                    **options)


def test_a_question_outside_the_guidance_is_told_so_with_where_to_ask_never_a_principle(tmp_path):
    from bot.conversation.core import OUTSIDE_LEAD, WHERE_TO_ASK

    core = outside_core(tmp_path)
    entry = core.knowledge.entry("outside-0")
    for question in ("how do i reset my chirper password", "I forgot my Chirper password!"):
        reply = ask(core, question)
        assert reply.kind is ReplyKind.NOT_FOUND and not reply.answered, question
        assert (reply.entry, reply.principle, reply.title) == ("outside-0", None, entry.title)
        assert reply.body.startswith(OUTSIDE_LEAD) and entry.answer in reply.body
        assert reply.tip == WHERE_TO_ASK and WHERE_TO_ASK in reply.text
        assert "rinciple" not in reply.text and not reply.points and not reply.feedback
        assert reply.to_json()["principle"] is None and reply.to_json()["answered"] is False


def test_outside_entries_are_never_did_you_mean_suggestions(tmp_path):
    from bot.matching.matcher import Thresholds

    core = outside_core(tmp_path, thresholds=Thresholds(answer=101))  # only suggestions
    topic = core.knowledge.entry("topic-1")
    reply = ask(core, f"{topic.questions[0]} chirper password")
    assert reply.kind is ReplyKind.SUGGESTIONS
    assert "topic-1" in [s.entry for s in reply.suggestions]
    assert all(core.knowledge.entry(s.entry).principle for s in reply.suggestions)
    # unsure, but the likeliest reading is outside the guidance: say that, not "did you mean"
    unsure = ask(core, "chirper password")
    assert unsure.kind is ReplyKind.NOT_FOUND and unsure.entry == "outside-0"


def test_an_outside_entry_asked_for_by_id_is_not_an_answer(tmp_path):
    reply = outside_core(tmp_path).answer_entry(entry_id="outside-1")
    assert reply.kind is ReplyKind.NOT_FOUND and reply.principle is None
    assert reply.entry == "outside-1"


def test_outside_entries_stay_out_of_the_principles_and_the_principle_of_the_day(tmp_path, small_kb):
    core = outside_core(tmp_path)
    assert [p.principle for p in ask(core, "principles").points] == [1, 2, 3, 4, 5, 6]
    start = date(2026, 11, 2)
    for day in (start + timedelta(days=i) for i in range(70)):
        with_outside = principle_of_the_day(knowledge=core.knowledge, day=day)
        without = principle_of_the_day(knowledge=small_kb, day=day)
        assert (with_outside.principle.id, with_outside.tip) == (without.principle.id, without.tip)


async def test_a_question_turned_away_by_a_full_queue_gets_a_busy_notice_and_is_not_logged(small_kb):
    from bot.matching.queue import MatchQueue

    class Noting:
        def __init__(self) -> None:
            self.noted: list[str] = []

        def note(self, *, message, reply) -> None:
            self.noted.append(message.text)

    log = Noting()
    full = MatchQueue(workers=1, waiting=0)
    core = new_core(knowledge=small_kb, matching=full, question_log=log)
    try:
        question = small_kb.entry("topic-3").questions[0]
        reply = await core.handle(Message(platform="slack", user_id="U1", text=question))
    finally:
        full.close()
    assert reply.kind is ReplyKind.NOTICE and "ask again in a minute" in reply.text
    assert not reply.answered and log.noted == []
    assert (await core.handle(Message(platform="slack", user_id="U1", text="help"))).kind is ReplyKind.NOTICE
