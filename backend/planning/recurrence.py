"""Recurrence rules of schedules: RFC 5545 RRULEs read by python-dateutil, on dates only.

A schedule stores its rule as text (``FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1``) and its first day
apart (``dtstart``). Occurrences are days: times of day and time zones play no part, so rules that
would split a day (``FREQ=HOURLY``, ``BYHOUR``…) are refused. Every expansion is bounded, so that a
rule typed by hand can never make a request run for long or plan thousands of visits.

Pure: no Litestar, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final, Literal

from dateutil.rrule import DAILY, rrule, rrulestr

MAX_OCCURRENCES: Final = 500
MAX_RULE_LENGTH: Final = 500
# Parts that only make sense with times of day: a schedule's occurrences are days.
_TIME_PARTS: Final = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})
_KNOWN_PARTS: Final = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "BYYEARDAY"}
    | {"BYWEEKNO", "WKST", *_TIME_PARTS}
)

Frequency = Literal["monthly", "quarterly", "semiannual", "yearly"]
FREQUENCIES: Final[tuple[Frequency, ...]] = ("quarterly", "semiannual", "yearly", "monthly")
_MONTHS: Final[dict[str, int]] = {"monthly": 1, "quarterly": 3, "semiannual": 6}


@dataclass
class RecurrenceError(ValueError):
    """A rule that cannot be used: ``code`` is a catalogue key, ``params`` its placeholders."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.params}"


def normalize(text: str) -> str:
    """The rule as stored: upper case, no ``RRULE:`` prefix, no spaces."""
    rule = "".join(text.split()).upper()
    return rule.removeprefix("RRULE:")


def parse_rule(text: str, dtstart: date) -> rrule:
    """Read ``text`` as the RRULE of a schedule starting on ``dtstart``.

    Raises:
        RecurrenceError: ``planning.rrule.empty``, ``.too_long``, ``.invalid``, ``.too_frequent``
            or ``.time_of_day``.
    """
    rule = normalize(text)
    if not rule:
        raise RecurrenceError("planning.rrule.empty")
    if len(rule) > MAX_RULE_LENGTH:
        raise RecurrenceError("planning.rrule.too_long", {"limit": MAX_RULE_LENGTH})
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        # DTSTART and several lines belong to iCalendar files, not to a schedule's rule.
        if not sep or not value or name not in _KNOWN_PARTS or name in parts:
            raise RecurrenceError("planning.rrule.invalid", {"rule": rule})
        parts[name] = value
    if "FREQ" not in parts:
        raise RecurrenceError("planning.rrule.invalid", {"rule": rule})
    if _TIME_PARTS & parts.keys():
        raise RecurrenceError("planning.rrule.time_of_day", {"rule": rule})
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("planning.rrule.invalid", {"rule": rule})
    try:
        parsed = rrulestr(rule, dtstart=datetime.combine(dtstart, time()))
    except (ValueError, TypeError, OverflowError, IndexError):
        raise RecurrenceError("planning.rrule.invalid", {"rule": rule}) from None
    if not isinstance(parsed, rrule):  # pragma: no cover - a single RRULE never gives a set
        raise RecurrenceError("planning.rrule.invalid", {"rule": rule})
    # dateutil numbers frequencies from YEARLY (0) to SECONDLY (6): above DAILY is finer than a day.
    if parsed._freq > DAILY:  # dateutil exposes no public accessor
        raise RecurrenceError("planning.rrule.too_frequent", {"rule": rule})
    return parsed


def occurrences(
    text: str, dtstart: date, start: date, end: date, *, limit: int = MAX_OCCURRENCES
) -> list[date]:
    """The days of the rule within ``[start, end]`` (both included), in order.

    Raises:
        RecurrenceError: the rule is unusable (see ``parse_rule``), or it gives more than ``limit``
            days in the window (``planning.rrule.too_many``).
    """
    parsed = parse_rule(text, dtstart)
    # An UNTIL at the end of the window bounds the walk: a rule that never matches (BYMONTH=2;
    # BYMONTHDAY=30) would otherwise be searched up to the year 9999, for seconds. COUNT is applied
    # by hand, walking from dtstart, because dateutil refuses COUNT and UNTIL together.
    count: int | None = parsed._count  # dateutil exposes no public accessor
    own_until: datetime | None = parsed._until
    cap = datetime.combine(end, time())
    bounded = parsed.replace(count=None, until=min(own_until, cap) if own_until else cap)
    days: list[date] = []
    for number, moment in enumerate(bounded, start=1):
        if count is not None and number > count:
            break
        day = moment.date()
        if day < start or (days and days[-1] == day):
            continue
        days.append(day)
        if len(days) > limit:
            raise RecurrenceError("planning.rrule.too_many", {"limit": limit})
    return days


def build_rule(
    frequency: str,
    *,
    interval: int = 1,
    month_day: int | None = None,
    month: int | None = None,
    count: int | None = None,
    until: date | None = None,
) -> str:
    """The RRULE of the simple choices of the schedule form.

    ``quarterly`` is every 3 months and ``semiannual`` every 6 (times ``interval``); ``month_day``
    is the day of the month (1–28, or -1 for the last day), ``month`` the month of a yearly rule
    (without it, a yearly rule with a day of the month would fall every month); ``count`` or
    ``until`` end the series.

    Raises:
        RecurrenceError: ``planning.rrule.frequency``, ``.interval``, ``.month_day`` or ``.invalid``
            (both ``count`` and ``until``).
    """
    if frequency not in FREQUENCIES:
        raise RecurrenceError("planning.rrule.frequency")
    if not 1 <= interval <= 12:
        raise RecurrenceError("planning.rrule.interval", {"max": 12})
    if month_day is not None and not (1 <= month_day <= 28 or month_day == -1):
        raise RecurrenceError("planning.rrule.month_day")
    if count is not None and until is not None:
        raise RecurrenceError("planning.rrule.invalid", {"rule": ""})
    if frequency == "yearly":
        parts = ["FREQ=YEARLY"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    else:
        months = _MONTHS[frequency] * interval
        parts = ["FREQ=MONTHLY"] + ([f"INTERVAL={months}"] if months > 1 else [])
    if month_day is not None:
        if frequency == "yearly" and month is not None:
            parts.append(f"BYMONTH={month}")
        parts.append(f"BYMONTHDAY={month_day}")
    if count is not None:
        parts.append(f"COUNT={count}")
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)
