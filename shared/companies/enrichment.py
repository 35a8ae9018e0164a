"""Company embeddings: which text stands for a company, and writing its vector once per distinct text.

The text (`company_text`) is what a partner search compares: the name, the description, the
sub-industries, the AI tags and the integrations, one per line, lists comma-separated, codes with
underscores read as words (``store_builder`` -> ``store builder``); empty parts are left out. Industry,
city, size and the legal data are not in it: they are exact filters, not meaning. `EMBEDDED_FIELDS` is
that list, and only events changing one of them lead to a new vector.

`embed_companies` (and `embed_company` for one) writes ``companies.embedding``, ``embedding_model``,
``last_ai_enrichment``, the text's sha256 (``embedding_content_hash``) and the aggregate version the text
came from (``embedding_source_version``, migration 0005), then copies the vector to the embedded
profile's ``company_search`` row. It is idempotent under redelivery and reordering:

* same text, same model as the stored vector -> no model call, nothing rewritten ("unchanged");
* an event older than the one the stored vector came from -> skipped ("stale"), also when a newer write
  lands while the model runs (the UPDATE is conditional on the version);
* a different model (say after switching ``ALGOARTS_EMBEDDINGS``) -> embedded again.

No transaction is held while the model runs (a Yandex call with retries can take seconds): the state is
read in one short transaction and the vectors written in another. A vector whose length differs from the
column's declared dimensions is refused before any model call (`DimensionMismatch`); see
`shared.embeddings.yandex` for why nothing is padded or cut.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from shared.companies.events import CompanyCreated, CompanyUpdated
from shared.embeddings import DimensionMismatch, Embedder, check_dimensions
from shared.embeddings.vectors import column_dimensions, to_literal

if TYPE_CHECKING:
    import psycopg

    from shared.companies.model import Company
    from shared.events import EventEnvelope

LOG = logging.getLogger(__name__)

EMBEDDED_FIELDS = ("name", "description", "sub_industries", "ai_tags", "integrations")
TABLE, COLUMN = "companies", "embedding"

Status = Literal["embedded", "unchanged", "stale", "missing"]


@dataclass(frozen=True)
class EmbedRequest:
    company_id: str
    text: str
    source_version: int | None = None  # the aggregate version the text was read from; None: unknown


@dataclass(frozen=True)
class EmbedOutcome:
    company_id: str
    status: Status
    model: str


# -- what to embed -------------------------------------------------------------------------------------------


def company_text(company: Mapping[str, Any]) -> str:
    """The text whose vector stands for the company (see the module docstring)."""
    parts: list[str] = []
    for name in EMBEDDED_FIELDS:
        value = company.get(name)
        if isinstance(value, list | tuple):
            words = [str(v).replace("_", " ").strip() for v in value if v is not None]
            line = ", ".join(w for w in words if w)
        else:
            line = " ".join(str(value).split()) if value is not None else ""
        if line:
            parts.append(line)
    return "\n".join(parts)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def touches_embedded_text(event: EventEnvelope[Any]) -> bool:
    """True for `company.created` and for `company.updated` whose changes include an embedded field."""
    match event.payload:
        case CompanyCreated(fields=delta) | CompanyUpdated(changes=delta):
            return any(name in delta for name in EMBEDDED_FIELDS)
        case _:
            return False


def request_for(event: EventEnvelope[Any]) -> EmbedRequest | None:
    """What to embed for one `company.events` envelope, or None when its text did not change."""
    if not touches_embedded_text(event) or event.payload.deleted:
        return None
    company: Company = event.payload.company
    text = company_text(company.model_dump(mode="json"))
    if not text:
        return None
    return EmbedRequest(str(company.id), text, event.version)


# -- writing vectors -----------------------------------------------------------------------------------------

_STATE = """
SELECT id::text AS id, embedding IS NOT NULL AS has_vector, embedding_model, embedding_content_hash,
       embedding_source_version
FROM companies WHERE id = ANY(%s::uuid[])
"""

_WRITE = """
UPDATE companies SET embedding = %(vector)s::vector, embedding_model = %(model)s,
       embedding_content_hash = %(hash)s,
       embedding_source_version = COALESCE(%(version)s::int, embedding_source_version),
       last_ai_enrichment = NOW()
WHERE id = %(id)s
  AND (%(version)s::int IS NULL OR embedding_source_version IS NULL OR embedding_source_version <= %(version)s::int)
"""

_COPY_TO_SEARCH = """
UPDATE company_search s SET embedding = c.embedding FROM companies c
WHERE s.company_id = c.id AND c.id = %s
"""

_BUMP_VERSION = """
UPDATE companies SET embedding_source_version = %(version)s
WHERE id = %(id)s AND (embedding_source_version IS NULL OR embedding_source_version < %(version)s)
"""


def embed_company(
    conn: psycopg.Connection, company_id: str, text: str, embedder: Embedder, *, source_version: int | None = None
) -> EmbedOutcome:
    """Embed one company's text and store it, unless that text (and model) is already stored."""
    return embed_companies(conn, [EmbedRequest(company_id, text, source_version)], embedder)[0]


