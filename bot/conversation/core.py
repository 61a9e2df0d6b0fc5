"""The conversation: what the bot says to anything anyone types, on any platform.

`Core.handle` is the only entry point for text. It reads the current knowledge snapshot once, so
an answer comes wholly from one knowledge-base version even while a reload swaps in the next.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from time import perf_counter
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.conversation.access import Admins
from bot.knowledge.loader import Entry, KnowledgeBase
from bot.matching.matcher import MAX_QUESTION_CHARS, Match, Matcher, Outcome, Thresholds
from bot.matching.queue import Busy, MatchQueue
from bot.messages import Layout, Message, Point, Reply, ReplyKind, Suggestion
from bot.reminders.daily import principle_of_the_day
from bot.storage.audit import AuditEntry, AuditOutcome
from bot.storage.errors import StoreError
from bot.storage.questions import Feedback
from bot.storage.store import Store
from bot.text import MAX_ID_CHARS, normalise, storable

if TYPE_CHECKING:  # bot.observe and logging load only when observed: `ask` starts faster
    from bot.insights.questionlog import QuestionLog
    from bot.matching.encoder import Encoder
    from bot.observe import Event, Observer

Clock = Callable[[], datetime]
AdminHandler = Callable[[Message, str], Awaitable[Reply]]

STORE_DOWN = ("Sorry, I couldn't {what} just now: my storage isn't responding. Questions still "
              "get answers; please try this again in a few minutes.")
MAX_MESSAGE_CHARS = 20_000  # far past a question (2,000) and any admin command's arguments
BUSY = ("Lots of people are asking me questions right now, so I couldn't answer yours. Please "
        "ask again in a minute.")
WHERE_TO_ASK = ("For anything else, ask your line manager or your department's communications "
                "or propriety team.")
ASK_ME = "Got a question about it? Just ask me."
OUTSIDE_LEAD = ("The civil service guidance on social media doesn't cover this, so I can't answer "
                "it from the guidance.")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_PRINCIPLE_N = re.compile(
    r"^(?:(?:tell me about|what is|whats|show me|show|explain)\s+)?(?:the\s+)?principle\s+"
    r"(?:number\s+|no\s+)?(\d+|one|two|three|four|five|six|first|second|third|fourth|fifth|sixth)$"
)
_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "good morning", "good afternoon",
                        "good evening", "morning", "hi there", "hello there", "thanks",
                        "thank you", "cheers", "ta", "yo"})
_HELP = frozenset({"help", "help me", "what can you do", "how does this work", "commands",
                   "usage", "start", "menu"})
_PRINCIPLES = frozenset({"principles", "list principles", "the principles", "list",
                         "all principles", "six principles", "the six principles",
                         "what are the principles", "what are the six principles",
                         "show principles", "show me the principles"})
_TODAY = frozenset({"today", "principle of the day", "todays principle", "daily",
                    "what is todays principle", "whats todays principle", "today principle",
                    "principle today"})


def _storable(message: Message) -> Message:
    """Every field of a message as both databases can keep it (the question log, the audit log,
    subscriptions and releases all take from it), whatever platform it came from."""
    def short(value: str | None) -> str | None:
        return None if value is None else storable(value, limit=MAX_ID_CHARS)

    return replace(message, text=storable(message.text, limit=MAX_MESSAGE_CHARS),
                   user_id=short(message.user_id) or "", channel_id=short(message.channel_id),
                   user_name=short(message.user_name))


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """One knowledge-base version and the index built from it: swapped in and out whole."""

    knowledge: KnowledgeBase
    matcher: Matcher


def _nothing(rest: str) -> bool:
    return not rest


@dataclass(frozen=True, kw_only=True)
class Arguments:
    """What may follow an admin command's name. A message opens the command only when the rest of
    it is accepted here; otherwise it is a question that happens to begin with the same word
    ("status update about my department on Facebook ok?"). `accepts` checks the shape, not the
    values, so "stats 400" still reaches the command, which says what it takes."""

    usage: str = ""  # as the README shows it after the name: "[N]", "[days]"
    accepts: Callable[[str], bool] = _nothing  # given the rest, stripped


NO_ARGUMENTS = Arguments()


@dataclass(frozen=True, kw_only=True)
class AdminCommand:
    name: str
    summary: str
    run: AdminHandler
    arguments: Arguments = NO_ARGUMENTS

    @property
    def usage(self) -> str:
        return f"{self.name} {self.arguments.usage}".strip()


class Core:
    """Everything it works with is passed in (the composition root, `adapters.services.build`,
    makes them), so a test gives it fakes and nothing is set on it from outside afterwards."""

    def __init__(
        self,
        *,
        knowledge: KnowledgeBase,
        store: Store,
        clock: Clock,
        encoder: Encoder,
        matching: MatchQueue,
        admins: Admins | None = None,
        timezone: str = "Europe/London",
        thresholds: Thresholds | None = None,
        question_log: QuestionLog | None = None,
        observers: Sequence[Observer] = (),
    ) -> None:
        self.encoder = encoder
        self.matching = matching
        self.admins = admins or Admins()  # nobody is an admin unless named
        self.store = store
        self.clock = clock
        self.timezone = ZoneInfo(timezone)
        self.thresholds = thresholds or Thresholds()
        self._admin_commands: dict[str, AdminCommand] = {}
        self.observers = tuple(observers)
        self.question_log = question_log  # None where nothing is logged (the command line)
        self.snapshot = self.build_snapshot(knowledge=knowledge)

    # Knowledge

    def build_snapshot(self, *, knowledge: KnowledgeBase) -> Snapshot:
        return Snapshot(knowledge=knowledge, matcher=Matcher(
            knowledge=knowledge, encoder=self.encoder, thresholds=self.thresholds))

    def swap(self, *, snapshot: Snapshot) -> Snapshot:
        """Serve `snapshot` from now on; return the one it replaces."""
        previous, self.snapshot = self.snapshot, snapshot
        return previous

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.snapshot.knowledge

    # Admin commands, registered by the features that own them

    def register_admin(self, *, name: str, summary: str, run: AdminHandler,
                       arguments: Arguments = NO_ARGUMENTS) -> None:
        self._admin_commands[name] = AdminCommand(name=name, summary=summary, run=run,
                                                  arguments=arguments)

    def _admin_command(self, text: str) -> tuple[AdminCommand | None, str]:
        """The command `text` opens, with its arguments: its first word must be the command's
        name and the rest that command's arguments."""
        head, rest = (text.split(None, 1) + ["", ""])[:2]
        command = self._admin_commands.get(normalise(head))
        if command is None or not command.arguments.accepts(rest.strip()):
            return None, ""
        return command, rest.strip()

    @property
    def admin_commands(self) -> tuple[AdminCommand, ...]:
        return tuple(self._admin_commands.values())

    # Observation

    def notify(self, event: Event) -> None:
        """Tell every observer; a broken observer is logged, never allowed to break a reply."""
        for observer in self.observers:
            try:
                observer.observe(event)
            except Exception:
                import logging

                logging.getLogger(__name__).exception("observer %r failed on %s", observer,
                                                      type(event).__name__)

    # Conversation

    async def handle(self, message: Message) -> Reply:
        started = perf_counter()
        allowed = self.admins.allows(message)  # as it came: cleaning must never make an admin
        message = _storable(message)
        text = message.text.strip()
        folded = normalise(text)
        command, arguments = self._admin_command(text)
        if command is not None:
            reply = await self._run_admin(command, message, arguments, allowed=allowed)
        else:
            reply = await self._converse(text=text, folded=folded)
            if self.question_log is not None and reply.question is not None:
                self.question_log.note(message=message, reply=reply)
        if self.observers:
            from bot.observe import Handled

            self.notify(Handled(platform=message.platform, kind=reply.kind, principle=reply.principle,
                                seconds=perf_counter() - started, admin=command is not None))
        return reply

    async def _converse(self, *, text: str, folded: str) -> Reply:
        snapshot = self.snapshot
        if not folded:
            return self.help(snapshot=snapshot)
        if folded in _HELP:
            return self.help(snapshot=snapshot)
        if folded in _GREETINGS:
            return self.welcome(snapshot=snapshot)
        if folded in _PRINCIPLES:
            return self.principles(snapshot=snapshot)
        if folded in _TODAY:
            return self.today(snapshot=snapshot)
        principle = _PRINCIPLE_N.match(folded)
        if principle:
            return self.principle(number=principle.group(1), snapshot=snapshot)
        # Matching runs a sentence encoder: off the event loop, so acknowledgements and health
        # checks never wait behind it.
        try:
            match = await self.matching.match(matcher=snapshot.matcher, text=text)
        except Busy:
            return Reply(kind=ReplyKind.NOTICE, title="Busy", body=BUSY)
        return self.answer(question=text, snapshot=snapshot, match=match)

    async def _run_admin(self, command: AdminCommand, message: Message, arguments: str, *,
                         allowed: bool) -> Reply:
        """The one place admin commands pass: checked, run, and audited whatever the outcome."""
        if not allowed:
            await self._audit(command, message, arguments, outcome=AuditOutcome.REFUSED)
            return Reply(kind=ReplyKind.REFUSAL, title="Admins only", body=(
                f"Sorry, only an admin can use '{command.name}'. Ask your Guidance Bot admin "
                "if you need it."))
        try:
            reply = await command.run(message, arguments)
        except StoreError:  # a person can act on this one: wait and try again
            import logging

            logging.getLogger(__name__).warning("%r failed: the store failed", command.name,
                                                exc_info=True)
            await self._audit(command, message, arguments, outcome=AuditOutcome.ERROR)
            return Reply(kind=ReplyKind.NOTICE, title="Storage unavailable", ok=False,
                         body=STORE_DOWN.format(what=f"run '{command.name}'"))
        except Exception:  # the adapter logs it and says sorry, as for any failure
            await self._audit(command, message, arguments, outcome=AuditOutcome.ERROR)
            raise
        await self._audit(command, message, arguments,
                          outcome=AuditOutcome.OK if reply.ok else AuditOutcome.FAILED)
        return reply

    async def _audit(self, command: AdminCommand, message: Message, arguments: str, *,
                     outcome: AuditOutcome) -> None:
        try:
            await self.store.record_audit(entry=AuditEntry(
                at=self.clock(), platform=message.platform, user_id=message.user_id,
                channel_id=message.channel_id, command=command.name, arguments=arguments[:500],
                outcome=outcome))
        except Exception:  # an unreachable store must not hide the reply
            import logging

            logging.getLogger(__name__).exception("audit of %r not recorded", command.name)

    def answer(self, *, question: str, snapshot: Snapshot | None = None,
               match: Match | None = None) -> Reply:
        """The reply to a question; `match` when the caller has matched it already (the queue)."""
        snapshot = snapshot or self.snapshot
        question = question[:MAX_QUESTION_CHARS]
        return self._match_reply(match or snapshot.matcher.match(text=question), question=question,
                                 snapshot=snapshot)

    def _match_reply(self, match: Match, *, question: str, snapshot: Snapshot) -> Reply:
        if match.entry is not None and match.best is not None:  # the one is set only with the other
            return self._entry_reply(match.entry, snapshot=snapshot, score=match.best.score,
                                     question=question)
        if match.outcome is Outcome.SUGGEST:
            # The matcher offers only entries of the guidance that plausibly fit, at most three:
            # none is an outside entry, so each has a principle.
            suggestions = [Suggestion(entry=s.entry.id, principle=s.entry.principle, title=s.entry.title,
                                      score=s.score) for s in match.candidates
                           if s.entry.principle is not None]
            return Reply(kind=ReplyKind.SUGGESTIONS, title="Did you mean…",
                         body="I'm not sure I understood. Did you mean one of these?",
                         tip=WHERE_TO_ASK,
                         score=match.best.score if match.best else 0.0,
                         suggestions=tuple(suggestions), question=question)
        return self.not_covered(snapshot=snapshot, question=question,
                                score=match.best.score if match.best else 0.0)

    def answer_entry(self, *, entry_id: str) -> Reply:
        """The answer of one entry: what a clicked "did you mean" suggestion shows."""
        snapshot = self.snapshot
        entry = snapshot.knowledge.entry(entry_id)
        if entry is None:
            return Reply(kind=ReplyKind.NOTICE, title="Not found", body=(
                "That answer is no longer in the knowledge base. Please ask your question again."))
        return self._entry_reply(entry, snapshot=snapshot, score=100.0)

    def _entry_reply(self, entry: Entry, *, snapshot: Snapshot, score: float,
                     question: str | None = None) -> Reply:
        if entry.outside:
            return self._outside_reply(entry, score=score, question=question)
        if entry.principle is None:  # the loader gives every entry but an outside one a principle
            raise ValueError(f"entry '{entry.id}' belongs to no principle")
        return Reply(
            kind=ReplyKind.ANSWER, title=entry.title, body=entry.answer,
            principle=entry.principle, entry=entry.id, score=score, source=entry.source,
            feedback=True, question=question,
            principle_title=snapshot.knowledge.principle(entry.principle).title,
        )

    def _outside_reply(self, entry: Entry, *, score: float, question: str | None) -> Reply:
        """A topic the guidance deliberately leaves alone: an honest "not covered" that names it
        and says where to ask, never dressed as a principle's answer (no principle, no feedback
        buttons; `answered` is false)."""
        return Reply(kind=ReplyKind.NOT_FOUND, title=entry.title,
                     body=f"{OUTSIDE_LEAD}\n\n{entry.answer}", entry=entry.id, score=score,
                     source=entry.source, tip=WHERE_TO_ASK, question=question)

    def not_covered(self, *, snapshot: Snapshot, question: str | None = None,
                    score: float = 0.0) -> Reply:
        body = ("Sorry, I don't know the answer to that. I can only help with the civil service "
                "guidance on using social media, which has six principles:")
        return Reply(kind=ReplyKind.NOT_FOUND, title="I don't know that one", body=body,
                     points=self._principle_points(snapshot), tip=WHERE_TO_ASK, score=score,
                     question=question)

    def help(self, *, snapshot: Snapshot | None = None) -> Reply:
        snapshot = snapshot or self.snapshot
        body = ("Ask me anything about using social media as a civil servant, at work or in your "
                "own time, for example \"Can I post about politics on my own account?\"")
        points = (
            Point(title="principles", text="the six principles of the guidance"),
            Point(title="principle 3", text="one principle explained"),
            Point(title="today", text="the principle of the day"),
            Point(title="help", text="this message"),
        )
        return Reply(kind=ReplyKind.NOTICE, title="How to use Guidance Bot", body=body,
                     points=points, layout=Layout.AFTER_BODY, lead="You can also say:")

    def welcome(self, *, snapshot: Snapshot | None = None) -> Reply:
        snapshot = snapshot or self.snapshot
        body = ("Hello! I answer questions about the Cabinet Office's guidance on social media "
                "for civil servants. Ask me a question, or say 'help'. The six principles are:")
        return Reply(kind=ReplyKind.NOTICE, title="Welcome to Guidance Bot", body=body,
                     points=self._principle_points(snapshot))

    def principles(self, *, snapshot: Snapshot | None = None) -> Reply:
        snapshot = snapshot or self.snapshot
        return Reply(kind=ReplyKind.NOTICE, title="The six principles", body=(
            "The guidance has six principles. Say 'principle 1' to 'principle 6' for more."),
            points=self._principle_points(snapshot), layout=Layout.BEFORE_BODY,
            lead="The six principles:")

    def principle(self, *, number: str | int, snapshot: Snapshot | None = None) -> Reply:
        snapshot = snapshot or self.snapshot
        digits = str(number)
        # int() refuses over 4300 digits and isdigit() accepts "²": both reached users as errors
        value = _NUMBER_WORDS.get(digits) or (
            int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 3 else 0)
        if not 1 <= value <= 6:
            return Reply(kind=ReplyKind.NOTICE, title="There are six principles", body=(
                f"There is no principle {digits[:20]}: the guidance has six, numbered 1 to 6. "
                "Say 'principles' to see them."))
        return self._entry_reply(snapshot.knowledge.principle(value), snapshot=snapshot,
                                 score=100.0)

    def today(self, *, snapshot: Snapshot | None = None) -> Reply:
        snapshot = snapshot or self.snapshot
        local = self.clock().astimezone(self.timezone).date()
        return self.daily(day=local, snapshot=snapshot)

    def daily(self, *, day, snapshot: Snapshot | None = None) -> Reply:
        """The reminder of `day`: what `today` says and what subscribed channels are sent."""
        snapshot = snapshot or self.snapshot
        daily = principle_of_the_day(knowledge=snapshot.knowledge, day=day)
        entry = daily.principle
        return Reply(kind=ReplyKind.NOTICE,
                     title=f"Principle of the day: {entry.principle}. {entry.title}",
                     body=entry.reminder, tip=daily.tip, principle=entry.principle,
                     entry=entry.id, source=entry.source,
                     day=None if daily.day == day else daily.day, closing=ASK_ME)

    def _principle_points(self, snapshot: Snapshot) -> tuple[Point, ...]:
        return tuple(Point(title=p.title, text=p.reminder or "", principle=p.principle)
                     for p in snapshot.knowledge.principles)

    async def feedback(self, *, platform: str, entry: str | None, helpful: bool,
                       question: str | None = None) -> Reply:
        # A vote names an entry of the knowledge base; anything else was not one of our buttons.
        if entry is None or self.knowledge.entry(entry) is not None:
            try:
                await self.store.record_feedback(feedback=Feedback(
                    platform=platform, entry=entry, helpful=helpful, at=self.clock(),
                    question=storable(question, limit=MAX_QUESTION_CHARS) if question else None))
            except StoreError:
                import logging

                logging.getLogger(__name__).warning("feedback not recorded: the store failed",
                                                    exc_info=True)
                return Reply(kind=ReplyKind.NOTICE, title="Feedback not recorded", ok=False,
                             body=STORE_DOWN.format(what="record your feedback"))
        return Reply(kind=ReplyKind.NOTICE, title="Thanks for your feedback", body=(
            "Thanks for your feedback." if helpful else
            "Thanks for telling me. I'll use it to improve my answers. "
            + WHERE_TO_ASK))
