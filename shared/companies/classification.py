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

Where a language model is configured, the classification agent (functions/agents/classify_company,
shared.companies.kind_agent) adds a third opinion: the LLM reads the same company text and the taxonomy's
list and proposes up to three codes with a confidence (source `llm`, `store_llm`).

Stored on the company row (migrations 0011, 0013) with their source, never over what the user chose:
`model_proposals` and `llm_proposals` each as their source said them, `proposed_sub_industries` their merge
(`merge`: per code the higher confidence, with its source; the LLM's only while it read the current text),
and `model_sub_industries` (the merge's confident codes, at most two) is what matching reads only while the
user has no codes of their own (`matching_sub_industries`, a generated column). Each source is written with
the aggregate version its text came from, so a redelivered or older event never replaces newer proposals.
The model's run by the embedding function right after it stores the vector (functions/search/embed_company),
so a company's suggestions follow within seconds of its creation or change; the LLM's whenever it answers.
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

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], source: str = "model") -> Proposal:
        return cls(str(raw["code"]), float(raw["confidence"]), str(raw.get("source", source)))


def merge(model: Sequence[Proposal], llm: Sequence[Proposal]) -> list[Proposal]:
    """One list best first: per code the higher confidence and the source that said it (the LLM's on a tie:
    it read the whole text, the model only its neighbours), at most PROPOSALS."""
    best: dict[str, Proposal] = {}
    for proposal in [*llm, *model]:
        held = best.get(proposal.code)
        if held is None or proposal.confidence > held.confidence:
            best[proposal.code] = proposal
    return sorted(best.values(), key=lambda p: (-p.confidence, p.code))[:PROPOSALS]


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
# Both sources' proposals, read under the row lock their merge is written under (the two writers run in
# different functions, in either order).
_SOURCES = """
SELECT model_proposals, llm_proposals, classified_version, llm_classified_version, llm_text_hash,
       embedding_content_hash
FROM companies WHERE id = %s AND deleted_at IS NULL FOR UPDATE
"""
_WRITE_MODEL = """
UPDATE companies SET model_proposals = %(own)s::jsonb, classified_version = %(version)s,
       proposed_sub_industries = %(proposals)s::jsonb, model_sub_industries = %(codes)s
WHERE id = %(id)s
"""
_WRITE_LLM = """
UPDATE companies SET llm_proposals = %(own)s::jsonb, llm_classified_version = %(version)s, llm_text_hash = %(hash)s,
       proposed_sub_industries = %(proposals)s::jsonb, model_sub_industries = %(codes)s
WHERE id = %(id)s
"""


def _as_json(proposals: Sequence[Proposal]) -> str:
    return json.dumps([p.as_json() for p in proposals])


def _merged_params(model: Sequence[Proposal], llm: Sequence[Proposal]) -> dict[str, Any]:
    merged = merge(model, llm)
    return {"proposals": _as_json(merged), "codes": confident(merged)}


def _older(version: int, stored: int | None) -> bool:
    return stored is not None and version < stored


def stored_proposals(conn: psycopg.Connection, company_id: str) -> list[Proposal]:
    """The proposals last stored for the company (both sources merged), best first (none before its first
    classification)."""
    row: Mapping[str, Any] | None = conn.execute(  # type: ignore[assignment]
        "SELECT proposed_sub_industries FROM companies WHERE id = %s", (company_id,)
    ).fetchone()
    return [Proposal.from_json(p) for p in (row or {}).get("proposed_sub_industries") or []]


def classify(conn: psycopg.Connection, company_ids: Sequence[str]) -> dict[str, list[Proposal]]:
    """Propose and store the model's kinds of these companies (those with a vector), merged with the LLM's;
    returns the merged proposals stored per company."""
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
            sources: Mapping[str, Any] | None = conn.execute(_SOURCES, (row["id"],)).fetchone()  # type: ignore[assignment]
            if sources is None or _older(row["version"], sources["classified_version"]):
                continue
            read = sources["llm_text_hash"]
            current = read is not None and read == sources["embedding_content_hash"]
            llm = [Proposal.from_json(p, "llm") for p in sources["llm_proposals"]] if current else []
            params = {**_merged_params(proposals, llm), "own": _as_json(proposals)}
            conn.execute(_WRITE_MODEL, {**params, "version": row["version"], "id": row["id"]})
            stored[row["id"]] = merge(proposals, llm)
    return stored


def llm_answered(conn: psycopg.Connection, company_id: str, version: int, text_hash: str) -> bool:
    """True when the LLM's stored answer already covers this event: it read this very text, or a newer
    version's (a redelivered or late event asks the model nothing)."""
    row: Mapping[str, Any] | None = conn.execute(  # type: ignore[assignment]
        "SELECT llm_text_hash, llm_classified_version FROM companies WHERE id = %s", (company_id,)
    ).fetchone()
    conn.rollback()
    if row is None or row["llm_classified_version"] is None:
        return False
    return row["llm_text_hash"] == text_hash or _older(version, row["llm_classified_version"])


def store_llm(
    conn: psycopg.Connection, company_id: str, version: int, text_hash: str, proposals: Sequence[Proposal]
) -> list[Proposal] | None:
    """Store the LLM's proposals for the company text of `version` (its sha256 `text_hash`) and the merge with
    the model's; None (nothing written) when the company is gone or a newer version's answer is stored."""
    with conn.transaction():
        sources: Mapping[str, Any] | None = conn.execute(_SOURCES, (company_id,)).fetchone()  # type: ignore[assignment]
        if sources is None or _older(version, sources["llm_classified_version"]):
            return None
        model = [Proposal.from_json(p) for p in sources["model_proposals"]]
        own = [Proposal(p.code, p.confidence, "llm") for p in proposals]
        # Until the vector (and the model's proposals) of this text are stored, the merge shows the model's
        # alone; the model's run then merges this answer in (its text hash matches by then).
        current = own if text_hash == sources["embedding_content_hash"] else []
        params = _merged_params(model, current)
        conn.execute(
            _WRITE_LLM, {**params, "own": _as_json(own), "version": version, "hash": text_hash, "id": company_id}
        )
        return merge(model, current)
