"""The AI tasks the agents run, one function each: the contract every caller codes against.

Each returns a pydantic model with the task's fields plus `made_by` (provider, model, prompt version,
offline). These first versions are offline-only (deterministic, from the companies' own data); the
provider chain replaces their internals without changing these signatures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from shared.settings import Settings


class MadeBy(BaseModel):
    provider: str  # "yandexgpt" | "gigachat" | "claude" | "offline"
    model: str
    prompt: str  # "<task>@v<N>"
    offline: bool


class Explanation(BaseModel):
    """Why two companies fit (or do not): the partnership's `ai_explanation`, in Russian."""

    text: str
    made_by: MadeBy


class OutreachDraft(BaseModel):
    """A first message from one company's BD manager to the other's, citing the synergy."""

    subject: str
    body: str
    made_by: MadeBy


class Enrichment(BaseModel):
    summary: str
    tags: list[str] = Field(default_factory=list)
    sentiment: float = Field(ge=-1, le=1)  # companies.ai_sentiment_score
    made_by: MadeBy


class Insight(BaseModel):
    """What a news item means for partnerships of the catalog companies it mentions."""

    company_ids: list[str]
    summary: str
    partnership_angle: str
    made_by: MadeBy


class Nudge(BaseModel):
    """A follow-up draft for a partnership that has not moved for a while."""

    subject: str
    body: str
    made_by: MadeBy


def _offline(task: str) -> MadeBy:
    return MadeBy(provider="offline", model="catalog-rules", prompt=f"{task}@v1", offline=True)


def explain_pair(
    settings: Settings, a: Mapping[str, Any], b: Mapping[str, Any], analysis: Mapping[str, Any]
) -> Explanation:
    """`a`, `b`: company documents (as `Company.model_dump(mode="json")`); `analysis`: the scored
    breakdown (`score`, `criteria` [{name, score, reasons}], `synergy_areas`)."""
    reasons = "; ".join(r for c in analysis.get("criteria", []) for r in c.get("reasons", [])[:1])
    text = f"«{a['name']}» и «{b['name']}»: совместимость {float(analysis.get('score', 0)):.2f}. {reasons}."
    return Explanation(text=text, made_by=_offline("compatibility_explanation"))


def write_outreach(
    settings: Settings, sender: Mapping[str, Any], recipient: Mapping[str, Any], analysis: Mapping[str, Any]
) -> OutreachDraft:
    areas = ", ".join(analysis.get("synergy_areas", [])) or "совместные клиенты"
    body = (
        f"Здравствуйте! Я представляю «{sender['name']}». Мы видим общую точку роста с «{recipient['name']}»: "
        f"{areas}. Предлагаю созвониться на 20 минут и обсудить пилот."
    )
    return OutreachDraft(
        subject=f"Партнёрство «{sender['name']}» × «{recipient['name']}»", body=body, made_by=_offline("outreach")
    )


def enrich_company(settings: Settings, company: Mapping[str, Any], news: Sequence[Mapping[str, Any]]) -> Enrichment:
    description = str(company.get("description") or company["name"])
    summary = description.split(". ", maxsplit=1)[0].rstrip(".") + "."
    tags = sorted({str(t) for t in [company.get("industry"), *company.get("sub_industries", [])] if t})
    return Enrichment(summary=summary, tags=tags, sentiment=0.0, made_by=_offline("enrichment"))


def news_insight(settings: Settings, item: Mapping[str, Any], companies: Sequence[Mapping[str, Any]]) -> Insight:
    """`item`: a feed entry (title, link, summary, published); `companies`: catalog companies it names."""
    names = ", ".join(f"«{c['name']}»" for c in companies)
    return Insight(
        company_ids=[str(c["id"]) for c in companies],
        summary=str(item["title"]),
        partnership_angle=f"Новость касается {names}: повод предложить интеграцию.",
        made_by=_offline("news_insight"),
    )


def follow_up_nudge(
    settings: Settings, partnership: Mapping[str, Any], a: Mapping[str, Any], b: Mapping[str, Any], days_stalled: int
) -> Nudge:
    return Nudge(
        subject=f"«{a['name']}» × «{b['name']}»: продолжим?",
        body=f"Здравствуйте! Прошло {days_stalled} дн. с нашего последнего шага. Готовы вернуться к обсуждению?",
        made_by=_offline("follow_up"),
    )
