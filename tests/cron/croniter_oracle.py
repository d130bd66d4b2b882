#!/usr/bin/env python3
"""Computes cron ticks with croniter the way Airflow does: the oracle for slayer's cron tests.

Usage: croniter_oracle.py INPUT OUTPUT

INPUT has one case per line, tab-separated: id, kind, expression, time zone, start, count.
  kind next | prev    croniter on naive local times (slayer::cron::CronExpression);
                      start is 'YYYY-MM-DDTHH:MM'; the time zone column is ignored.
  kind znext | zprev  Airflow's cron timetable in the time zone (CronMixin._get_next and
                      _get_prev in airflow/timetables/_cron.py; slayer::cron::ZonedSchedule);
                      start is a UTC instant 'YYYY-MM-DDTHH:MM:SS.ffffffZ'.
  kind parse          whether croniter accepts the expression: 'ok' or 'error: ...'.
  count               chain length: each result is the start of the next step, as Airflow
                      chains its runs.
OUTPUT has one line per case: id, the results joined by ',' (same form as start; 'none' when
croniter finds no match, which ends the chain; 'error: ...' when croniter rejects the
expression), and for zprev the number of steps where Airflow's _get_prev returned a tick at or
after its input and the step went back further (see ZonedSchedule::Prev).

The whole batch runs in one process: the C++ test writes every case to INPUT first.
Needs croniter (Debian python3-croniter, 1.3.5 on Debian 12); zoneinfo reads the system tzdata.
"""

import datetime
import sys
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

UTC = datetime.timezone.utc
NAIVE_FORMAT = "%Y-%m-%dT%H:%M"


def covers_every_hour(it):
    # airflow.timetables._cron._covers_every_hour
    return it.expanded[1] == ["*"]


def make_naive(instant, tz):
    # airflow.utils.timezone.make_naive
    return instant.astimezone(tz).replace(tzinfo=None)


def make_aware(naive, tz):
    """airflow.utils.timezone.make_aware: pendulum's Timezone.convert(naive.replace(fold=1)).

    For a repeated local time fold=1 picks the second occurrence. For a local time in a gap
    pendulum moves the time forward by the gap's length, which is reading it with the offset
    from before the gap: what zoneinfo does for fold=0 (PEP 495). So: the later of the two.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    aware = second if first.utcoffset() >= second.utcoffset() else first
    return aware.astimezone(UTC)


def naive_next(it, naive):
    # croniter(expr, start_time=naive).get_next(datetime), reusing one parsed iterator.
    it.set_current(naive, force=True)
    return it.get_next(datetime.datetime)


def naive_prev(it, naive):
    it.set_current(naive, force=True)
    return it.get_prev(datetime.datetime)


def airflow_next(it, tz, every_hour, current):
    # CronMixin._get_next
    naive = make_naive(current, tz)
    scheduled = naive_next(it, naive)
    if not every_hour:
        return make_aware(scheduled, tz)
    return current + (scheduled - naive)


def airflow_prev(it, tz, every_hour, current):
    """CronMixin._get_prev, and where that is not strictly before `current` (only possible in a
    DST change, for schedules with a fixed hour) the earlier matches until one is. Returns the
    tick and whether that fix-up was needed."""
    naive = make_naive(current, tz)
    scheduled = naive_prev(it, naive)
    if every_hour:
        return current - (naive - scheduled), False
    tick = make_aware(scheduled, tz)
    fixed = False
    while tick >= current:
        fixed = True
        scheduled = naive_prev(it, scheduled)
        tick = make_aware(scheduled, tz)
    return tick, fixed


def format_instant(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def run_case(kind, expr, tz_name, start, count):
    results = []
    fixups = 0
    if kind == "parse":
        try:
            croniter(expr)
            return "ok", 0
        except Exception as e:  # croniter raises several types for bad input
            return "error: " + type(e).__name__, 0
    try:
        if kind in ("next", "prev"):
            it = croniter(expr, start_time=datetime.datetime.strptime(start, NAIVE_FORMAT))
            step = it.get_next if kind == "next" else it.get_prev
            for _ in range(count):
                results.append(step(datetime.datetime).strftime(NAIVE_FORMAT))
        else:
            tz = ZoneInfo(tz_name)
            it = croniter(expr)
            every_hour = covers_every_hour(it)
            current = parse_instant(start)
            for _ in range(count):
                if kind == "znext":
                    current = airflow_next(it, tz, every_hour, current)
                else:
                    current, fixed = airflow_prev(it, tz, every_hour, current)
                    fixups += fixed
                results.append(format_instant(current))
    except CroniterBadDateError:
        results.append("none")
    except CroniterBadCronError as e:
        results = ["error: " + str(e).replace("\t", " ").replace("\n", " ")]
    return ",".join(results), fixups


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as src, open(argv[2], "w", encoding="utf-8") as out:
        for line in src:
            line = line.rstrip("\n")
            if not line:
                continue
            case_id, kind, expr, tz_name, start, count = line.split("\t")
            results, fixups = run_case(kind, expr, tz_name, start, int(count))
            out.write(f"{case_id}\t{results}\t{fixups}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
