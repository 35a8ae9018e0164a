"""The learned outcome prior without I/O: zero without evidence, bounded, relative to the platform's base
rate, sub-industry evidence refining the industry's; and `rank` applying it and dropping dismissed partners."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.partnerships.compatibility import analyze_pair
from shared.partnerships.feedback import (
    MAX_ADJUSTMENT,
    OUTCOME_REASON_DOWN,
    OUTCOME_REASON_UP,
    Counts,
    OutcomeCounts,
    OutcomePrior,
    outcome_adjustment,
)
from shared.partnerships.service import rank

NONE = Counts()


def company(industry: str, subs: list[str], **kw: Any) -> dict[str, Any]:
    key = str(uuid.uuid4())
    return {
        "id": key,
        "slug": f"c-{key[:8]}",
        "name": f"{industry} {key[:4]}",
        "industry": industry,
        "sub_industries": subs,
        "business_model": "B2B",
        "headquarters_country": "RU",
        "headquarters_city": "Москва",
        "employees_count": 120,
        "integrations": ["1c", "telegram"],
        "api_available": True,
        "tech_stack": {"languages": ["Python"]},
        "description": "",
        "ai_tags": [],
        **kw,
    }


def test_no_evidence_for_the_pair_is_no_adjustment() -> None:
    assert outcome_adjustment(NONE, NONE, NONE) == 0.0
    assert outcome_adjustment(NONE, NONE, Counts(40, 60)) == 0.0  # others' outcomes say nothing of this pair


def test_the_adjustment_is_bounded_and_reaches_the_bound_only_with_much_evidence() -> None:
    overall = Counts(500, 500)
    for n in (1, 3, 10, 100, 10_000):
        up = outcome_adjustment(Counts(n, 0), NONE, overall + Counts(n, 0))
        down = outcome_adjustment(Counts(0, n), NONE, overall + Counts(0, n))
        assert 0 < up <= MAX_ADJUSTMENT and -MAX_ADJUSTMENT <= down < 0
    assert outcome_adjustment(Counts(10_000, 0), NONE, Counts(10_500, 500)) == pytest.approx(MAX_ADJUSTMENT, abs=0.01)
    assert abs(outcome_adjustment(Counts(1, 0), NONE, Counts(501, 500))) <= 0.02  # one outcome barely moves it


def test_more_evidence_moves_it_further_and_a_mixed_record_at_the_base_rate_not_at_all() -> None:
    overall = Counts(300, 700)  # the platform closes 30% of what it records
    downs = [outcome_adjustment(Counts(0, n), NONE, overall) for n in (1, 2, 5, 20)]
    assert downs == sorted(downs, reverse=True) and downs[-1] < downs[0]
    assert outcome_adjustment(Counts(30, 70), NONE, overall) == 0.0
    assert outcome_adjustment(Counts(6, 4), NONE, overall) > 0  # 60% against a 30% base: better than average


def test_it_is_relative_to_the_base_rate_not_to_a_coin_flip() -> None:
    """Dismissals are cheap and outnumber deals: a 40% pair is good when the platform closes 10%."""
    assert outcome_adjustment(Counts(4, 6), NONE, Counts(100, 900)) > 0
    assert outcome_adjustment(Counts(4, 6), NONE, Counts(800, 200)) < 0


def test_sub_industry_evidence_refines_the_industry_estimate() -> None:
    overall = Counts(50, 50)
    industry = Counts(10, 10)  # the industry pair is average
    assert outcome_adjustment(industry, NONE, overall) == 0.0
    assert outcome_adjustment(industry, Counts(8, 0), overall) > 0  # this sub-industry pair closes
    assert outcome_adjustment(industry, Counts(0, 8), overall) < 0
    # With no industry evidence of its own, a sub-industry pair alone still counts.
    assert outcome_adjustment(NONE, Counts(0, 8), overall) < 0


def test_the_prior_looks_pairs_up_in_either_order_and_sums_sub_industry_pairs() -> None:
    crm = company("crm", ["sales_crm", "helpdesk"])
    phone = company("communications", ["virtual_pbx"])
    counts = OutcomeCounts(
        overall=Counts(10, 30),
        industries={("communications", "crm"): Counts(0, 6)},
        sub_industries={("sales_crm", "virtual_pbx"): Counts(0, 3), ("helpdesk", "virtual_pbx"): Counts(0, 3)},
    )
    prior = OutcomePrior(counts)
    assert prior.adjustment(crm, phone) == prior.adjustment(phone, crm) < 0
    only_one_sub = OutcomePrior(
        OutcomeCounts(counts.overall, counts.industries, {("sales_crm", "virtual_pbx"): Counts(0, 3)})
    )
    assert prior.adjustment(crm, phone) <= only_one_sub.adjustment(crm, phone)
    assert prior.adjustment(crm, company("fintech", ["payments"])) == 0.0
    assert OutcomePrior.reason(0.03) == OUTCOME_REASON_UP and OutcomePrior.reason(-0.01) == OUTCOME_REASON_DOWN
    assert OutcomePrior.reason(0.0) is None


def test_rank_applies_the_prior_says_so_and_drops_the_dismissed() -> None:
    shop = company("ecommerce", ["store_builder"])
    pay, pay_dismissed = company("fintech", ["payments"]), company("fintech", ["payments"])
    ship = company("logistics", ["delivery_aggregator"])
    rival = company("ecommerce", ["store_builder"])
    pool = [pay, pay_dismissed, ship, rival, shop]
    plain = rank(shop, pool, 10)
    assert {str(s.company.id) for s in plain} == {pay["id"], pay_dismissed["id"], ship["id"]}
    by_id_plain = {c["id"]: c for c in pool}
    assert all(s.score == analyze_pair(shop, by_id_plain[str(s.company.id)]).score for s in plain)

    lifted = OutcomePrior(
        OutcomeCounts(
            Counts(5, 45),
            {("ecommerce", "logistics"): Counts(5, 0)},
            {("delivery_aggregator", "store_builder"): Counts(5, 0)},
        )
    )
    ranked = rank(shop, pool, 10, dismissed={pay_dismissed["id"]}, prior=lifted)
    by_id = {str(s.company.id): s for s in ranked}
    assert set(by_id) == {pay["id"], ship["id"]}
    base_ship = analyze_pair(shop, ship).score
    assert by_id[ship["id"]].score == round(min(1.0, base_ship + lifted.adjustment(shop, ship)), 2) > base_ship
    assert OUTCOME_REASON_UP in by_id[ship["id"]].match_reasons
    assert by_id[pay["id"]].score == analyze_pair(shop, pay).score
    assert not {OUTCOME_REASON_UP, OUTCOME_REASON_DOWN} & set(by_id[pay["id"]].match_reasons)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert {c.name for c in ranked[0].criteria} == {"complementarity", "audience", "technology", "no_competition"}


def test_a_prior_never_lifts_a_score_past_one_nor_below_zero() -> None:
    shop = company("ecommerce", ["store_builder"])
    pay = company("fintech", ["payments"])
    up = OutcomePrior(OutcomeCounts(Counts(10_000, 10_000), {("ecommerce", "fintech"): Counts(10_000, 0)}))
    [only] = rank(shop, [pay], 1, prior=up)
    assert 0.0 <= only.score <= 1.0 and only.score - analyze_pair(shop, pay).score <= MAX_ADJUSTMENT + 1e-9
