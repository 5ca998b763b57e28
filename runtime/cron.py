"""Cron expressions as Kestra's Schedule trigger reads them (cron-utils with Kestra's
definition: 5 fields, or 6 with seconds first, day of week 0-7 with 7 for Sunday,
nicknames), and the times a schedule fires. The checker reads them with this module too."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_JAVA_INT = re.compile(r"[+-]?\d+")


class CronError(ValueError):
    """An expression Kestra refuses; the message says why."""



CRON_FIELDS = (("second", 0, 59), ("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
CRON_NAMES = {
    "month": {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)},
    "day of week": {d: i for i, d in enumerate("MON TUE WED THU FRI SAT SUN".split(), 1)},
}
NICKNAMES = frozenset(("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"))
SPECIAL = frozenset(("L", "LW", "W", "HASH", "QUESTION_MARK", "NONE"))  # special values cron-utils reads in a range
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
JAVA_SPACE = re.compile(r"[ \t\n\x0b\f\r]+")


def _java_split(text: str, sep: str) -> list[str]:
    """String.split: trailing empty strings removed."""
    if not text:
        return [""]
    parts = text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


class CronField:
    """One field of a cron expression, read as cron-utils' FieldParser reads it (upper case)
    and checked as its validation visitor does. Expressions are tuples: ("*",), ("on", v),
    ("range", a, b), ("every", inner, step), ("list", [...])."""

    def __init__(self, name: str, low: int, high: int) -> None:
        self.name, self.low, self.high = name, low, high
        self.names = CRON_NAMES.get(name, {})

    def parse(self, text: str):
        if self.name == "day of week" and text.endswith("L") and text[:-1] in self.names:
            text = f"{self.names[text[:-1]]}L"
        return self.check(self.read(text))

    def read(self, text: str):
        if not any(c in text for c in "/-,"):
            if "?" in text:
                raise CronError("`?` is not supported")
            return ("*",) if text == "*" else self.on(text)
        parts = _java_split(text, ",")
        if len(parts) > 1:
            return ("list", [self.read(p) for p in parts])
        pieces = _java_split(text, "-")
        if "-" in text and len(pieces) != 2:
            raise CronError(f"`{text}` is not a range")
        if pieces[0] == "L":
            raise CronError("`L` is not supported")
        if len(pieces) == 2:
            start, end = pieces
            if not start or not end:
                raise CronError(f"`{text}` is not a range (negative numbers are not allowed)")
            if "/" in end:
                steps = _java_split(end, "/")
                if len(steps) < 2:
                    raise CronError(f"`{text}` has no step after `/`")
                return ("every", ("range", self.bound(start), self.bound(steps[0])), self.value(steps[1]))
            return ("range", self.bound(start), self.bound(end))
        steps = _java_split(text, "/")
        if len(steps) == 1:
            raise CronError(f"`{text}` has no step after `/`")
        if len(steps) != 2:
            raise CronError(f"`{text}` is not a step expression")
        start, step = steps
        if start.strip() == "*" and step == "1":
            return ("*",)
        step = self.step(step)
        return ("every", ("*",) if start.strip() in ("*", "") else ("on", self.value(start)), step)

    def on(self, text: str):
        for mark, what in (("#", "`#`"), ("LW", "`LW`")):
            if mark in text:
                raise CronError(f"{what} is not supported")
        if text == "L" or re.search(r"[0-9]L", text):
            raise CronError("`L` is not supported")
        if re.search(r"[0-9]W", text):
            raise CronError("`W` is not supported")
        return ("on", self.value(text))

    def number(self, text: str) -> int:
        if text in self.names:
            return self.names[text]
        if _JAVA_INT.fullmatch(text) and -2**31 <= int(text) < 2**31:
            return int(text)
        raise CronError(f"`{text}` is not a number" + (" or a name" if self.names else ""))

    def value(self, text: str) -> int:
        number = self.number(text)
        return 0 if self.name == "day of week" and number == 7 else number

    def bound(self, text: str) -> int:
        if text in SPECIAL:
            raise CronError("special characters are not allowed in a range")
        return self.number(text)

    def step(self, text: str) -> int:
        if not (_JAVA_INT.fullmatch(text) and -2**31 <= int(text) < 2**31):
            raise CronError(f"step `{text}` is not a number")
        return int(text)

    def check(self, expr):
        kind = expr[0]
        if kind == "list":
            for part in expr[1]:
                self.check(part)
        elif kind == "on":
            self.in_range(expr[1])
        elif kind == "range":
            self.in_range(expr[1])
            self.in_range(expr[2])
            if expr[1] > expr[2]:
                raise CronError(f"range {expr[1]}-{expr[2]} goes backwards")
        elif kind == "every":
            self.check(expr[1])
            step = expr[2]
            if not (0 < step <= self.high - self.low + 1 and step <= self.high):
                raise CronError(f"step {step} is out of range (1-{min(self.high, self.high - self.low + 1)})")
        return expr

    def in_range(self, value: int) -> None:
        if not self.low <= value <= self.high:
            raise CronError(f"{value} is out of range ({self.low}-{self.high})")

    def values(self, expr) -> set[int]:
        """The values an expression of this field stands for."""
        kind = expr[0]
        if kind == "*":
            return set(range(self.low, self.high + 1))
        if kind == "on":
            return {expr[1]}
        if kind == "range":
            return set(range(expr[1], expr[2] + 1))
        if kind == "list":
            return set().union(*(self.values(e) for e in expr[1]))
        inner = expr[1]  # every: from its start (or the field's) to its end (or the field's)
        start = self.low if inner[0] == "*" else inner[1]
        end = inner[2] if inner[0] == "range" else self.high
        return set(range(start, end + 1, expr[2]))


def parse_cron(text: str, with_seconds: bool) -> list[dict] | None:
    """Read a cron expression as Kestra's Schedule does: the fields of each expression
    (name -> (field, expression)), [] for a nickname, None when flowc cannot tell
    (per-field `|` alternatives). Raises CronError with the reason when Kestra refuses it."""
    if text.startswith("@") and text in NICKNAMES:
        return []
    if text == "@reboot":
        raise CronError("the nickname `@reboot` is not supported")
    if "||" in text:
        parsed = [parse_cron(part, with_seconds) for part in _java_split(text, "||")]
        return None if any(p is None for p in parsed) else [c for p in parsed for c in p]
    if "|" in text:
        return None
    replaced = JAVA_SPACE.sub(" ", text).strip()
    if not replaced:
        raise CronError("the expression is empty")
    parts = replaced.upper().split(" ")
    trailing = next((p for p in parts if p.endswith(",")), None)
    if trailing:
        raise CronError(f"`{trailing}` ends with a comma")
    fields = CRON_FIELDS if with_seconds else CRON_FIELDS[1:]
    if len(parts) != len(fields):
        raise CronError(f"it has {len(parts)} field{'s' if len(parts) != 1 else ''}, expected {len(fields)}"
                   f" ({', '.join(name for name, _, _ in fields)})")
    parsed = {}
    for (name, low, high), part in zip(fields, parts):
        field = CronField(name, low, high)
        try:
            parsed[name] = (field, field.parse(part))
        except CronError as e:
            raise CronError(f"{name} `{part}`: {e}") from None
    return [parsed]


def never_fires(cron: dict) -> bool:
    """True when the days of the month exist in none of the months (the day of week is `*`:
    cron-utils otherwise fires on the union of both)."""
    if cron["day of week"][1] != ("*",):
        return False
    days, months = (field.values(expr) for field, expr in (cron["day of month"], cron["month"]))
    return all(min(days) > MONTH_DAYS[m - 1] for m in months)


# --------------------------------------------------------------------------- fire times

NICKNAME_EXPRESSIONS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
MAX_YEARS = 5  # how far to look for the next (or previous) fire time before giving up


class Schedule:
    """When a cron expression fires, in the time zone of the datetimes it is given."""

    def __init__(self, text: str, with_seconds: bool = False) -> None:
        if text in NICKNAME_EXPRESSIONS:
            text, with_seconds = NICKNAME_EXPRESSIONS[text], False
        crons = parse_cron(text, with_seconds)
        if crons is None:
            raise CronError("fire times of expressions with `|` alternatives inside a field are not supported")
        self.rules = [self._rule(cron, with_seconds) for cron in crons]

    @staticmethod
    def _rule(cron: dict, with_seconds: bool) -> dict:
        def values(name):
            field, expr = cron[name]
            return field.values(expr)

        dow = {0 if d == 7 else d for d in values("day of week")}
        return {
            "seconds": sorted(values("second")) if with_seconds else [0],
            "minutes": sorted(values("minute")), "hours": sorted(values("hour")),
            "days": values("day of month"), "months": values("month"), "dow": dow,
            "any_day": cron["day of month"][1] == ("*",), "any_dow": cron["day of week"][1] == ("*",),
        }

    @staticmethod
    def _day_matches(rule: dict, day: datetime) -> bool:
        if day.month not in rule["months"]:
            return False
        in_month, in_week = day.day in rule["days"], (day.weekday() + 1) % 7 in rule["dow"]
        if rule["any_day"] and rule["any_dow"]:
            return True
        if rule["any_day"]:
            return in_week
        if rule["any_dow"]:
            return in_month
        return in_month or in_week  # both restricted: either fires, as in cron

    def _times(self, rule: dict):
        return [(h, m, s) for h in rule["hours"] for m in rule["minutes"] for s in rule["seconds"]]

    def next(self, after: datetime) -> datetime:
        """The first fire time strictly after `after`."""
        found = [t for t in (self._next(rule, after) for rule in self.rules) if t is not None]
        if not found:
            raise CronError(f"the expression does not fire in the {MAX_YEARS} years after {after.isoformat()}")
        return min(found)

    def previous(self, before: datetime) -> datetime:
        """The last fire time strictly before `before`."""
        found = [t for t in (self._previous(rule, before) for rule in self.rules) if t is not None]
        if not found:
            raise CronError(f"the expression does not fire in the {MAX_YEARS} years before {before.isoformat()}")
        return max(found)

    def _next(self, rule: dict, after: datetime):
        times = self._times(rule)
        start = _shift(after.replace(microsecond=0), 1)
        day = start.replace(hour=0, minute=0, second=0)
        for _ in range(366 * MAX_YEARS):
            if self._day_matches(rule, day):
                for h, m, s in times:
                    candidate = _normal(day.replace(hour=h, minute=m, second=s))
                    if _instant(candidate) >= _instant(start):
                        return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0, second=0)
        return None

    def _previous(self, rule: dict, before: datetime):
        times = self._times(rule)[::-1]
        limit = before.replace(microsecond=0)
        if limit == before:
            limit = _shift(limit, -1)
        day = limit.replace(hour=0, minute=0, second=0)
        for _ in range(366 * MAX_YEARS):
            if self._day_matches(rule, day):
                for h, m, s in times:
                    candidate = _normal(day.replace(hour=h, minute=m, second=s))
                    if _instant(candidate) <= _instant(limit):
                        return candidate
            day = (day - timedelta(days=1)).replace(hour=0, minute=0, second=0)
        return None


def _normal(moment: datetime) -> datetime:
    """A wall-clock time that a DST change skips, as the instant it stands for (02:30 on a
    spring-forward night is 03:30)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).astimezone(moment.tzinfo)


def _instant(moment: datetime):
    """What to compare: aware times by their instant (two wall times of one zone otherwise
    compare as wall times, whatever DST says)."""
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else moment


def _shift(moment: datetime, seconds: int) -> datetime:
    """`moment` moved by elapsed seconds (not wall-clock seconds), in its own zone."""
    if moment.tzinfo is None:
        return moment + timedelta(seconds=seconds)
    return (moment.astimezone(timezone.utc) + timedelta(seconds=seconds)).astimezone(moment.tzinfo)
