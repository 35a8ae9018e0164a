"""Classification on a real Postgres (shared.companies.classification.classify, migration 0011): the proposals
of a company without codes come from its nearest labelled companies and are stored with their source and
confidence; `matching_sub_industries` (generated) is the confident proposals only while the user chose no
codes; an older version never overwrites a newer one's proposals; a company without a vector is skipped.

The vectors are deterministic 384-d ones (one axis per kind, a little of a private axis per company), written
under an embedding model name of each test's own, so only the test's companies are each other's neighbours
(classify compares vectors of one model) whatever else the session's database holds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.companies.classification import CONFIDENT, Proposal, classify, stored_proposals
from shared.embeddings.vectors import to_literal
from shared.partnerships.mentions import described_as

pytestmark = pytest.mark.integration

DIMENSIONS = 384  # companies.embedding VECTOR(384), migration 0001
PAYMENTS_AXIS, RECRUITING_AXIS = 0, 1


def vector(axis: int, own: int, *, lean: float = 0.0, toward: int = RECRUITING_AXIS) -> list[float]:
    """Mostly `axis`, a little of the company's private axis `own` (>= 10), `lean` of another kind's axis."""
    v = [0.0] * DIMENSIONS
    v[axis] = 1.0
    v[own] = 0.2
    v[toward] += lean
    return v


Insert = Callable[..., str]


@pytest.fixture
def insert(postgres_url: str) -> Iterator[Insert]:
    """Writes companies straight into the read model (no INN, so never colliding with other modules' companies)
    with a vector of this test's own model; removes them at the end, as other modules expect."""
    from shared.db import connect

    model = f"test/one-hot-{uuid.uuid4().hex[:8]}"
    ids: list[str] = []

    def add(industry: str, subs: list[str], embedding: list[float] | None, **fields: Any) -> str:
        company_id = str(uuid.uuid4())
        row = {
            "id": company_id,
            "name": f"Компания {uuid.uuid4().hex[:8]}",
            "slug": f"cls-{uuid.uuid4().hex[:12]}",
            "description": "Сервис для малого бизнеса.",
            "industry": industry,
            "sub_industries": subs,
            "embedding": to_literal(embedding) if embedding is not None else None,
            "embedding_model": model if embedding is not None else None,
            **fields,
        }
        assert described_as(row["name"], row["description"]) == ()  # the kinds come from the neighbours alone
        with connect(postgres_url) as conn:
            conn.execute(
                f"INSERT INTO companies ({', '.join(row)}) VALUES ({', '.join(f'%({c})s' for c in row)})",
                row,
            )
            conn.commit()
        ids.append(company_id)
        return company_id

    yield add
    with connect(postgres_url) as conn:
        conn.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (ids,))
        conn.commit()


def labelled(insert: Insert) -> None:
    """Three payment services near the payments axis, three recruiting systems near the recruiting axis."""
    for n in range(3):
        insert("fintech", ["payments"], vector(PAYMENTS_AXIS, 10 + n))
        insert("hrtech", ["recruiting"], vector(RECRUITING_AXIS, 20 + n))


def state(pg: Any, company_id: str) -> dict[str, Any]:
    row = pg.execute(
        "SELECT proposed_sub_industries, model_sub_industries, matching_sub_industries, sub_industries, "
        "classified_version, version FROM companies WHERE id = %s",
        (company_id,),
    ).fetchone()
    pg.rollback()
    assert row is not None
    return dict(row)


def test_a_company_without_codes_gets_the_kind_of_its_nearest_labelled_companies(pg: Any, insert: Insert) -> None:
    labelled(insert)
    new = insert("fintech", [], vector(PAYMENTS_AXIS, 30, lean=0.3))  # a payment service, a little like HR tools
    assert state(pg, new)["proposed_sub_industries"] == [] and state(pg, new)["matching_sub_industries"] == []
    stored = classify(pg, [new])
    row = state(pg, new)
    proposals = row["proposed_sub_industries"]
    # The recruiting systems are far, and of another industry: below what is worth proposing.
    assert [p["code"] for p in proposals] == ["payments"]
    (best,) = proposals
    assert best["source"] == "model"
    assert best["confidence"] > 0.6 and best["confidence"] >= CONFIDENT  # near 3 payment services
    assert row["model_sub_industries"] == ["payments"] == row["matching_sub_industries"]
    assert row["sub_industries"] == [] and row["classified_version"] == row["version"] == 1
    assert stored == {new: stored_proposals(pg, new)}
    assert stored[new][0] == Proposal("payments", best["confidence"], "model")
    pg.rollback()


