"""The enrichment agent: a company's AI summary, tags and sentiment from its own data and the news the
scout linked to it (`shared.llm.tasks.enrich_company`), recorded through the companies service so the
read models and the cache follow (`shared.companies.service.record_enrichment`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.commands import Context
from shared.companies import service as companies
from shared.discovery import store
from shared.errors import NotFound
from shared.llm import tasks
from shared.settings import Settings

if TYPE_CHECKING:
    from shared.cache import CompanyCache

AGENT = "agent:enrichment"
NEWS_LIMIT = 10


def enrich(settings: Settings, company_id: str, *, cache: CompanyCache | None = None) -> dict[str, Any]:
    conn = store.connect(settings.database_url)
    company = store.company_doc(conn, company_id)
    news = [
        dict(r)
        for r in conn.execute(
            "SELECT title, summary, partnership_angle, published_at::text AS published FROM news_insights "
            "WHERE company_ids @> ARRAY[%s]::uuid[] ORDER BY coalesce(published_at, created_at) DESC LIMIT %s",
            (company_id, NEWS_LIMIT),
        ).fetchall()
    ]
    conn.commit()
    if company is None:
        raise NotFound(f"no company {company_id}")
    result = tasks.enrich_company(settings, company, news)
    view = companies.record_enrichment(
        settings,
        company_id,
        summary=result.summary,
        tags=result.tags,
        sentiment=result.sentiment,
        ctx=Context(actor_label=AGENT, correlation_id=company_id),
        cache=cache,
    )
    return {
        "company_id": company_id,
        "version": view.version,
        "ai_tags": list(view.ai_tags),
        "news": len(news),
        "made_by": result.made_by.model_dump(),
    }
