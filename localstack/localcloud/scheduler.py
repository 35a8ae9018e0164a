"""The local stand-in for EventBridge's scheduled rules: fires every `Schedule` event of template.yaml.

Why: the emulator deploys the functions but runs no scheduled rules, so without this the functions that
AWS runs on a schedule (quiet-hour releases every minute, the daily digest, view-count flushes, the scout
and the follow-up agent) would never run under `make dev`. Each rule's function is invoked asynchronously
(InvocationType=Event, as EventBridge does) with the scheduled event EventBridge sends
(events/schedule/every_minute.json's shape, its own id, time and rule ARN).

Expressions are EventBridge's: `rate(N minute|minutes|hour|hours|day|days)` (first fired one period after
start, as a new rule is) and `cron(minutes hours day-of-month month day-of-week year)` in UTC, with `*`,
`?`, numbers, lists `a,b`, ranges `a-b` and steps `*/n` or `a/n` (names like MON and `L`/`W`/`#` are not
used by the template and refused at start). Runs as a part of the local cloud (`algoarts local up`), logging
each firing to .state/local/logs/scheduler.log.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from localcloud.paths import STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, boto_session

log = logging.getLogger("scheduler")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199)]  # minute hour dom month dow(1=SUN) year


class BadExpression(ValueError):
    pass


@dataclass
class Rule:
    function: str
    name: str
    expression: str
    due: Callable[[datetime], bool]


def _field(text: str, low: int, high: int) -> set[int]:
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = int(a), int(b)
        elif base.isdigit():
            start = int(base)
            end = high if step_text else start
        else:
            raise BadExpression(f"unsupported cron field {text!r}")
        if not (low <= start <= end <= high) or step < 1:
            raise BadExpression(f"cron field {text!r} outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def cron_matcher(fields: str) -> Callable[[datetime], bool]:
    """Whether a UTC minute matches an EventBridge cron expression's six fields."""
    parts = fields.split()
    if len(parts) != 6:
        raise BadExpression(f"cron needs 6 fields, got {len(parts)}: {fields!r}")
    sets = [_field(p, lo, hi) for p, (lo, hi) in zip(parts, _BOUNDS, strict=True)]
    minutes, hours, days, months, weekdays, years = sets
    dom_any, dow_any = parts[2] in ("*", "?"), parts[4] in ("*", "?")

    def matches(at: datetime) -> bool:
        weekday = (at.isoweekday() % 7) + 1  # EventBridge: 1 = Sunday
        day_ok = (at.day in days or dom_any) and (weekday in weekdays or dow_any)
        return at.minute in minutes and at.hour in hours and at.month in months and at.year in years and day_ok

    return matches


def rule(function: str, name: str, expression: str, started: datetime) -> Rule:
    if match := _RATE.match(expression):
        period = timedelta(seconds=int(match.group(1)) * _UNIT[match.group(2)])
        next_at = [started + period]

        def due_rate(at: datetime) -> bool:
            if at < next_at[0]:
                return False
            while next_at[0] <= at:
                next_at[0] += period
            return True

        return Rule(function, name, expression, due_rate)
    if match := _CRON.match(expression):
        matches = cron_matcher(match.group(1))
        last = [started.replace(second=0, microsecond=0)]  # never fire the minute we started in

        def due_cron(at: datetime) -> bool:
            minute = at.replace(second=0, microsecond=0)
            if minute <= last[0]:
                return False
            last[0] = minute
            return matches(minute)

        return Rule(function, name, expression, due_cron)
    raise BadExpression(f"unsupported schedule {expression!r}")


def scheduled_event(rule_name: str, at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/algoarts-{rule_name}"],
        "detail": {},
    }


def rules_of(template_path: Path, started: datetime) -> list[Rule]:
    from localcloud import template as tpl

    return [
        rule(s.function, s.function + s.name, s.expression, started) for s in tpl.schedules(tpl.load(template_path))
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(STATE_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    state = CloudState.load(Path(args.state))
    assert state is not None, "no cloud.json: start with `algoarts local up`"
    rules = rules_of(TEMPLATE, datetime.now(UTC))
    lam = boto_session(state.endpoint).client("lambda")
    for r in rules:
        log.info("rule %s: %s -> %s", r.name, r.expression, r.function)
    stop = [False]

    def _stop(*_: Any) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop[0]:
        now = datetime.now(UTC)
        for r in rules:
            if not r.due(now):
                continue
            try:
                payload = json.dumps(scheduled_event(r.name, now)).encode()
                lam.invoke(FunctionName=state.functions[r.function], InvocationType="Event", Payload=payload)
                log.info("fired %s (%s)", r.name, r.function)
            except Exception:
                log.exception("could not invoke %s", r.function)
        time.sleep(1.0)


if __name__ == "__main__":
    main()
