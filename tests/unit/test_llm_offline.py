"""The offline provider: deterministic, valid, Russian, built from the companies' own data."""

from __future__ import annotations

from shared.llm import offline
from shared.llm.output import EnrichmentOut, ExplanationOut, InsightOut, NudgeOut, OutreachOut

A = {
    "id": "a",
    "name": "ПлатёжПро",
    "industry": "fintech",
    "sub_industries": ["payments", "Payments"],
    "description": "Приём онлайн-платежей для интернет-магазинов. Эквайринг и СБП.",
    "integrations": ["1c"],
}
B = {"id": "b", "name": "СкладМастер", "industry": "logistics"}
ANALYSIS = {
    "score": 0.81,
    "criteria": [
        {"name": "tech", "score": 0.9, "reasons": ["у обеих компаний открытые API"]},
        {"name": "audience", "score": 0.8, "reasons": ["общие клиенты — интернет-магазины"]},
        {"name": "competition", "score": 0.3, "reasons": ["частично пересекаются в аналитике"]},
    ],
    "synergy_areas": ["оплата заказов", "логистика"],
}


def test_the_explanation_names_the_pair_the_level_strengths_and_weakness() -> None:
    text = offline.explanation(A, B, ANALYSIS).text
    assert text.startswith("«ПлатёжПро» и «СкладМастер»: совместимость 0.81, высокая.")
    assert "у обеих компаний открытые API" in text and "Слабее всего competition (0.30): частично пересекаются" in text
    assert "Области синергии: оплата заказов, логистика." in text
    assert offline.explanation(A, B, ANALYSIS) == offline.explanation(A, B, ANALYSIS)
    low = offline.explanation(A, B, {"score": 0.2}).text
    assert "низкая" in low and "общие клиенты" in low
    ExplanationOut.model_validate({"text": low})


def test_outreach_and_nudge_are_polite_letters_with_a_next_step() -> None:
    draft = offline.outreach(A, B, ANALYSIS)
    assert draft.subject == "«ПлатёжПро» × «СкладМастер»: оплата заказов"
    assert draft.body.startswith("Здравствуйте!") and "созвониться" in draft.body and "«СкладМастер»" in draft.body
    assert "Приём онлайн-платежей для интернет-магазинов." in draft.body
    OutreachOut.model_validate(draft.model_dump())
    nudge = offline.nudge({"synergy_areas": ["оплата"]}, A, B, 21)
    assert "Прошло 21 день" in nudge.body and nudge.subject.endswith("вернёмся к обсуждению?")
    assert "Прошло 3 дня" in offline.nudge({}, A, B, 3).body and "Прошло 12 дней" in offline.nudge({}, A, B, 12).body
    NudgeOut.model_validate(nudge.model_dump())


def test_enrichment_and_insight_come_from_the_data() -> None:
    enriched = offline.enrichment(A, [{"title": "ПлатёжПро привлёк инвестиции", "summary": "рост выручки"}])
    assert enriched.summary == "Приём онлайн-платежей для интернет-магазинов."
    assert enriched.tags == ["fintech", "payments", "1c"] and enriched.sentiment == 1.0
    assert offline.enrichment(A, [{"title": "Штраф и сокращение штата"}]).sentiment == -1.0
    assert offline.enrichment(B, []).summary == "«СкладМастер» — компания из отрасли «logistics»."
    EnrichmentOut.model_validate(enriched.model_dump())
    insight = offline.insight({"title": "ПлатёжПро запустил СБП", "summary": "Новая функция. Подробности."}, [A, B])
    assert insight.summary == "ПлатёжПро запустил СБП. Новая функция."
    assert "«ПлатёжПро», «СкладМастер»" in insight.partnership_angle
    InsightOut.model_validate(insight.model_dump())


def test_missing_or_null_fields_still_give_valid_answers() -> None:
    bare = {"id": "c", "name": "Гамма", "industry": None, "sub_industries": None, "integrations": None}
    sparse = {"score": None, "criteria": None, "synergy_areas": None}
    ExplanationOut.model_validate(offline.explanation(bare, B, sparse).model_dump())
    OutreachOut.model_validate(offline.outreach(bare, B, sparse).model_dump())
    assert offline.enrichment(bare, []).tags == []
    NudgeOut.model_validate(offline.nudge({"synergy_areas": None}, bare, B, 1).model_dump())
    InsightOut.model_validate(offline.insight({"title": None}, []).model_dump())
