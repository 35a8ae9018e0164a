"""Classification of user-entered companies without I/O: `propose` (nearest labelled companies, sharpened, other
industries' codes at a discount, the self-described kinds added) and `confident` (what matching may read); and
matching reading `matching_sub_industries` (the user's codes, else the confident proposals) of companies that
chose no codes: a complement pair naming each other's kinds fits best, a direct competitor stays capped."""

from __future__ import annotations

from typing import Any

import pytest
from unit.test_partnerships_domain import company

from shared.companies.classification import (
    CONFIDENT,
    OTHER_INDUSTRY,
    PROPOSALS,
    SELF_WEIGHT,
    Proposal,
    confident,
    merge,
    propose,
)
from shared.partnerships.compatibility import (
    COMPETITOR_CAP,
    COMPLEMENTS,
    NAMED_BONUS,
    NAMED_BY_BOTH,
    NAMED_BY_ONE,
    PAIR,
    analyze_pair,
)
from shared.partnerships.mentions import described_as


def _scores(proposals: list[Proposal]) -> dict[str, float]:
    return {p.code: p.confidence for p in proposals}


# --- propose -------------------------------------------------------------------------------------------


def test_one_very_near_neighbour_outweighs_several_far_ones() -> None:
    neighbours: list[tuple[list[str], float]] = [(["payments"], 0.95)] + [(["lending"], 0.6)] * 4
    proposals = propose("fintech", neighbours)
    scores = _scores(proposals)
    # Summed plainly, 4 x 0.6 would beat 0.95; sharpened, the near one takes most of the kNN weight (0.7)
    # and the far ones fall below what is worth showing.
    assert [p.code for p in proposals] == ["payments"] and scores["payments"] > 0.5
    assert confident(proposals) == ["payments"]


def test_the_nearest_neighbours_decide_against_many_distant_ones() -> None:
    near = [(["recruiting"], 0.9)] * 3
    far = [(["payroll"], 0.5)] * 9
    proposals = propose("hrtech", near + far)
    assert proposals[0].code == "recruiting" and proposals[0].confidence > 0.6
    assert _scores(proposals).get("payroll", 0.0) < 0.06
    assert confident(proposals) == ["recruiting"]


def test_codes_of_another_industry_count_at_a_discount() -> None:
    neighbours = [(["payments"], 0.9), (["payroll"], 0.9)]  # fintech and hrtech, equally near
    as_fintech = _scores(propose("fintech", neighbours))
    assert as_fintech["payroll"] == pytest.approx(as_fintech["payments"] * OTHER_INDUSTRY, abs=0.002)
    as_hr = _scores(propose("hrtech", neighbours))
    assert as_hr["payments"] == pytest.approx(as_hr["payroll"] * OTHER_INDUSTRY, abs=0.002)
    assert as_hr["payroll"] > as_hr["payments"]


def test_a_neighbours_codes_share_its_vote_its_primary_kind_most() -> None:
    scores = _scores(propose("fintech", [(["payments", "lending"], 0.9)]))
    assert scores == {"payments": pytest.approx(0.49, abs=0.001), "lending": pytest.approx(0.21, abs=0.001)}
    alone = _scores(propose("fintech", [(["payments"], 0.9)]))
    assert alone == {"payments": pytest.approx(0.7, abs=0.001)}  # the kNN signal's whole weight


def test_the_self_described_kind_adds_to_the_neighbours_votes() -> None:
    neighbours = [(["payments"], 0.9), (["lending"], 0.9)]
    plain = _scores(propose("fintech", neighbours))
    assert plain["payments"] == plain["lending"]
    described = propose("fintech", neighbours, ["lending"])
    assert described[0].code == "lending"
    assert _scores(described)["lending"] == pytest.approx(plain["lending"] + SELF_WEIGHT, abs=0.002)
    assert _scores(described)["payments"] == plain["payments"]
    # A kind only the company's own words name is proposed too.
    assert _scores(propose("fintech", [(["payments"], 0.9)], ["accounting"]))["accounting"] == SELF_WEIGHT


def test_unknown_codes_are_ignored() -> None:
    proposals = propose("fintech", [(["payments", "no_such_kind"], 0.9), (["made_up"], 0.8)])
    assert [p.code for p in proposals] == ["payments"]
    # The unknown code takes no share of its neighbour's vote.
    assert _scores(proposals)["payments"] > _scores(propose("fintech", [(["payments", "lending"], 0.9)]))["payments"]


