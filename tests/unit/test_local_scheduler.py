"""The local stand-in for EventBridge's scheduled rules (localcloud.scheduler): which minutes a cron
expression fires in, rate() periods from the start, and which rules of template.yaml run locally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from localcloud import template as tpl
from localcloud.paths import TEMPLATE
from localcloud.scheduler import BadExpression, cron_matcher, rule


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_cron_fields_match_as_eventbridge_reads_them() -> None:
    daily = cron_matcher("0 6 * * ? *")
    assert daily(at("2026-12-03T06:00")) and not daily(at("2026-12-03T06:01")) and not daily(at("2026-12-03T07:00"))
    stepped = cron_matcher("*/15 9-17 ? * 2-6 *")  # every 15 minutes in office hours, Monday (2) to Friday (6)
    assert stepped(at("2026-12-03T09:45"))  # a Thursday
    assert not stepped(at("2026-12-03T09:50")) and not stepped(at("2026-12-03T18:00"))
    assert not stepped(at("2026-12-06T10:00"))  # a Sunday
    listed = cron_matcher("5,35 0 1 1,7 ? 2027")
    assert listed(at("2027-07-01T00:35")) and not listed(at("2026-07-01T00:35"))


@pytest.mark.parametrize("expression", ["cron(0 6 * *)", "cron(0 25 * * ? *)", "cron(0 6 ? * MON *)", "every day"])
def test_unsupported_expressions_are_refused_at_start(expression: str) -> None:
    with pytest.raises(BadExpression):
        rule("F", "F", expression, at("2026-12-03T00:00"))


def test_a_rate_fires_once_per_period_from_the_start_and_a_cron_once_per_minute() -> None:
    start = at("2026-12-03T10:00:30")
    every_minute = rule("F", "F", "rate(1 minute)", start)
    assert not every_minute.due(start + timedelta(seconds=59))
    assert every_minute.due(start + timedelta(seconds=60))
    assert not every_minute.due(start + timedelta(seconds=61))
    assert every_minute.due(start + timedelta(minutes=5))  # a late tick fires once, not five times
    assert not every_minute.due(start + timedelta(minutes=5, seconds=1))
    daily = rule("F", "F", "cron(0 6 * * ? *)", at("2026-12-03T05:59:10"))
    assert daily.due(at("2026-12-03T06:00:01")) and not daily.due(at("2026-12-03T06:00:40"))


def test_the_local_stack_fires_the_templates_enabled_rules_only() -> None:
    rules = {(s.function, s.expression) for s in tpl.schedules(tpl.load(TEMPLATE))}
    assert ("ReleaseDeferredNotificationsFunction", "rate(1 minute)") in rules
    assert ("SendDigestsFunction", "cron(0 6 * * ? *)") in rules
    # The outbox sweep is DISABLED locally (the relay process does its work).
    assert not any(function == "OutboxRelayFunction" for function, _ in rules)
