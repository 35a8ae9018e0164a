"""The sample catalog's vectors, made once per model and kept in `.cache/catalog-vectors/`.

Every `make dev` and every e2e cloud imports the same 320 companies; embedding them again in
EmbedCompanyFunction costs about 40 s of both cores before search by meaning covers the catalog (and
a user's first company waits behind them). Right after the import this writes the cached vectors through
the enrichment code's own path (`embed_companies`: same text hash, same model, same columns), so the
function finds them "unchanged" and skips the model. Texts not in the cache (a changed catalog, a new
model) are embedded here once and added to it; a company the function got to first is left as it is.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from localcloud.paths import CACHE_DIR
from shared.companies.enrichment import EmbedRequest, company_text, embed_companies
from shared.embeddings import Embedder

_UNEMBEDDED = """
SELECT id::text AS id, version, name, description, sub_industries, ai_tags, integrations
FROM companies WHERE deleted_at IS NULL AND embedding IS NULL ORDER BY id
"""


class CachedEmbedder:
    """An `Embedder` answering from a file of vectors by text hash, asking the real model for the rest."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.model, self.dimensions = inner.model, inner.dimensions
        safe = "".join(c if c.isalnum() or c in "-." else "_" for c in inner.model)
        self.path = CACHE_DIR / "catalog-vectors" / f"{safe}.json"
        self._vectors: dict[str, list[float]] = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.computed = 0

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if self._key(t) not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._inner.embed_documents(missing), strict=True):
                self._vectors[self._key(text)] = vector
            self.computed += len(missing)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._vectors))
            tmp.replace(self.path)
        return [self._vectors[self._key(t)] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)


def prime(database_url: str) -> tuple[int, int]:
    """Vectors for the live companies without one; returns (written, computed rather than cached)."""
    from shared.db import connect
    from shared.embeddings.local import LocalE5Embedder

    embedder = CachedEmbedder(LocalE5Embedder.shared())
    with connect(database_url) as conn:
        rows: list[Any] = conn.execute(_UNEMBEDDED).fetchall()
        requests = [EmbedRequest(r["id"], text, r["version"]) for r in rows if (text := company_text(r))]
        outcomes = embed_companies(conn, requests, embedder)
    return sum(o.status == "embedded" for o in outcomes), embedder.computed
