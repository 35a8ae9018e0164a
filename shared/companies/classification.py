"""Which kinds of product (sub-industries) a company is, proposed from what it says, for companies users enter.

A user fills a form: a name, an industry, a description, integrations; nothing tells them which sub-industry
codes exist, so most companies arrive without them, and matching (shared.partnerships) reads kinds of
product. This proposes them, with a confidence, from two signals:

* **nearest labelled companies** (weight 0.7): the `K` companies with sub-industries of their own whose
  embedding (the same model's vector of the same `company_text`) is nearest; each votes for its codes with
  exp((similarity - the nearest's) / TEMPERATURE), a softmax: e5 puts every text of one language within a
  narrow band of cosine similarity, so raw similarities barely separate near from far and the nearest few
  must decide; codes of the company's own industry count fully and others at `OTHER_INDUSTRY`; a code's
  share of the votes is its kNN confidence;
* **self-description** (weight 0.3, other industries' kinds at `OTHER_INDUSTRY`): the taxonomy's phrases
  for a kind found in the name or the first sentence before its customers ("PayFlow — платёжный сервис
  для интернет-магазинов" says payments, not store builders; shared.partnerships.mentions.described_as).

Stored on the company row (migration 0011) with their source (`model`), never over what the user chose:
`model_sub_industries` (the confident ones, at most two) is what matching reads only while the user has no
codes of their own (`matching_sub_industries`, a generated column). Written with the aggregate version the
text came from, so a redelivered or older event never replaces newer proposals. Run by the embedding
function right after it stores the vector (functions/search/embed_company), so a company's suggestions
follow within seconds of its creation or change.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.partnerships.mentions import described_as
from shared.taxonomy import taxonomy

if TYPE_CHECKING:
    import psycopg

K = 12
TEMPERATURE = 0.015  # e5 similarities of one text to others sit in a narrow band (~0.78-0.88)
OTHER_INDUSTRY = 0.5
KNN_WEIGHT, SELF_WEIGHT = 0.7, 0.3
CONFIDENT = 0.15  # a proposal matching may read (the top proposal is a true kind for ~9 in 10 at this level)
PRIMARY_SHARE = 0.7
SECOND_RATIO = 0.6  # a second code only if this close to the first
PROPOSALS = 5
NEGLIGIBLE = 0.01  # a proposal below this is noise, not shown


@dataclass(frozen=True)
class Proposal:
    code: str
    confidence: float
    source: str = "model"

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": self.confidence, "source": self.source}


def propose(
    industry: str, neighbours: Iterable[tuple[Sequence[str], float]], self_kinds: Iterable[str] = ()
) -> list[Proposal]:
    """Proposals best first from the neighbours' (codes, similarity) and the self-described kinds."""
    industry_of = taxonomy().industry_of_sub()
    votes: dict[str, float] = {}
    total = 0.0
    near = list(neighbours)
    nearest = max((similarity for _, similarity in near), default=0.0)
    for codes, similarity in near:
        known = [c for c in codes if c in industry_of]
        if not known or similarity <= 0:
            continue
        weight = math.exp((similarity - nearest) / TEMPERATURE)
        total += weight
        for code, share in zip(known, _shares(len(known)), strict=True):
            factor = 1.0 if industry_of[code] == industry else OTHER_INDUSTRY
            votes[code] = votes.get(code, 0.0) + weight * factor * share
    scores = {code: KNN_WEIGHT * v / total for code, v in votes.items()} if total else {}
    for kind in self_kinds:
        factor = 1.0 if industry_of.get(kind) == industry else OTHER_INDUSTRY
        scores[kind] = scores.get(kind, 0.0) + SELF_WEIGHT * factor
    ranked = sorted(((c, v) for c, v in scores.items() if v >= NEGLIGIBLE), key=lambda kv: (-kv[1], kv[0]))[:PROPOSALS]
    return [Proposal(code, round(min(score, 1.0), 3)) for code, score in ranked]


def _shares(n: int) -> list[float]:
    """How a neighbour's vote splits over its codes: the first (its primary kind, as the catalog and the
    form list them) takes PRIMARY_SHARE, the rest share the remainder."""
    if n == 1:
        return [1.0]
    return [PRIMARY_SHARE] + [(1 - PRIMARY_SHARE) / (n - 1)] * (n - 1)


def confident(proposals: Sequence[Proposal]) -> list[str]:
    """The codes matching may read: the best if at least CONFIDENT, and a second close to it."""
    if not proposals or proposals[0].confidence < CONFIDENT:
        return []
    best = proposals[0].confidence
    return [p.code for p in proposals[:2] if p.confidence >= max(CONFIDENT, best * SECOND_RATIO)]


_COMPANY = """
SELECT id::text AS id, name, description, industry, version, embedding IS NOT NULL AS has_vector
FROM companies WHERE id = ANY(%s::uuid[]) AND deleted_at IS NULL
"""
_NEIGHBOURS = """
SELECT c.sub_industries, 1 - (c.embedding <=> q.embedding) AS similarity
FROM companies q
JOIN LATERAL (
    SELECT sub_industries, embedding FROM companies c
    WHERE c.deleted_at IS NULL AND cardinality(c.sub_industries) > 0 AND c.id <> q.id
      AND c.embedding IS NOT NULL AND c.embedding_model = q.embedding_model
    ORDER BY c.embedding <=> q.embedding LIMIT %(k)s
) c ON true
WHERE q.id = %(id)s
"""
_WRITE = """
UPDATE companies SET proposed_sub_industries = %(proposals)s::jsonb, model_sub_industries = %(codes)s,
       classified_version = %(version)s
WHERE id = %(id)s AND (classified_version IS NULL OR classified_version <= %(version)s)
"""


def stored_proposals(conn: psycopg.Connection, company_id: str) -> list[Proposal]:
    """The proposals last stored for the company, best first (none before its first classification)."""
    row: Mapping[str, Any] | None = conn.execute(  # type: ignore[assignment]
        "SELECT proposed_sub_industries FROM companies WHERE id = %s", (company_id,)
    ).fetchone()
    raw = (row or {}).get("proposed_sub_industries") or []
    return [Proposal(str(p["code"]), float(p["confidence"]), str(p.get("source", "model"))) for p in raw]


def classify(conn: psycopg.Connection, company_ids: Sequence[str]) -> dict[str, list[Proposal]]:
    """Propose and store the kinds of these companies (those with a vector); returns what was stored."""
    stored: dict[str, list[Proposal]] = {}
    if not company_ids:
        return stored
    with conn.transaction():
        conn.execute("SET LOCAL hnsw.ef_search = 100")
        rows: list[Mapping[str, Any]] = conn.execute(_COMPANY, (sorted(set(company_ids)),)).fetchall()  # type: ignore[assignment]
        for row in rows:
            if not row["has_vector"]:
                continue
            near = conn.execute(_NEIGHBOURS, {"id": row["id"], "k": K}).fetchall()
            proposals = propose(
                str(row["industry"]),
                [(r["sub_industries"], float(r["similarity"])) for r in near],  # type: ignore[call-overload]
                described_as(str(row["name"] or ""), str(row["description"] or "")),
            )
            params = {
                "proposals": json.dumps([p.as_json() for p in proposals]),
                "codes": confident(proposals),
                "version": row["version"],
                "id": row["id"],
            }
            if conn.execute(_WRITE, params).rowcount == 1:
                stored[row["id"]] = proposals
    return stored
