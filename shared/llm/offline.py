"""The offline provider: deterministic Russian answers built from the catalog's own data, no model asked.

Used when no provider key is configured (local development, tests) and, if the settings allow it, when
every provider failed. Its answers satisfy the same output schemas as the models' and are always labelled
(``made_by.offline = True``, provider ``offline``, model ``catalog-rules``), so nobody mistakes a rule for
a model's judgement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from shared.llm.output import EnrichmentOut, ExplanationOut, InsightOut, NudgeOut, OutreachOut

MODEL = "catalog-rules"

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_POSITIVE = ("рост", "вырос", "привлек", "инвест", "запуст", "партнёр", "партнер", "расшир", "рекорд", "награ", "лидер")
_NEGATIVE = ("сокращ", "убыт", "штраф", "банкрот", "утечк", "уход", "закры", "суд", "падени", "сбой", "увольн")


def _name(company: Mapping[str, Any]) -> str:
    return f"«{company.get('name') or 'компания'}»"


def _first_sentence(text: str, limit: int = 280) -> str:
    sentence = _SENTENCE.split(text.strip(), maxsplit=1)[0].strip()
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


def _days(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} день"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} дня"
    return f"{n} дней"


def _level(score: float) -> str:
    if score >= 0.75:
        return "высокая"
    if score >= 0.5:
        return "средняя"
    return "низкая"


def _criteria(analysis: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in analysis.get("criteria") or [] if isinstance(c, Mapping)]


def _areas(analysis: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in analysis.get("synergy_areas") or [] if a]


def explanation(a: Mapping[str, Any], b: Mapping[str, Any], analysis: Mapping[str, Any]) -> ExplanationOut:
    score = float(analysis.get("score", 0) or 0)
    parts = [f"{_name(a)} и {_name(b)}: совместимость {score:.2f}, {_level(score)}."]
    ranked = sorted(_criteria(analysis), key=lambda c: float(c.get("score", 0) or 0), reverse=True)
    strong = [str(c["reasons"][0]).rstrip(".") for c in ranked[:2] if c.get("reasons")]
    if strong:
        parts.append("Сильные стороны: " + "; ".join(strong) + ".")
    weak = ranked[-1] if len(ranked) > 2 and ranked[-1].get("reasons") else None
    if weak is not None and float(weak.get("score", 0) or 0) < 0.5:
        title = str(weak.get("title") or weak.get("name") or "критерий").lower()
        detail = str(weak["reasons"][0]).rstrip(".")
        parts.append(f"Слабее всего {title} ({float(weak.get('score', 0) or 0):.2f}): {detail}.")
    areas = _areas(analysis)
    if areas:
        parts.append("Области синергии: " + ", ".join(areas) + ".")
    if score >= 0.5:
        parts.append("С чего начать: короткий созвон и пилот с одной интеграцией для общих клиентов.")
    else:
        parts.append("Партнёрство возможно, но сначала стоит проверить, есть ли у компаний общие клиенты.")
    return ExplanationOut(text=" ".join(parts))


def outreach(sender: Mapping[str, Any], recipient: Mapping[str, Any], analysis: Mapping[str, Any]) -> OutreachOut:
    areas = _areas(analysis)
    focus = ", ".join(areas) if areas else "совместные клиенты"
    about = _first_sentence(str(sender["description"])) if sender.get("description") else ""
    body = [
        "Здравствуйте!",
        "",
        f"Я отвечаю за партнёрства в {_name(sender)}." + (f" {about}" if about else ""),
        f"Мы изучили {_name(recipient)} и видим общую точку роста: {focus}.",
    ]
    reasons = [str(c["reasons"][0]).rstrip(".") for c in _criteria(analysis) if c.get("reasons")][:1]
    if reasons:
        body.append(f"Что нас объединяет: {reasons[0]}.")
    body += [
        "Предлагаю созвониться на 20–30 минут и обсудить пилот: каким клиентам поможет связка наших продуктов "
        "и что нужно для интеграции.",
        "",
        "С уважением,",
        f"команда партнёрств {_name(sender)}",
    ]
    subject = f"{_name(sender)} × {_name(recipient)}: " + (areas[0] if areas else "партнёрство")
    return OutreachOut(subject=subject[:150], body="\n".join(body))


def enrichment(company: Mapping[str, Any], news: Sequence[Mapping[str, Any]]) -> EnrichmentOut:
    description = str(company.get("description") or "").strip()
    if description:
        summary = _first_sentence(description)
    else:
        summary = f"{_name(company)} — компания из отрасли «{company.get('industry') or 'не указана'}»."
    raw = [company.get("industry"), *(company.get("sub_industries") or []), *(company.get("integrations") or [])[:3]]
    tags = list(dict.fromkeys(str(t).strip().lower() for t in raw if t and len(str(t).strip()) <= 40))[:8]
    text = " ".join(f"{n.get('title', '')} {n.get('summary', '')}" for n in news).lower()
    positive = sum(text.count(w) for w in _POSITIVE)
    negative = sum(text.count(w) for w in _NEGATIVE)
    sentiment = round((positive - negative) / (positive + negative), 2) if positive + negative else 0.0
    if len(summary) < 10:
        summary = f"{_name(company)}: {summary}"
    return EnrichmentOut(summary=summary[:600], tags=tags, sentiment=sentiment)


def insight(item: Mapping[str, Any], companies: Sequence[Mapping[str, Any]]) -> InsightOut:
    title = str(item.get("title") or "Новость без заголовка").strip()
    summary = title if title.endswith((".", "!", "?")) else title + "."
    if item.get("summary"):
        summary += " " + _first_sentence(str(item["summary"]), 300)
    names = ", ".join(_name(c) for c in companies) or "компаний из каталога"
    angle = (
        f"Новость касается {names}. Это повод связаться с их командой партнёрств, пока тема свежая: "
        "предложить интеграцию или совместное предложение общим клиентам."
    )
    if len(summary) < 10:
        summary = f"Новость: {summary}"
    return InsightOut(summary=summary[:600], partnership_angle=angle[:1000])


def nudge(partnership: Mapping[str, Any], a: Mapping[str, Any], b: Mapping[str, Any], days_stalled: int) -> NudgeOut:
    areas = [str(x) for x in (partnership.get("synergy_areas") or []) if x][:2]
    topic = f" ({', '.join(areas)})" if areas else ""
    body = "\n".join(
        [
            "Здравствуйте!",
            "",
            f"Прошло {_days(days_stalled)} с нашего последнего шага по партнёрству {_name(a)} и {_name(b)}{topic}.",
            "Хотим вернуться к обсуждению: идея по-прежнему кажется нам полезной для общих клиентов.",
            "Удобно ли вам созвониться на 20 минут на этой неделе, например в четверг?",
            "",
            "С уважением,",
            f"команда партнёрств {_name(a)}",
        ]
    )
    return NudgeOut(subject=f"{_name(a)} × {_name(b)}: вернёмся к обсуждению?"[:150], body=body)