def test_without_neighbours_only_the_self_described_kinds_are_proposed() -> None:
    assert propose("fintech", [], ["payments"]) == [Proposal("payments", SELF_WEIGHT, "model")]
    assert propose("fintech", [], []) == []
    assert propose("fintech", [(["payments"], -0.2)], ["lending"]) == [Proposal("lending", SELF_WEIGHT)]  # anti-similar


def test_proposals_are_bounded_best_first_and_from_the_model() -> None:
    kinds = ["payments", "lending", "accounting", "banking_api", "personal_finance", "payroll", "recruiting"]
    neighbours = [([k], 0.9 - 0.005 * i) for i, k in enumerate(kinds)]
    proposals = propose("fintech", neighbours, ["payments"])
    assert len(proposals) == PROPOSALS
    assert [p.confidence for p in proposals] == sorted((p.confidence for p in proposals), reverse=True)
    assert all(0 < p.confidence <= 1 and p.source == "model" for p in proposals)
    assert all(round(p.confidence, 3) == p.confidence for p in proposals)
    assert propose("fintech", [(["payments"], 1.0)], ["payments"])[0].confidence == 1.0


# --- confident -----------------------------------------------------------------------------------------


def test_nothing_below_the_threshold_is_confident() -> None:
    assert confident([]) == []
    assert confident([Proposal("payments", CONFIDENT - 0.01), Proposal("lending", 0.1)]) == []
    assert confident([Proposal("payments", CONFIDENT)]) == ["payments"]


def test_a_second_code_only_when_close_to_the_first() -> None:
    assert confident([Proposal("payments", 0.7), Proposal("lending", 0.5)]) == ["payments", "lending"]
    assert confident([Proposal("payments", 0.7), Proposal("lending", 0.35)]) == ["payments"]  # under 0.6 x 0.7
    # Close to a weak first, but itself under the threshold.
    assert confident([Proposal("payments", 0.35), Proposal("lending", CONFIDENT - 0.01)]) == ["payments"]


def test_at_most_two_codes_are_confident() -> None:
    tied = [Proposal(code, 0.5) for code in ("accounting", "lending", "payments", "banking_api")]
    assert confident(tied) == ["accounting", "lending"]


def test_a_neighbour_of_two_kinds_makes_its_primary_confident() -> None:
    assert confident(propose("fintech", [(["payments", "lending"], 0.9)])) == ["payments"]
    assert confident(propose("fintech", [(["payments", "lending"], 0.9), (["lending", "payments"], 0.9)])) == [
        "lending",
        "payments",
    ]


# --- matching on the kinds a classifier proposed ------------------------------------------------------------


def unlabelled(name: str, industry: str, kinds: list[str], **kw: Any) -> dict[str, Any]:
    """A company the user gave no codes, as matching reads it: its confident proposals in matching_sub_industries."""
    return company(name, industry, [], matching_sub_industries=kinds, **kw)


SHOP = unlabelled(
    "ВитринаСами",
    "ecommerce",
    ["store_builder"],
    description="Сайт магазина за один вечер: шаблоны, корзина и личный кабинет покупателя.",
    integrations=["yookassa", "cdek"],
)
PAY = unlabelled(
    "ДеньгиСами",
    "fintech",
    ["payments"],
    description="Сервис для продавцов: деньги покупателей на расчётный счёт за один день.",
    integrations=["tilda", "sbp"],  # sbp is a payment product itself: its own kind, no mention
)


def _criterion(a: dict[str, Any], b: dict[str, Any], name: str) -> Any:
    return next(c for c in analyze_pair(a, b).criteria if c.name == name)


def test_the_matching_kinds_name_each_other_and_fit_best() -> None:
    assert described_as(SHOP["name"], SHOP["description"]) == ()  # no kind from their own words
    assert described_as(PAY["name"], PAY["description"]) == ()
    assert frozenset(("store_builder", "payments")) in COMPLEMENTS
    named = _criterion(SHOP, PAY, "complementarity")
    assert named.score == min(1.0, PAIR + 2 * NAMED_BONUS)
    quiet_shop = {**SHOP, "integrations": ["1c"]}
    quiet_pay = {**PAY, "integrations": ["1c"]}
    assert _criterion(quiet_shop, quiet_pay, "complementarity").score == PAIR  # a pair, nothing named
    assert _criterion(SHOP, quiet_pay, "complementarity").score == PAIR + NAMED_BONUS  # one side names
    lender = unlabelled("РассрочкаСами", "fintech", ["lending"], description="Сервис для продавцов.", integrations=[])
    adjacent = _criterion(SHOP, lender, "complementarity")
    assert adjacent.score == 0.5 and "Смежные отрасли" in adjacent.reasons[0]
    assert named.score > PAIR > adjacent.score
    assert analyze_pair(SHOP, PAY).score > analyze_pair(quiet_shop, quiet_pay).score > analyze_pair(SHOP, lender).score
    # Without the matching kinds the same two read only as adjacent industries.
    bare = [{**c, "matching_sub_industries": []} for c in (SHOP, PAY)]
    assert _criterion(bare[0], bare[1], "complementarity").score == 0.5


