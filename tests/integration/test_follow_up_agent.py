"""The follow-up agent against a real Postgres: only partnerships stalled in contacted/in_discussion past
the setting get a draft and a notification, once per silence. The `partnerships` table belongs to the
partnerships branch (migration 0007); until it is merged this test creates the seed's shape of it."""

from __future__ import annotations

import uuid
from typing import Any

from shared.commands import Context
from shared.companies import service as companies
from shared.companies.model import CompanyCreate
from shared.discovery import follow_up
from shared.settings import Settings

SEED_PARTNERSHIPS = """
CREATE TABLE IF NOT EXISTS partnerships (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    company_a_id UUID NOT NULL REFERENCES companies(id),
    company_b_id UUID NOT NULL REFERENCES companies(id),
    compatibility_score NUMERIC(3,2) NOT NULL CHECK (compatibility_score BETWEEN 0 AND 1),
    status VARCHAR(50) DEFAULT 'suggested',
    contacted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
)"""


def _company(settings: Settings, name: str) -> str:
    command = CompanyCreate(name=f"{name} {uuid.uuid4().hex[:6]}", industry="saas")
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
    pg.execute(SEED_PARTNERSHIPS)
    pg.execute("UPDATE partnerships SET status = 'active'")  # earlier tests' rows stay out of this one
    pg.commit()  # the FK's lock on companies would block the creations below
    a, b, c = (_company(settings, n) for n in ("Инициатор", "Партнёр", "Третий"))
    stalled = _partnership(pg, a, b, "contacted", 10)
    discussing = _partnership(pg, a, c, "in_discussion", 8)
    _partnership(pg, b, c, "contacted", 2)  # recent
    _partnership(pg, c, a, "suggested", 30)  # never contacted: nothing to follow up
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
