"""FollowUpFunction (daily Scheduled Event): a partnership left in `contacted` past follow_up_after_days gets
one nudge draft (offline provider) for the initiating company and a notification (notification.events),
once per silence: the next day's run drafts nothing new, a fresh silence after a move gets its own."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import invoke, outbox, step_function
from functions.partnership_calls import catalog_companies, partnership

from support import event


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "agents", "follow_up", follow_up_after_days="7")


@pytest.fixture
def stalled(postgres_url: str, redis_url: str, pg: Any) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as (own, shop):
        pid = partnership(postgres_url, redis_url, own, shop, "contacted")
        pg.execute("UPDATE partnerships SET updated_at = NOW() - interval '10 days' WHERE id = %s", (pid,))
        pg.commit()
        yield {"id": pid, "own": own}
        pg.execute("DELETE FROM follow_up_drafts WHERE partnership_id = %s", (pid,))
        pg.commit()


def _drafts(pg: Any, partnership_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pg.execute(
        "SELECT company_id::text AS company, subject, body, made_by FROM follow_up_drafts WHERE partnership_id = %s",
        (partnership_id,),
    ).fetchall()
    pg.commit()
    return rows


def test_a_silence_is_nudged_once(fn: ModuleType, stalled: dict[str, Any], postgres_url: str, pg: Any) -> None:
    schedule = event("schedule/follow_up_daily")
    first = invoke(fn, schedule)
    assert set(first) == {"stalled", "drafted", "already"} and first["drafted"] >= 1
    (draft,) = _drafts(pg, stalled["id"])
    assert draft["company"] == stalled["own"]["id"] and draft["subject"] and draft["body"]
    assert draft["made_by"]["offline"] is True
    notes = [m for m in outbox(postgres_url, stalled["id"]) if m["type"] == "partnership.follow_up_drafted"]
    assert [n["topic"] for n in notes] == ["notification.events"]
    assert stalled["own"]["owner_id"] in notes[0]["payload"]["user_ids"] and notes[0]["payload"]["days_stalled"] >= 10

    again = invoke(fn, schedule)
    assert again["drafted"] == 0 and again["already"] >= 1 and len(_drafts(pg, stalled["id"])) == 1

    pg.execute("UPDATE partnerships SET updated_at = NOW() - interval '8 days' WHERE id = %s", (stalled["id"],))
    pg.commit()  # it moved, then went quiet again
    assert invoke(fn, schedule)["drafted"] >= 1 and len(_drafts(pg, stalled["id"])) == 2


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
