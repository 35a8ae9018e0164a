"""The follow-up agent against a real Postgres: only partnerships stalled in contacted/in_discussion past
the setting get a draft and a notification, once per silence."""

from __future__ import annotations

import uuid
from typing import Any

from shared.commands import Context
from shared.companies import service as companies
from shared.companies.model import CompanyCreate
from shared.discovery import follow_up
from shared.settings import Settings


def _company(settings: Settings, name: str) -> str:
    command = CompanyCreate(name=f"{name} {uuid.uuid4().hex[:6]}", industry="devtools")
    return str(companies.create_company(settings, command, Context()).id)


def _partnership(pg: Any, a: str, b: str, status: str, days_ago: int) -> str:
    row = pg.execute(
        "INSERT INTO partnerships (company_a_id, company_b_id, compatibility_score, status, updated_at) "
        "VALUES (%s, %s, 0.8, %s, NOW() - make_interval(days => %s)) RETURNING id::text AS id",
        (a, b, status, days_ago),
    ).fetchone()
    return str(row["id"])


def test_stalled_partnerships_get_one_nudge_each(postgres_url: str, pg: Any) -> None:
    settings = Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:9", follow_up_after_days=7)
    a, b, c, d = (_company(settings, n) for n in ("Инициатор", "Партнёр", "Третий", "Четвёртый"))
    stalled = _partnership(pg, a, b, "contacted", 10)
    discussing = _partnership(pg, a, c, "in_discussion", 8)
    _partnership(pg, b, c, "contacted", 2)  # recent
    _partnership(pg, d, a, "suggested", 30)  # never contacted: nothing to follow up
    pg.commit()

    report = follow_up.run(settings)
    assert (report.stalled, report.drafted, report.already) == (2, 2, 0)
    drafts = pg.execute(
        "SELECT partnership_id::text AS id, company_id::text AS company, subject, made_by FROM follow_up_drafts "
        "WHERE partnership_id = ANY(%s::uuid[]) ORDER BY created_at",
        ([stalled, discussing],),
    ).fetchall()
    assert {d["id"] for d in drafts} == {stalled, discussing} and {d["company"] for d in drafts} == {a}
    assert all(d["made_by"]["offline"] for d in drafts)
    notes = pg.execute(
        "SELECT topic, envelope->>'event_type' AS type FROM outbox WHERE message_key = ANY(%s)",
        ([stalled, discussing],),
    ).fetchall()
    pg.commit()
    assert (
        sorted((n["topic"], n["type"]) for n in notes) == [("notification.events", "partnership.follow_up_drafted")] * 2
    )

    again = follow_up.run(settings)
    assert (again.drafted, again.already) == (0, 2)
