"""The result of a pair analysis: four criteria and the overall score (what `analyze_pair` returns).

Apart from the scoring rules (compatibility.py) because readers of partnerships answer these models
without scoring anything, and the rules load the industry taxonomy at import.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CRITERION_TITLES = {
    "complementarity": "Дополняемость функционала",
    "audience": "Пересечение целевых аудиторий",
    "technology": "Технологическая совместимость",
    "no_competition": "Отсутствие прямой конкуренции",
}


class Criterion(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str = Field(description="complementarity | audience | technology | no_competition")
    title: str = ""
    score: float = Field(ge=0, le=1)
    weight: float
    reasons: list[str] = Field(default_factory=list)

    def model_post_init(self, _: Any) -> None:
        if not self.title:
            self.title = CRITERION_TITLES.get(self.name, self.name)


class PairAnalysis(BaseModel):
    """`score` 0..1 (two decimals, as `partnerships.compatibility_score`); `competitor` gates it.

    The service fills the pair's ids and the explanation; `analyze_pair` leaves them empty."""

    model_config = ConfigDict(defer_build=True)

    company_a_id: str | None = None
    company_b_id: str | None = None
    score: float = Field(ge=0, le=1)
    criteria: list[Criterion]
    match_reasons: list[str]
    synergy_areas: list[str]
    competitor: bool
    ai_explanation: str | None = None
    analysis_method: str | None = Field(default=None, description="ai | offline")
    analyzed_by_agent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The shape `shared.llm.tasks.explain_pair` takes (score, criteria, synergy_areas)."""
        return self.model_dump(mode="json")