def test_the_reasons_name_the_fit_and_what_each_side_plugs_into() -> None:
    result = analyze_pair(SHOP, PAY)
    area = COMPLEMENTS[frozenset(("store_builder", "payments"))]
    reasons = _criterion(SHOP, PAY, "complementarity").reasons
    assert reasons == [
        f"Продукты дополняют друг друга: {area}",
        "«ВитринаСами» интегрируется с продуктами вида «Платежи и эквайринг» (yookassa)",
        "«ДеньгиСами» интегрируется с продуктами вида «Конструкторы интернет-магазинов» (tilda)",
    ]
    assert result.match_reasons[:2] == reasons[:2]  # the strongest criterion's reasons come first
    assert area in result.synergy_areas
    assert "интеграция с продуктами вида «Платежи и эквайринг»" in result.synergy_areas
    assert not result.competitor and result.score >= 0.7


def test_naming_a_kind_without_a_complement_pair() -> None:
    lender = unlabelled(
        "РассрочкаСами",
        "fintech",
        ["lending"],
        description="Сервис для покупателей интернет-магазинов. Подключается к платёжным сервисам.",
        integrations=[],
    )
    quiet_pay = {**PAY, "integrations": []}
    assert frozenset(("lending", "payments")) not in COMPLEMENTS
    one = _criterion(lender, quiet_pay, "complementarity")
    assert one.score == NAMED_BY_ONE
    assert one.reasons == ["«РассрочкаСами» в описании называет продукты вида «Платежи и эквайринг»: платёжный сервис"]
    both = _criterion(lender, {**quiet_pay, "integrations": ["dolyami"]}, "complementarity")
    assert both.score == NAMED_BY_BOTH and len(both.reasons) == 2
    assert "(dolyami)" in both.reasons[1]


def test_a_direct_competitor_stays_capped_however_much_they_name_and_share() -> None:
    shared = ["yookassa", "cdek", "moysklad", "1c", "telegram"]
    mine = unlabelled(
        "ВитринаСами",
        "ecommerce",
        ["store_builder", "reviews"],
        description="Сайт магазина за один вечер. Управление товарной информацией для маркетплейсов.",
        integrations=shared,
        ai_tags=["интернет-магазины", "малый бизнес"],
    )
    rival = unlabelled(
        "ПрилавокОнлайн",
        "ecommerce",
        ["store_builder", "pim"],
        description="Готовые шаблоны витрин. Собирает отзывы покупателей и рейтинги после заказа.",
        integrations=[*shared, "otzovik"],
        ai_tags=["интернет-магазины", "малый бизнес"],
    )
    result = analyze_pair(mine, rival)
    raw = sum(c.score * c.weight for c in result.criteria)
    assert raw > COMPETITOR_CAP + 0.3  # complements, names, integrations, city: all high ...
    assert _criterion(mine, rival, "complementarity").score == 1.0
    assert result.competitor and result.score <= COMPETITOR_CAP  # ... and the gate holds
    assert result.synergy_areas == []
    assert _criterion(mine, rival, "no_competition").reasons == ["Прямые конкуренты: оба продукта — store_builder"]
    # The shared kind is what makes them rivals: the same two without it are partners.
    apart = analyze_pair({**mine, "matching_sub_industries": ["reviews"]}, rival)
    assert not apart.competitor and apart.score > 0.7


def test_merge_keeps_per_code_the_higher_confidence_and_its_source() -> None:
    model = [Proposal("payments", 0.6), Proposal("lending", 0.2), Proposal("accounting", 0.1)]
    llm = [Proposal("lending", 0.9, "llm"), Proposal("payments", 0.6, "llm")]
    assert merge(model, llm) == [
        Proposal("lending", 0.9, "llm"),
        Proposal("payments", 0.6, "llm"),  # a tie goes to the LLM, which read the whole text
        Proposal("accounting", 0.1),
    ]
    assert merge(model, []) == model and merge([], llm) == llm
    many = [Proposal(f"code_{n}", n / 10) for n in range(1, 9)]
    assert len(merge(many, [])) == PROPOSALS and merge(many, [])[0].code == "code_8"
