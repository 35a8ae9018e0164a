"""The enrichment agent against a real Postgres: the summary and tags arrive as a `company.updated` event
(outbox, so the search read model, cache and embedding follow), the sentiment and timestamp on the row;
a second run with nothing new appends no event."""

from __future__ import annotations

import uuid
from typing import Any

from shared.commands import Context
from shared.companies import service as companies
from shared.companies.model import CompanyCreate
from shared.discovery.enrichment import enrich
from shared.settings import Settings


def test_enrichment_goes_through_the_companies_service(postgres_url: str, pg: Any) -> None:
    settings = Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:9")
    command = CompanyCreate(
        name=f"Обогащение {uuid.uuid4().hex[:6]}",
        industry="fintech",
        sub_industries=["payments", "lending"],
        description="Платёжный шлюз для маркетплейсов. Основан в 2019 году.",
    )
    company = companies.create_company(settings, command, Context())
    result = enrich(settings, str(company.id))
    assert result["version"] == company.version + 1 and result["made_by"]["offline"] is True

    row = pg.execute(
        "SELECT ai_summary, ai_tags, ai_sentiment_score, last_ai_enrichment, version FROM companies WHERE id = %s",
        (company.id,),
    ).fetchone()
    assert row["ai_summary"] == "Платёжный шлюз для маркетплейсов."
    assert sorted(row["ai_tags"]) == ["fintech", "lending", "payments"]
    assert row["ai_sentiment_score"] == 0 and row["last_ai_enrichment"] is not None
    events = pg.execute(
        "SELECT envelope->>'event_type' AS type, envelope->'payload'->'changes' AS changes, "
        "envelope->>'actor' AS actor FROM outbox WHERE message_key = %s ORDER BY id",
        (str(company.id),),
    ).fetchall()
    pg.commit()
    assert [e["type"] for e in events] == ["company.created", "company.updated"]
    assert set(events[1]["changes"]) == {"ai_summary", "ai_tags"} and events[1]["actor"] == "agent:enrichment"

    again = enrich(settings, str(company.id))
    assert again["version"] == result["version"]  # nothing new: no event
