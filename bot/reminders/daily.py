"""The principle of the day: a pure function of the local date, so every instance agrees on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.knowledge.loader import Entry, KnowledgeBase

# A Monday well before any reminder: the cycle counts working days from here.
_EPOCH = date(2024, 1, 1)


def working_days_since_epoch(day: date) -> int:
    """Weekdays from the epoch up to (not including) `day`."""
    weeks, extra = divmod((day - _EPOCH).days, 7)
    return weeks * 5 + min(extra, 5)


def next_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True, kw_only=True)
class DailyPrinciple:
    day: date  # the working day this is for (a weekend date moves on to Monday)
    principle: Entry
    tip: str | None


def principle_of_the_day(*, knowledge: KnowledgeBase, day: date) -> DailyPrinciple:
    """Principles cycle 1 to 6 over working days; each time a principle comes round, its next tip.

    Six principles over five-day weeks already shift each week; rotating the tip as well means
    no two appearances of a principle read the same until its tips run out.
    """
    day = next_working_day(day)
    count = working_days_since_epoch(day)
    number = count % 6 + 1
    principle = knowledge.principle(number)
    tips = [tip for entry in knowledge.entries if entry.principle == number for tip in entry.tips]
    tip = tips[(count // 6) % len(tips)] if tips else None
    return DailyPrinciple(day=day, principle=principle, tip=tip)