def test_the_kind_follows_the_vector_not_the_industry(pg: Any, insert: Insert) -> None:
    labelled(insert)
    recruiter = insert("hrtech", [], vector(RECRUITING_AXIS, 31, lean=0.2, toward=PAYMENTS_AXIS))
    payer = insert("hrtech", [], vector(PAYMENTS_AXIS, 32))  # an HR company whose text reads as payments
    classify(pg, [recruiter, payer])
    assert state(pg, recruiter)["matching_sub_industries"] == ["recruiting"]
    payer_row = state(pg, payer)
    assert payer_row["proposed_sub_industries"][0]["code"] == "payments"
    # Another industry's code counts at half: less sure than the fintech company of the previous test.
    assert CONFIDENT <= payer_row["proposed_sub_industries"][0]["confidence"] < 0.6


def test_the_users_own_codes_are_never_overridden_by_proposals(pg: Any, insert: Insert) -> None:
    labelled(insert)
    chosen = insert("fintech", ["accounting"], vector(PAYMENTS_AXIS, 33))  # reads like payments, says accounting
    assert classify(pg, [chosen]).keys() == {chosen}
    row = state(pg, chosen)
    assert row["proposed_sub_industries"][0]["code"] == "payments"  # shown to the user to accept or correct ...
    assert row["model_sub_industries"] == ["payments"]
    assert row["sub_industries"] == ["accounting"] == row["matching_sub_industries"]  # ... but matching reads theirs
    # The user drops their codes: matching falls back to the stored proposals at once (a generated column).
    pg.execute("UPDATE companies SET sub_industries = '{}' WHERE id = %s", (chosen,))
    pg.commit()
    assert state(pg, chosen)["matching_sub_industries"] == ["payments"]


def test_a_labelled_company_is_no_neighbour_of_itself(pg: Any, insert: Insert) -> None:
    labelled(insert)
    lone = insert("fintech", ["accounting"], vector(5, 34))  # an axis of its own: no neighbour near it
    twin = insert("fintech", [], vector(5, 35))
    classify(pg, [lone, twin])
    assert "accounting" not in [p["code"] for p in state(pg, lone)["proposed_sub_industries"]]
    assert state(pg, twin)["proposed_sub_industries"][0]["code"] == "accounting"


def test_an_older_version_never_overwrites_a_newer_ones_proposals(pg: Any, insert: Insert) -> None:
    labelled(insert)
    company = insert("fintech", [], vector(PAYMENTS_AXIS, 36))
    newer = [{"code": "lending", "confidence": 0.9, "source": "model"}]
    # Proposals of version 2 are stored (its classification finished first); the row still reads version 1.
    pg.execute(
        "UPDATE companies SET proposed_sub_industries = %s::jsonb, model_sub_industries = '{lending}', "
        "classified_version = 2 WHERE id = %s",
        (json.dumps(newer), company),
    )
    pg.commit()
    assert classify(pg, [company]) == {}
    row = state(pg, company)
    assert row["proposed_sub_industries"] == newer and row["classified_version"] == 2
    assert row["matching_sub_industries"] == ["lending"]
    # The company reaches version 2: the same version classifies again (a redelivered event is harmless).
    pg.execute("UPDATE companies SET version = 2 WHERE id = %s", (company,))
    pg.commit()
    assert classify(pg, [company]).keys() == {company}
    row = state(pg, company)
    assert row["proposed_sub_industries"][0]["code"] == "payments" and row["matching_sub_industries"] == ["payments"]
    assert row["classified_version"] == 2


def test_a_company_without_a_vector_is_skipped(pg: Any, insert: Insert) -> None:
    labelled(insert)
    without = insert("fintech", [], None)
    deleted = insert("fintech", [], vector(PAYMENTS_AXIS, 37), deleted_at="2024-01-01T00:00:00Z")
    assert classify(pg, [without, deleted, str(uuid.uuid4())]) == {}
    for company in (without, deleted):
        row = state(pg, company)
        assert row["proposed_sub_industries"] == [] and row["model_sub_industries"] == []
        assert row["classified_version"] is None and row["matching_sub_industries"] == []
    assert classify(pg, []) == {}


def test_vectors_of_another_model_are_no_neighbours(pg: Any, insert: Insert, postgres_url: str) -> None:
    from shared.db import connect

    labelled(insert)
    company = insert("fintech", [], vector(PAYMENTS_AXIS, 38))
    with connect(postgres_url) as conn:  # the same vector, embedded by another model
        conn.execute("UPDATE companies SET embedding_model = 'test/another-model' WHERE id = %s", (company,))
        conn.commit()
    assert classify(pg, [company]) == {company: []}
    row = state(pg, company)
    assert row["proposed_sub_industries"] == [] and row["classified_version"] == 1
