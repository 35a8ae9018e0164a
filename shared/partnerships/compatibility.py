"""How well two companies fit as partners: the seed's four criteria, each 0..1 with Russian reasons.

Pure domain (no I/O). Companies are documents (`Company.model_dump(mode="json")` or a catalog row):
`industry`, `sub_industries`, `business_model`, `headquarters_country/city`, `employees_count`,
`integrations`, `api_available`, `tech_stack`, `description`, `ai_tags`.

Criteria (seed "compatibility_agent": технологическая совместимость, пересечение аудиторий,
дополняемость функционала, отсутствие прямой конкуренции) and their weights:

    complementarity 0.40  what the products do: COMPLEMENTS (the taxonomy's sub-industry pairs) 0.7, plus
                          0.15 for each side whose integrations or description name the other's kind of
                          product (shared.partnerships.mentions); a kind named without a map pair 0.55 (one
                          side) or 0.75 (both); else the industry pairs the map implies (0.5), else 0
    audience        0.25  business model/segment 0.35, shared customer tags 0.25, geography 0.25,
                          company size 0.15
    technology      0.20  shared integrations 0.5, API of either side 0.3, stack overlap 0.2
    no_competition  0.15  1 unless the two sell the same thing

Complementarity weighs most because it is what makes a partnership (an integration, a bundle, a
referral) rather than a rivalry; audience comes next (a partner is worth only as much as the
customers it shares). A direct competitor (same industry, a shared sub-industry or near-identical
descriptions) is a gate, not just a low criterion: its score is capped at COMPETITOR_CAP, so no
amount of shared integrations or geography lifts a rival into the suggestions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from shared.partnerships.analysis import Criterion, PairAnalysis
from shared.partnerships.mentions import Mention, audiences, mentions
from shared.taxonomy import taxonomy

WEIGHTS: dict[str, float] = {"complementarity": 0.40, "audience": 0.25, "technology": 0.20, "no_competition": 0.15}
COMPETITOR_CAP = 0.15

# The taxonomy (shared/taxonomy/taxonomy.json, which the catalog generator reads too): what each sub-industry
# plugs into, with the joint offering the pair could sell (a synergy area, in Russian). Symmetric: a pair is
# listed once. A pair in one industry (e.g. recruiting ↔ onboarding) serves one customer at two steps of one
# job; a pair across industries (CRM ↔ telephony) is an integration.
_TAXONOMY = taxonomy()
_PAIRS: tuple[tuple[str, str, str], ...] = tuple((c.a, c.b, c.synergy.ru) for c in _TAXONOMY.complements)

COMPLEMENTS: dict[frozenset[str], str] = {frozenset((a, b)): area for a, b, area in _PAIRS}

# The industry pairs that complement each other are those with at least one complementary sub-industry pair
# (the taxonomy checks that every pair names known sub-industries).
INDUSTRY_OF_SUB: dict[str, str] = _TAXONOMY.industry_of_sub()
INDUSTRY_COMPLEMENTS: frozenset[frozenset[str]] = frozenset(
    frozenset((INDUSTRY_OF_SUB[a], INDUSTRY_OF_SUB[b]))
    for a, b, _ in _PAIRS
    if INDUSTRY_OF_SUB[a] != INDUSTRY_OF_SUB[b]
)


def complementary_subs(subs: Iterable[str]) -> dict[str, str]:
    """Sub-industries that complement any of `subs` → the synergy area (for candidate generation)."""
    own = set(subs)
    found: dict[str, str] = {}
    for a, b, area in _PAIRS:
        if a in own and b not in own:
            found.setdefault(b, area)
        if b in own and a not in own:
            found.setdefault(a, area)
    return found


def complementary_industries(industry: str) -> set[str]:
    return {i for pair in INDUSTRY_COMPLEMENTS if industry in pair for i in pair if i != industry}


# --- scoring -------------------------------------------------------------------------------------------


def analyze_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> PairAnalysis:
    """Score how well `a` and `b` would partner; symmetric in its score."""
    competition = _competition(a, b)
    criteria = [_complementarity(a, b), _audience(a, b), _technology(a, b), competition]
    raw = sum(c.score * c.weight for c in criteria)
    is_competitor = competition.score == 0.0
    score = round(min(raw, COMPETITOR_CAP) if is_competitor else raw, 2)
    synergy = _synergy_areas(a, b)
    reasons = [r for c in sorted(criteria, key=lambda c: -c.score * c.weight) for r in c.reasons[:2]]
    return PairAnalysis(
        score=max(0.0, min(1.0, score)),
        criteria=criteria,
        match_reasons=reasons,
        synergy_areas=synergy if not is_competitor else [],
        competitor=is_competitor,
    )


def _c(name: str, score: float, reasons: list[str]) -> Criterion:
    return Criterion(name=name, score=score, weight=WEIGHTS[name], reasons=reasons)


def kinds(c: Mapping[str, Any]) -> set[str]:
    """The kinds of product matching reads: `matching_sub_industries` (the user's codes, else the confident
    proposals of the classifier, migration 0011) when the document has it, else `sub_industries`."""
    subs = c.get("matching_sub_industries")
    return {str(s) for s in (subs if subs is not None else c.get("sub_industries")) or []}


SUB_LABELS: dict[str, str] = {s.key: s.label.ru for i in _TAXONOMY.industries for s in i.sub_industries}
PAIR, NAMED_BY_ONE, NAMED_BY_BOTH, NAMED_BONUS = 0.7, 0.55, 0.75, 0.15


def _named(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Mention]:
    """What `a` says it plugs into that `b` is."""
    subs_b = kinds(b)
    return [m for kind, m in mentions(a, kinds(a)).items() if kind in subs_b]


def _named_reason(who: Mapping[str, Any], m: Mention) -> str:
    kind = SUB_LABELS.get(m.kind, m.kind)
    if m.via == "integration":
        return f"«{who.get('name')}» интегрируется с продуктами вида «{kind}» ({m.evidence})"
    return f"«{who.get('name')}» в описании называет продукты вида «{kind}»: {m.evidence}"


def _complementarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    pairs = [
        (x, y, COMPLEMENTS[frozenset((x, y))]) for x in kinds(a) for y in kinds(b) if frozenset((x, y)) in COMPLEMENTS
    ]
    a_names_b, b_names_a = _named(a, b), _named(b, a)
    named = [_named_reason(a, m) for m in a_names_b[:1]] + [_named_reason(b, m) for m in b_names_a[:1]]
    sides = bool(a_names_b) + bool(b_names_a)
    if pairs:
        reasons = [f"Продукты дополняют друг друга: {area}" for _, _, area in pairs[:2]] + named
        return _c("complementarity", round(min(1.0, PAIR + NAMED_BONUS * sides), 3), reasons)
    if sides:
        return _c("complementarity", NAMED_BY_BOTH if sides == 2 else NAMED_BY_ONE, named)
    ia, ib = str(a.get("industry") or ""), str(b.get("industry") or "")
    if ia != ib and frozenset((ia, ib)) in INDUSTRY_COMPLEMENTS:
        return _c(
            "complementarity",
            0.5,
            [f"Смежные отрасли ({ia} и {ib}): возможна интеграция продуктов"],
        )
    if ia == ib and not (kinds(a) & kinds(b)):
        return _c("complementarity", 0.3, [f"Одна отрасль ({ia}), разные задачи клиента"])
    return _c("complementarity", 0.0, ["Продукты не дополняют друг друга"])


_MODEL_FIT = {
    frozenset({"B2B"}): 1.0,
    frozenset({"B2C"}): 1.0,
    frozenset({"B2B2C"}): 1.0,
    frozenset({"B2B", "B2B2C"}): 0.7,
    frozenset({"B2C", "B2B2C"}): 0.7,
    frozenset({"B2B", "B2C"}): 0.2,
}
# ai_tags that name a product, not a customer: shared ones mean the same product, not the same client.
_GENERIC_TAGS = {"b2b", "b2c", "saas", "api"}


def _audience(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    reasons: list[str] = []
    ma, mb = a.get("business_model"), b.get("business_model")
    model = _MODEL_FIT.get(frozenset({ma, mb}), 0.5) if ma and mb else 0.5
    if ma and mb and model >= 0.7:
        reasons.append(f"Общий сегмент клиентов: {ma}" + (f" и {mb}" if ma != mb else ""))
    shared_tags = sorted(_tags(a) & _tags(b) - _GENERIC_TAGS)
    segments_a, segments_b = audiences(a), audiences(b)
    segments = [segments_a[k] for k in sorted(segments_a.keys() & segments_b.keys())]
    weight = len(shared_tags) + sum(0.5 if s.broad else 1.0 for s in segments)
    tags = min(1.0, weight / 2)
    if segments:
        reasons.append("Общие клиенты: " + ", ".join(s.label for s in sorted(segments, key=lambda s: s.broad)[:3]))
    if shared_tags:
        reasons.append("Общие задачи клиентов: " + ", ".join(shared_tags[:3]))
    ca, cb = a.get("headquarters_country"), b.get("headquarters_country")
    city_a, city_b = str(a.get("headquarters_city") or "").lower(), str(b.get("headquarters_city") or "").lower()
    if city_a and city_a == city_b:
        geo = 1.0
        reasons.append(f"Один город: {a.get('headquarters_city')}")
    elif ca and ca == cb:
        geo = 0.7
        reasons.append(f"Один рынок: {ca}")
    else:
        geo = 0.2 if ca and cb else 0.5
    size = _size_fit(a.get("employees_count"), b.get("employees_count"))
    if size >= 0.8:
        reasons.append("Компании сопоставимого размера")
    score = 0.35 * model + 0.25 * tags + 0.25 * geo + 0.15 * size
    return _c("audience", round(score, 3), reasons or ["Разные целевые аудитории"])


def _size_fit(x: Any, y: Any) -> float:
    """1 within 3x of each other, falling to 0.2 at 1000x: a startup and a giant rarely co-sell."""
    if not x or not y:
        return 0.5
    ratio = abs(math.log10(max(int(x), 1)) - math.log10(max(int(y), 1)))
    return max(0.2, min(1.0, 1.0 - (ratio - 0.5) * 0.32))


def _tags(c: Mapping[str, Any]) -> set[str]:
    return {str(t).lower() for t in c.get("ai_tags") or []}


def _technology(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    reasons: list[str] = []
    shared = sorted(set(a.get("integrations") or []) & set(b.get("integrations") or []))
    integ = min(1.0, len(shared) / 3)
    if shared:
        reasons.append("Общие интеграции: " + ", ".join(shared[:5]))
    api_a, api_b = bool(a.get("api_available")), bool(b.get("api_available"))
    api = 1.0 if api_a and api_b else 0.6 if api_a or api_b else 0.0
    if api_a and api_b:
        reasons.append("Открытый API у обеих компаний")
    elif api_a or api_b:
        reasons.append(f"Открытый API у «{(a if api_a else b).get('name')}»")
    stack_a, stack_b = _stack(a), _stack(b)
    common = stack_a & stack_b
    stack = len(common) / len(stack_a | stack_b) if stack_a | stack_b else 0.0
    if common:
        reasons.append("Общий стек: " + ", ".join(sorted(common)[:4]))
    score = 0.5 * integ + 0.3 * api + 0.2 * min(1.0, stack * 2)
    return _c("technology", round(score, 3), reasons or ["Нет общих интеграций и API"])


def _stack(c: Mapping[str, Any]) -> set[str]:
    stack = c.get("tech_stack") or {}
    return {str(v) for values in stack.values() for v in values or []} if isinstance(stack, Mapping) else set()


_WORD = re.compile(r"[a-zа-яё0-9]+")


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """Word stems (first 5 letters) of the words longer than 3: enough to match Russian word forms.

    Cached: ranking a pool compares the same company's text with each candidate's."""
    return frozenset(w[:5] for w in _WORD.findall(text.lower()) if len(w) > 3)


def description_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    sa = _stems(f"{a.get('description') or ''} {' '.join(sorted(_tags(a)))}")
    sb = _stems(f"{b.get('description') or ''} {' '.join(sorted(_tags(b)))}")
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


SIMILAR_DESCRIPTIONS = 0.45


def _competition(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    """0 for a direct competitor: the same industry and a shared sub-industry, or the same industry and
    near-identical descriptions; 0.5 when other industries' descriptions read alike; else 1."""
    same_industry = a.get("industry") == b.get("industry")
    overlap = sorted(kinds(a) & kinds(b))
    similarity = description_similarity(a, b)
    if same_industry and overlap:
        return _c("no_competition", 0.0, [f"Прямые конкуренты: оба продукта — {', '.join(overlap)}"])
    if same_industry and similarity >= SIMILAR_DESCRIPTIONS:
        return _c("no_competition", 0.0, ["Прямые конкуренты: очень похожие продукты"])
    if similarity >= SIMILAR_DESCRIPTIONS:
        return _c("no_competition", 0.5, ["Продукты частично пересекаются по функциям"])
    return _c("no_competition", 1.0, ["Не конкурируют за одни и те же задачи клиента"])


def _synergy_areas(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    areas = [
        COMPLEMENTS[frozenset((x, y))]
        for x in sorted(kinds(a))
        for y in sorted(kinds(b))
        if frozenset((x, y)) in COMPLEMENTS
    ]
    for m in _named(a, b) + _named(b, a):
        areas.append(f"интеграция с продуктами вида «{SUB_LABELS.get(m.kind, m.kind)}»")
    shared = sorted(set(a.get("integrations") or []) & set(b.get("integrations") or []))
    if shared:
        areas.append("совместная интеграция с " + ", ".join(shared[:3]))
    if a.get("api_available") and b.get("api_available"):
        areas.append("интеграция по API")
    return [s[:100] for s in dict.fromkeys(areas)]


def is_direct_competitor(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return _competition(a, b).score == 0.0