def embed_companies(
    conn: psycopg.Connection, requests: Sequence[EmbedRequest], embedder: Embedder
) -> list[EmbedOutcome]:
    """One outcome per request, in order; the texts that need it go to the model in one batch."""
    if not requests:
        return []
    with conn.transaction():
        dims = column_dimensions(conn, TABLE, COLUMN)
        if embedder.dimensions != dims:
            raise DimensionMismatch(dims, embedder.dimensions, f"{TABLE}.{COLUMN} for {embedder.model}")
        ids = sorted({r.company_id for r in requests})
        rows: dict[str, Any] = {r["id"]: r for r in conn.execute(_STATE, (ids,)).fetchall()}  # type: ignore[call-overload]
    outcomes, todo, unchanged = _plan(requests, rows, embedder.model)
    vectors = embedder.embed_documents([r.text for _, r, _ in todo]) if todo else []
    if len(vectors) != len(todo):
        raise RuntimeError(f"{embedder.model} returned {len(vectors)} vectors for {len(todo)} texts")
    with conn.transaction():
        for (index, request, digest), vector in zip(todo, vectors, strict=True):
            check_dimensions(vector, dims, f"{embedder.model} vector for {TABLE}.{COLUMN}")
            written = _write(conn, request, digest, vector, embedder.model)
            outcomes[index] = EmbedOutcome(request.company_id, "embedded" if written else "stale", embedder.model)
        for request in unchanged:
            if request.source_version is not None:
                conn.execute(_BUMP_VERSION, {"version": request.source_version, "id": request.company_id})
    return [outcomes[i] for i in range(len(requests))]


def embed_and_classify(
    conn: psycopg.Connection, requests: Sequence[EmbedRequest], embedder: Embedder
) -> list[EmbedOutcome]:
    """`embed_companies`, then the kinds of product of every company with a vector proposed again from it
    (shared.companies.classification): what the embedding function runs on company.created|updated."""
    from shared.companies.classification import classify

    outcomes = embed_companies(conn, requests, embedder)
    classify(conn, [o.company_id for o in outcomes if o.status in ("embedded", "unchanged")])
    return outcomes


def _plan(
    requests: Sequence[EmbedRequest], rows: Mapping[str, Any], model: str
) -> tuple[dict[int, EmbedOutcome], list[tuple[int, EmbedRequest, str]], list[EmbedRequest]]:
    """(outcomes decided without the model, requests to embed with their text hash, unchanged requests)."""
    latest = _latest_per_company(requests)
    outcomes: dict[int, EmbedOutcome] = {}
    todo: list[tuple[int, EmbedRequest, str]] = []
    unchanged: list[EmbedRequest] = []
    for index, request in enumerate(requests):
        row = rows.get(request.company_id)
        status: Status | None = None
        if row is None:
            status = "missing"
        elif latest[request.company_id] != index or _older(request.source_version, row["embedding_source_version"]):
            status = "stale"
        else:
            digest = content_hash(request.text)
            same_model = row["has_vector"] and row["embedding_model"] == model
            if same_model and row["embedding_content_hash"] == digest:
                status = "unchanged"
                unchanged.append(request)
            else:
                todo.append((index, request, digest))
        if status is not None:
            outcomes[index] = EmbedOutcome(request.company_id, status, model)
    return outcomes, todo, unchanged


def _write(conn: psycopg.Connection, request: EmbedRequest, digest: str, vector: list[float], model: str) -> bool:
    """Store the vector unless a newer version's vector got there first; copy it to the search row."""
    params = {
        "vector": to_literal(vector),
        "model": model,
        "hash": digest,
        "version": request.source_version,
        "id": request.company_id,
    }
    if conn.execute(_WRITE, params).rowcount != 1:
        return False
    conn.execute(_COPY_TO_SEARCH, (request.company_id,))
    return True


def _older(version: int | None, stored: int | None) -> bool:
    return version is not None and stored is not None and version < stored


def _latest_per_company(requests: Sequence[EmbedRequest]) -> dict[str, int]:
    """Index of the request that wins for each company: the highest version, the last one on a tie."""
    best: dict[str, int] = {}
    for index, request in enumerate(requests):
        current = best.get(request.company_id)
        if current is None or (request.source_version or 0) >= (requests[current].source_version or 0):
            best[request.company_id] = index
    return best


# -- backfill ------------------------------------------------------------------------------------------------

_PENDING = """
SELECT id::text AS id, version, name, description, sub_industries, ai_tags, integrations
FROM companies
WHERE deleted_at IS NULL AND (embedding IS NULL OR embedding_model IS DISTINCT FROM %(model)s)
  AND (%(after)s::uuid IS NULL OR id > %(after)s::uuid)
  AND (%(only)s::uuid[] IS NULL OR id = ANY(%(only)s::uuid[]))
ORDER BY id
LIMIT %(size)s
"""


def backfill(
    conn: psycopg.Connection,
    embedder: Embedder,
    *,
    batch_size: int = 32,
    limit: int | None = None,
    only: Sequence[str] | None = None,
) -> int:
    """Embed live companies that have no vector of ``embedder.model`` yet (first deployment, a model change),
    all of them or ``only`` these ids; returns how many were embedded. Resumable: each batch commits on its own."""
    done = 0
    after: str | None = None
    only_ids = list(only) if only is not None else None
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        with conn.transaction():
            rows: list[Any] = conn.execute(
                _PENDING, {"model": embedder.model, "after": after, "size": size, "only": only_ids}
            ).fetchall()
        if not rows:
            break
        after = rows[-1]["id"]
        requests = [EmbedRequest(r["id"], text, r["version"]) for r in rows if (text := company_text(r))]
        outcomes = embed_companies(conn, requests, embedder)
        done += sum(o.status == "embedded" for o in outcomes)
        LOG.info("backfill: %d companies embedded with %s", done, embedder.model)
    return done


def statuses(outcomes: Iterable[EmbedOutcome]) -> dict[str, int]:
    """How many outcomes of each status (for a handler's summary)."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
