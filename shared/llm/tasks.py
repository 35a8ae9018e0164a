"""The AI tasks the agents run, one function each: the contract every caller codes against.

Each returns a pydantic model with the task's fields plus `made_by` (provider, model, prompt version,
offline). A task renders its versioned Russian prompt (``shared/llm/prompts/<task>/v1.md``, company text
fenced as data), asks the provider chain (`shared.llm.chain`) for JSON matching the task's output schema,
and validates it. With no provider configured the offline provider (`shared.llm.offline`) answers from the
companies' own data and says so (``made_by.offline``). ``runtime`` (optional) replaces the one built from
the settings at cold start: tests pass their own.

When every configured provider failed, the offline provider answers (labelled) by default
(``llm_offline_fallback``); a caller that would rather retry later passes ``offline_fallback=False`` and gets
`shared.llm.core.LLMUnavailable` (or `InvalidModelOutput` when each provider answered, but never validly).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, Field

from shared.llm import offline
from shared.llm.core import InvalidModelOutput, LLMUnavailable
from shared.llm.output import (
    ClassificationOut,
    EnrichmentOut,
    ExplanationOut,
    InsightOut,
    NudgeOut,
    OutreachOut,
    output_schema,
)
from shared.llm.prompting import build_request, company_view
from shared.llm.records import CallRecord
from shared.llm.runtime import LLMRuntime
from shared.llm.runtime import runtime as runtime_for
from shared.settings import Settings

PROMPT_VERSION = 1


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


class KindsGuess(BaseModel):
    """The kinds of product (taxonomy sub-industry codes) a model read the company as, best first."""

    kinds: list[tuple[str, float]]  # (code, confidence)
    made_by: MadeBy


def _answer[T: BaseModel](
    settings: Settings,
    runtime: LLMRuntime | None,
    task: str,
    output: type[T],
    offline_answer: Callable[[], T],
    *,
    complex_task: bool = False,
    offline_fallback: bool | None = None,
    **context: Any,
) -> tuple[T, MadeBy]:
    """The chain's validated answer, or the offline one when no provider is configured (or all failed and
    the settings allow falling back)."""
    rt = runtime if runtime is not None else runtime_for(settings)
    prompt = f"{task}@v{PROMPT_VERSION}"
    call_id = uuid.uuid4().hex  # the records of this call share it, the offline fallback's too
    if rt.chain is not None:
        request = build_request(task, output_schema(output), version=PROMPT_VERSION, **context)
        request = replace(request, call_id=call_id)
        try:
            answer = rt.chain.run(request, output, complex_task=complex_task)
        except (LLMUnavailable, InvalidModelOutput):
            if not (rt.offline_fallback if offline_fallback is None else offline_fallback):
                raise
        else:
            return answer.output, MadeBy(provider=answer.provider, model=answer.model, prompt=prompt, offline=False)
    started = time.monotonic()
    result = offline_answer()
    latency = round((time.monotonic() - started) * 1000)
    with contextlib.suppress(Exception):  # recording must never break the task
        call = CallRecord(
            provider="offline",
            model=offline.MODEL,
            task=task,
            prompt_version=prompt,
            outcome="ok",
            latency_ms=latency,
            call_id=call_id,
        )
        rt.recorder.record(call)
    return result, MadeBy(provider="offline", model=offline.MODEL, prompt=prompt, offline=True)


def _analysis_view(analysis: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "score": analysis.get("score"),
        "criteria": [
            {"name": c.get("name"), "score": c.get("score"), "reasons": list(c.get("reasons") or [])[:3]}
            for c in analysis.get("criteria") or []
            if isinstance(c, Mapping)
        ],
        "synergy_areas": list(analysis.get("synergy_areas") or []),
    }


def explain_pair(
    settings: Settings,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    analysis: Mapping[str, Any],
    *,
    runtime: LLMRuntime | None = None,
    offline_fallback: bool | None = None,
) -> Explanation:
    """`a`, `b`: company documents (as `Company.model_dump(mode="json")`); `analysis`: the scored
    breakdown (`score`, `criteria` [{name, score, reasons}], `synergy_areas`). A complex task: Claude first."""
    out, made_by = _answer(
        settings,
        runtime,
        "compatibility_explanation",
        ExplanationOut,
        lambda: offline.explanation(a, b, analysis),
        offline_fallback=offline_fallback,
        complex_task=True,
        a=company_view(a),
        b=company_view(b),
        score=float(analysis.get("score", 0) or 0),
        analysis=_analysis_view(analysis),
    )
    return Explanation(text=out.text, made_by=made_by)


def write_outreach(
    settings: Settings,
    sender: Mapping[str, Any],
    recipient: Mapping[str, Any],
    analysis: Mapping[str, Any],
    *,
    runtime: LLMRuntime | None = None,
    offline_fallback: bool | None = None,
) -> OutreachDraft:
    out, made_by = _answer(
        settings,
        runtime,
        "outreach",
        OutreachOut,
        lambda: offline.outreach(sender, recipient, analysis),
        offline_fallback=offline_fallback,
        sender=company_view(sender),
        recipient=company_view(recipient),
        analysis=_analysis_view(analysis),
    )
    return OutreachDraft(subject=out.subject, body=out.body, made_by=made_by)


def enrich_company(
    settings: Settings,
    company: Mapping[str, Any],
    news: Sequence[Mapping[str, Any]],
    *,
    runtime: LLMRuntime | None = None,
    offline_fallback: bool | None = None,
) -> Enrichment:
    items = [{k: n[k] for k in ("title", "summary", "published", "link") if n.get(k)} for n in list(news)[:10]]
    out, made_by = _answer(
        settings,
        runtime,
        "enrichment",
        EnrichmentOut,
        lambda: offline.enrichment(company, news),
        offline_fallback=offline_fallback,
        company=company_view(company),
        news=items,
    )
    return Enrichment(summary=out.summary, tags=out.tags, sentiment=out.sentiment, made_by=made_by)


def news_insight(
    settings: Settings,
    item: Mapping[str, Any],
    companies: Sequence[Mapping[str, Any]],
    *,
    runtime: LLMRuntime | None = None,
    offline_fallback: bool | None = None,
) -> Insight:
    """`item`: a feed entry (title, link, summary, published); `companies`: catalog companies it names."""
    out, made_by = _answer(
        settings,
        runtime,
        "news_insight",
        InsightOut,
        lambda: offline.insight(item, companies),
        offline_fallback=offline_fallback,
        item={k: item[k] for k in ("title", "summary", "published", "link") if item.get(k)},
        companies=[company_view(c) for c in companies],
    )
    return Insight(
        company_ids=[str(c["id"]) for c in companies],
        summary=out.summary,
        partnership_angle=out.partnership_angle,
        made_by=made_by,
    )


def follow_up_nudge(
    settings: Settings,
    partnership: Mapping[str, Any],
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    days_stalled: int,
    *,
    runtime: LLMRuntime | None = None,
    offline_fallback: bool | None = None,
) -> Nudge:
    view = {
        k: partnership[k]
        for k in ("status", "compatibility_score", "synergy_areas", "ai_explanation", "updated_at")
        if partnership.get(k) not in (None, "", [])
    }
    out, made_by = _answer(
        settings,
        runtime,
        "follow_up",
        NudgeOut,
        lambda: offline.nudge(partnership, a, b, days_stalled),
        offline_fallback=offline_fallback,
        partnership=view,
        a=company_view(a),
        b=company_view(b),
        days_stalled=days_stalled,
    )
    return Nudge(subject=out.subject, body=out.body, made_by=made_by)


def classify_kinds(
    settings: Settings, company: Mapping[str, Any], *, runtime: LLMRuntime | None = None
) -> KindsGuess | None:
    """The kinds of product a language model reads the company as, from its name, description, industry and
    integrations and the taxonomy's list; None when no provider is configured: the offline rules would only
    repeat the nearest-neighbour proposals (shared.companies.classification), so they never stand in for a
    model here. Raises LLMUnavailable / InvalidModelOutput when every configured provider failed."""
    rt = runtime if runtime is not None else runtime_for(settings)
    if rt.chain is None:
        return None
    from shared.taxonomy import taxonomy

    industries = [
        {"label": i.label.ru, "kinds": [{"code": k.key, "label": k.label.ru} for k in i.sub_industries]}
        for i in taxonomy().industries
    ]
    view = {k: v for k, v in company_view(company).items() if k not in ("id", "sub_industries")}
    out, made_by = _answer(
        settings,
        rt,
        "classification",
        ClassificationOut,
        lambda: ClassificationOut(kinds=[]),  # not reached: no chain means no call (above), and no fallback
        offline_fallback=False,
        company=view,
        industries=industries,
    )
    return KindsGuess(kinds=[(k.code, k.confidence) for k in out.kinds], made_by=made_by)
