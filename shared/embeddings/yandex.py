"""YandexGPT embeddings (Yandex Foundation Models ``textEmbedding``) as an `Embedder`.

Protocol (Yandex Cloud docs: "Foundation Models Embedding API, REST: Embeddings.TextEmbedding",
"Text vectorization", "Authentication with the Yandex Foundation Models API"):

    POST {base_url}/foundationModels/v1/textEmbedding          (base_url: https://llm.api.cloud.yandex.net)
    Authorization: Api-Key <service account API key>  |  Bearer <IAM token>
    x-folder-id: <folder id>
    {"modelUri": "emb://<folder id>/text-search-doc/latest", "text": "..."}     (or .../text-search-query/...)

    200 {"embedding": [0.01, ...], "numTokens": "7", "modelVersion": "..."}
    errors (the gRPC gateway's body): {"error": {"grpcCode": 16, "httpCode": 401, "message": "...",
         "httpStatus": "Unauthorized", "details": []}} — 400 bad model URI or text, 401 no or bad key,
         403 no ``ai.languageModels.user`` role in the folder, 429 quota (10 requests/s per cloud by
         default), 5xx

One text per request (the API has no batch form), so `embed_documents` makes one request per text.
Documents go to ``text-search-doc`` and queries to ``text-search-query``: the two models share one vector
space. Components may arrive as JSON numbers or as numeric strings (the REST reference types the repeated
double as string); both are read. Vectors are L2-normalised here, like the local adapter's, so the same
cosine/inner-product code serves both.

Retries happen here, in process, for timeouts, connection errors, 429 and 5xx: exponential backoff with
jitter, or the server's Retry-After (capped). After the last attempt `EmbeddingUnavailable` is raised, and
the caller (the Kafka-triggered function) fails the batch so the trigger retries it later.
`EmbeddingRejected` (400/401/403/404) is raised at once. The key is sent only in the Authorization header,
never logged, and redacted from any text taken from a response.

Dimensions: the models return 256 components, but ``companies.embedding`` is ``VECTOR(384)`` (sized for
multilingual-e5-small). Padding with zeros or projecting would make vectors that *look* comparable with
the e5 ones and are not, so nothing of the kind happens: writers check ``dimensions`` against the
column and refuse (`shared.embeddings.DimensionMismatch`). Running production on YandexGPT embeddings
therefore needs a migration that changes the column (and ``company_search.embedding``) to ``VECTOR(256)``,
recreates the HNSW indexes and re-embeds every company (``shared.companies.enrichment.backfill``);
keeping both models side by side would be a second column per model (``embedding_yandex VECTOR(256)``)
with its own index, chosen by the embedder's ``model``. ``text-search-doc/latest`` also moves when
Yandex releases a new version (``modelVersion`` in the answer, kept in `last_model_version`): pin a
version in ``version`` to keep vectors comparable, and re-embed when changing it.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx

from shared.embeddings import DimensionMismatch, EmbeddingRejected, EmbeddingUnavailable
from shared.retries import backoff_delay, parse_retry_after

LOG = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://llm.api.cloud.yandex.net"
TEXT_EMBEDDING_PATH = "/foundationModels/v1/textEmbedding"
DOC_MODEL = "text-search-doc"
QUERY_MODEL = "text-search-query"
DIMENSIONS = 256
_MAX_MESSAGE = 300


class _Transient(Exception):
    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class YandexEmbedder:
    """`Embedder` over Yandex Foundation Models' textEmbedding; one pooled HTTP client per instance (reuse it)."""

    def __init__(
        self,
        folder_id: str,
        *,
        api_key: str | None = None,
        iam_token: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        version: str = "latest",
        dimensions: int = DIMENSIONS,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Exactly one of ``api_key`` (a service account's API key) or ``iam_token`` (expires within 12 hours:
        a long-lived process should use a key, or build a new embedder with a fresh token)."""
        if not folder_id:
            raise ValueError("a Yandex Cloud folder id is required")
        if bool(api_key) == bool(iam_token):
            raise ValueError("give exactly one of api_key or iam_token")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if timeout <= 0 or backoff < 0 or max_retry_after < 0 or dimensions < 1:
            raise ValueError("timeout and dimensions must be positive; backoff and max_retry_after not negative")
        self._secret = str(api_key or iam_token)
        self._folder_id = folder_id
        self._version = version
        self._dimensions = dimensions
        self._attempts = attempts
        self._backoff = backoff
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self.last_model_version: str | None = None
        self.tokens_used = 0
        authorization = f"Api-Key {api_key}" if api_key else f"Bearer {iam_token}"
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": authorization,
                "x-folder-id": folder_id,
            },
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    # -- the port ---------------------------------------------------------------------------------------------

    @property
    def model(self) -> str:
        return f"yandex/{DOC_MODEL}/{self._version}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def model_uri(self, name: str) -> str:
        return f"emb://{self._folder_id}/{name}/{self._version}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(DOC_MODEL, text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(QUERY_MODEL, text)

    # -- lifecycle --------------------------------------------------------------------------------------------

    def __repr__(self) -> str:  # no key here
        return f"YandexEmbedder(base_url={str(self._client.base_url)!r}, model={self.model!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- HTTP and retries -------------------------------------------------------------------------------------

    def _embed(self, model_name: str, text: str) -> list[float]:
        if not text.strip():
            raise ValueError("cannot embed an empty text")
        body = {"modelUri": self.model_uri(model_name), "text": text}
        answer = self._post(body)
        return self._vector(answer)

    def _post(self, body: dict[str, Any]) -> Any:
        last: _Transient | None = None
        for attempt in range(1, self._attempts + 1):
            try:
                return self._attempt(body)
            except _Transient as exc:
                last = exc
                if attempt == self._attempts:
                    break
                delay = self._delay(attempt, exc.retry_after)
                LOG.warning(
                    "yandex textEmbedding: %s (attempt %d of %d), retrying in %.2f s",
                    exc.reason,
                    attempt,
                    self._attempts,
                    delay,
                )
                self._sleep(delay)
        assert last is not None
        raise EmbeddingUnavailable(
            f"Yandex textEmbedding unavailable after {self._attempts} attempt(s): {last.reason}",
            status=last.status,
            retry_after=last.retry_after,
        )

    def _attempt(self, body: dict[str, Any]) -> Any:
        try:
            response = self._client.post(TEXT_EMBEDDING_PATH, json=body)
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Transient(f"connection failed ({type(exc).__name__}: {self._redact(str(exc))})") from None
        status = response.status_code
        if status == 200:
            try:
                return response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise _Transient("HTTP 200 with a body that is not JSON", status=status) from None
        detail = self._error_detail(response)
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _Transient(f"HTTP {status}{detail}", status=status, retry_after=retry_after)
        hint = {
            400: "the model URI or the text was refused",
            401: "the API key or IAM token is missing or wrong",
            403: "the account lacks the ai.languageModels.user role in the folder",
            404: "wrong base URL",
        }.get(status, "the request was refused")
        raise EmbeddingRejected(f"Yandex textEmbedding refused: HTTP {status}, {hint}{detail}", status=status)

    def _vector(self, answer: Any) -> list[float]:
        raw = answer.get("embedding") if isinstance(answer, dict) else None
        if not isinstance(raw, list):
            raise EmbeddingUnavailable("Yandex textEmbedding: unexpected answer (no 'embedding' list)", status=200)
        try:
            vector = [float(x) for x in raw]
        except (TypeError, ValueError):
            raise EmbeddingUnavailable("Yandex textEmbedding: non-numeric components", status=200) from None
        if len(vector) != self._dimensions:
            raise DimensionMismatch(self._dimensions, len(vector), f"Yandex {self.model}")
        version = answer.get("modelVersion")
        if isinstance(version, str) and version:
            if self.last_model_version not in (None, version):
                LOG.warning(
                    "yandex textEmbedding: model version changed from %s to %s", self.last_model_version, version
                )
            self.last_model_version = version
        tokens = answer.get("numTokens")
        if isinstance(tokens, str | int) and str(tokens).isdigit():
            self.tokens_used += int(tokens)
        norm = math.sqrt(sum(x * x for x in vector))
        if not norm or not math.isfinite(norm):
            raise EmbeddingUnavailable("Yandex textEmbedding: a zero or non-finite vector", status=200)
        return [x / norm for x in vector]

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        return backoff_delay(attempt, retry_after, backoff=self._backoff, max_retry_after=self._max_retry_after)

    def _error_detail(self, response: httpx.Response) -> str:
        """The gateway's error message, redacted and cut short; '' if there is none."""
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return ""
        if not isinstance(body, dict):
            return ""
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        message = error.get("message") if isinstance(error, dict) else None
        return f" ({self._redact(str(message))})" if isinstance(message, str) and message else ""

    def _redact(self, text: str) -> str:
        text = text.replace(self._secret, "***")
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
