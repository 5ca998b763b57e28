"""Fire times of Schedule triggers (runtime/cron.py)."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from runtime.cron import CronError, Schedule

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc


def at(*parts, tz=UTC):
    return datetime(*parts, tzinfo=tz)


@pytest.mark.parametrize("cron, after, expected", [
    ("0 2 * * *", at(2026, 1, 1, 2, 0), at(2026, 1, 2, 2, 0)),  # strictly after
    ("*/15 9-17 * * MON-FRI", at(2026, 11, 28, 12, 0), at(2026, 11, 30, 9, 0)),  # Saturday -> Monday
    ("0 0 29 2 *", at(2026, 1, 1), at(2028, 2, 29)),  # the next leap day
    ("0 0 1 * 0", at(2026, 1, 1, 1), at(2026, 1, 4)),  # day of month and of week both set: either fires
    ("0 0 * * 7", at(2026, 1, 1), at(2026, 1, 4)),  # 7 is Sunday too
    ("@hourly", at(2026, 1, 1, 10, 30), at(2026, 1, 1, 11, 0)),
    ("@monthly", at(2026, 1, 15), at(2026, 2, 1)),
])
def test_next_fire_time(cron, after, expected):
    assert Schedule(cron).next(after) == expected


def test_seconds_field():
    assert Schedule("30 * * * * *", with_seconds=True).next(at(2026, 1, 1, 0, 0, 0)) == at(2026, 1, 1, 0, 0, 30)


def test_a_time_skipped_by_daylight_saving_fires_at_the_instant_it_stands_for():
    schedule = Schedule("0 2 * * *")
    fired = schedule.next(at(2026, 3, 28, 12, 0, tz=PARIS))
    assert fired.isoformat() == "2026-03-29T03:00:00+02:00"
    assert schedule.previous(fired).isoformat() == "2026-03-28T02:00:00+01:00"
    assert schedule.next(fired).isoformat() == "2026-03-30T02:00:00+02:00"


def test_an_expression_that_never_fires_says_so():
    with pytest.raises(CronError, match="does not fire"):
        Schedule("0 0 30 2 *").next(at(2026, 1, 1))


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
       st.sampled_from(["0 2 * * *", "*/7 * * * *", "0 0 1,15 * *", "30 4 * * MON", "@daily"]))
def test_previous_and_next_bracket_any_moment(moment, cron):
    moment = moment.replace(tzinfo=PARIS)
    schedule = Schedule(cron)
    before, after = schedule.previous(moment), schedule.next(moment)
    assert before.astimezone(UTC) < moment.astimezone(UTC) < after.astimezone(UTC)
    # nothing fires between them, except the moment itself
    assert schedule.next(before).astimezone(UTC) in (after.astimezone(UTC), moment.astimezone(UTC))
