"""The shape of tests/data/matching_eval.json, the labelled set bench_matching.py measures partner matching on.

The benchmark trusts its labels: a partner pair that is no complement pair of the taxonomy, a "competitor" of
another industry or a company body the API would refuse would make its recall and competitor figures measure
the data, not the matching. So every label is checked here against the code that matching itself reads
(CompanyCreate, the taxonomy, COMPLEMENTS), and the set keeps the size its figures were stated for.
"""

from __future__ import annotations

import json
import re
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from shared.companies.model import CompanyCreate
from shared.partnerships.compatibility import COMPLEMENTS
from shared.taxonomy import taxonomy

EVAL = Path(__file__).resolve().parents[1] / "data" / "matching_eval.json"
LISTS = ("partners", "competitors", "unrelated")
MIN_COMPANIES, MAX_COMPANIES = 80, 90
MIN_INDUSTRIES = 12
MIN_PAIRS = {"partners": 45, "competitors": 18, "unrelated": 20}
MIN_PARTNERED = 40  # distinct companies in partner pairs
KEY = re.compile(r"^[a-z0-9_]+$")


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EVAL.read_text(encoding="utf-8"))
    return data


DATA = _data()
BY_KEY: dict[str, dict[str, Any]] = {c["key"]: c for c in DATA["companies"]}


def _kinds(key: str) -> set[str]:
    return set(BY_KEY[key]["expected_sub_industries"])


def _industry(key: str) -> str:
    return str(BY_KEY[key]["create"]["industry"])


def _complement(a: str, b: str) -> bool:
    return any(frozenset(pair) in COMPLEMENTS for pair in product(_kinds(a), _kinds(b)))


def _pairs(name: str) -> list[tuple[str, str]]:
    return [(str(row[0]), str(row[1])) for row in DATA[name]]


def test_keys_are_unique_codes_and_every_pair_names_known_companies() -> None:
    keys = [c["key"] for c in DATA["companies"]]
    assert len(keys) == len(set(keys))
    assert all(KEY.fullmatch(k) for k in keys)
    for name in LISTS:
        for row in DATA[name]:
            a, b, why = row
            assert a in BY_KEY and b in BY_KEY and a != b, row
            assert isinstance(why, str) and why.strip(), row


@pytest.mark.parametrize("company", DATA["companies"], ids=lambda c: str(c["key"]))
def test_each_company_is_what_a_user_may_send_with_its_true_kinds_beside_it(company: dict[str, Any]) -> None:
    """The body validates as the create command and leaves the kinds to classification; the labels are
    taxonomy sub-industries (of any industry, as a company's may be)."""
    assert "sub_industries" not in company["create"]
    created = CompanyCreate.model_validate(company["create"])
    assert created.sub_industries is None
    assert created.description and created.industry
    kinds = company["expected_sub_industries"]
    assert 1 <= len(kinds) <= 2 and len(set(kinds)) == len(kinds)
    assert set(kinds) <= set(taxonomy().industry_of_sub())
    assert len(created.integrations or []) <= 6


def test_the_set_is_as_large_and_as_varied_as_its_figures_assume() -> None:
    assert MIN_COMPANIES <= len(DATA["companies"]) <= MAX_COMPANIES
    assert len({_industry(k) for k in BY_KEY}) >= MIN_INDUSTRIES
    for name, least in MIN_PAIRS.items():
        assert len(DATA[name]) >= least, name
    assert len({k for pair in _pairs("partners") for k in pair}) >= MIN_PARTNERED


def test_partners_are_complement_pairs_of_the_taxonomy() -> None:
    assert [p for p in _pairs("partners") if not _complement(*p)] == []


def test_a_store_builder_and_a_payment_service_are_among_the_partners() -> None:
    assert any(
        {"store_builder", "payments"} <= {x, y} for a, b in _pairs("partners") for x, y in product(_kinds(a), _kinds(b))
    )


def test_competitors_share_the_industry_and_a_kind() -> None:
    rivals = [(a, b) for a, b in _pairs("competitors") if _industry(a) == _industry(b) and _kinds(a) & _kinds(b)]
    assert rivals == _pairs("competitors")


def test_unrelated_pairs_are_of_other_industries_and_no_complement_pair() -> None:
    related = [(a, b) for a, b in _pairs("unrelated") if _industry(a) == _industry(b) or _complement(a, b)]
    assert related == []


def test_no_pair_is_labelled_twice() -> None:
    seen: dict[frozenset[str], str] = {}
    for name in LISTS:
        for pair in _pairs(name):
            key = frozenset(pair)
            assert key not in seen, f"{sorted(key)} is in {seen.get(key)} and {name}"
            seen[key] = name
