"""The provider chain: which model answers a task, and what happens when one fails.

Order (seed: YandexGPT primary, GigaChat fallback, Claude for complex tasks): routine tasks go to
YandexGPT, then GigaChat; complex tasks (the compatibility explanation) go to Claude first, then YandexGPT,
then GigaChat. Claude is the last resort for routine tasks (cost, and company data stays with the Russian
providers while they answer). Providers without a configured key are simply not in the chain.

Per provider:
- each request has a timeout; timeouts, connection errors, 429 and 5xx/529 are retried with exponential
  backoff and full jitter (the server's Retry-After instead, capped), up to ``attempts`` requests;
- a refusal (401, 403, 400, content filter) is not retried: the chain moves on;
- one task call has a time budget (``deadline``; ``llm_deadline_seconds``, 12 s): no request, retry wait or further
  provider goes past it, so a caller waiting on an HTTP request gets an answer or an error in time;
- a circuit breaker (powertools' circuit_breaker utility, state kept in this execution environment)
  opens after ``circuit_failures`` consecutive calls that ended unavailable, skips the provider for
  ``circuit_recovery_s`` seconds, then lets probes through;
- the answer is parsed and validated against the task's schema; an invalid one is sent back once with the
  validation error, and a second invalid answer is `InvalidModelOutput`, after which the next provider
  is asked.

Every HTTP request is recorded (`shared.llm.records`): provider, model, task, prompt version, attempt,
latency, tokens and outcome. When every provider failed the chain raises `LLMUnavailable` (or the last
`InvalidModelOutput` when every provider answered, but never validly).
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from aws_lambda_powertools.utilities.circuit_breaker import (
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    circuit_breaker,
)
from aws_lambda_powertools.utilities.circuit_breaker.persistence import (
    CircuitBreakerPersistenceLayer,
    CircuitStateRecord,
)
from aws_lambda_powertools.utilities.circuit_breaker.persistence.base import CircuitBreakerExistingLockError
from aws_lambda_powertools.utilities.circuit_breaker.states import CircuitState
from pydantic import BaseModel

from shared.llm.core import (
    ChatRequest,
    Completion,
    InvalidModelOutput,
    LLMUnavailable,
    Provider,
    ProviderRejected,
    ProviderUnavailable,
)
from shared.llm.output import parse
from shared.llm.prompting import correction
from shared.llm.records import CallRecord, CallRecorder

LOG = logging.getLogger(__name__)

ROUTINE_ORDER = ("yandexgpt", "gigachat", "claude")
COMPLEX_ORDER = ("claude", "yandexgpt", "gigachat")


class LocalCircuitStore(CircuitBreakerPersistenceLayer):
    """Circuit state in this process's memory: each function instance learns a provider is down on its own.
    (powertools ships a DynamoDB store for a fleet-wide view; this project does not deploy its table.)"""

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[str, CircuitStateRecord] = {}
        self._records_lock = threading.Lock()

    def _get_record(self, name: str) -> CircuitStateRecord | None:
        with self._records_lock:
            return self._records.get(name)

    def _put_record(
        self, record: CircuitStateRecord, condition: str | None = None, expected_opened_at: int | None = None
    ) -> None:
        with self._records_lock:
            if condition == "half_open":
                current = self._records.get(record.name)
                if (
                    current is None
                    or current.state != CircuitState.OPEN
                    or current.half_open_owner is not None
                    or (expected_opened_at is not None and current.opened_at != expected_opened_at)
                ):
                    raise CircuitBreakerExistingLockError
            self._records[record.name] = record

    def _update_record(self, record: CircuitStateRecord) -> None:
        with self._records_lock:
            self._records[record.name] = record

    def state(self, name: str) -> CircuitState:
        record = self._get_record(name)
        return record.state if record else CircuitState.CLOSED


@dataclass(frozen=True)
class Answer[T: BaseModel]:
    output: T
    provider: str
    model: str


class ProviderChain:
    """Providers in the seed's order, each behind retries and a circuit breaker; see the module docstring."""

    def __init__(
        self,
        providers: Sequence[Provider],
        recorder: CallRecorder,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 0.5,
        max_retry_after: float = 10.0,
        circuit_failures: int = 3,
        circuit_recovery_s: int = 30,
        deadline: float = 12.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1 or timeout <= 0:
            raise ValueError("attempts must be at least 1 and timeout positive")
        self.providers: dict[str, Provider] = {p.name: p for p in providers}
        self.recorder = recorder
        self.timeout = timeout
        self.deadline = deadline
        self.attempts = attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self.circuits = LocalCircuitStore()
        config = CircuitBreakerConfig(
            failure_threshold=circuit_failures,
            recovery_timeout=circuit_recovery_s,
            success_threshold=1,
            handled_exceptions=(ProviderUnavailable,),
            local_cache_max_age=0,
        )
        suffix = uuid.uuid4().hex[:8]  # powertools keeps counters per circuit name, module-wide
        self.circuit_names = {name: f"llm-{name}-{suffix}" for name in self.providers}
        self._guarded: dict[str, Callable[[ChatRequest, float], tuple[Completion, int, int]]] = {
            name: circuit_breaker(name=self.circuit_names[name], persistence_store=self.circuits, config=config)(
                self._requester(provider)
            )
            for name, provider in self.providers.items()
        }

    def order(self, *, complex_task: bool) -> list[Provider]:
        names = COMPLEX_ORDER if complex_task else ROUTINE_ORDER
        return [self.providers[n] for n in names if n in self.providers]

    def circuit_state(self, provider: str) -> str:
        return str(self.circuits.state(self.circuit_names[provider]))

    def close(self) -> None:
        for provider in self.providers.values():
            provider.close()

    # -- one task --------------------------------------------------------------------------------------------

    def run[T: BaseModel](self, request: ChatRequest, output: type[T], *, complex_task: bool = False) -> Answer[T]:
        providers = self.order(complex_task=complex_task)
        failures: list[tuple[str, str]] = []
        invalid: InvalidModelOutput | None = None
        deadline = time.monotonic() + self.deadline
        if not request.call_id:
            request = replace(request, call_id=uuid.uuid4().hex)
        for provider in providers:
            if time.monotonic() >= deadline:
                failures.append((provider.name, f"not asked: the call's {self.deadline:g}-s budget is spent"))
                continue
            try:
                result, completion = self._ask(provider, request, output, deadline)
                return Answer(result, provider.name, completion.model)
            except CircuitBreakerOpenError:
                self._record(provider, request, "circuit_open", 0, error_kind="circuit_open")
                failures.append((provider.name, "circuit open"))
            except (ProviderUnavailable, ProviderRejected) as exc:
                failures.append((provider.name, str(exc)))
            except InvalidModelOutput as exc:
                failures.append((provider.name, f"invalid output: {exc}"))
                invalid = exc
            LOG.warning(
                "llm %s: %s failed (%s), trying the next provider", request.task, provider.name, failures[-1][1]
            )
        if invalid is not None and all(reason.startswith("invalid output") for _, reason in failures):
            raise invalid
        raise LLMUnavailable(request.task, failures)

    def _ask[T: BaseModel](
        self, provider: Provider, request: ChatRequest, output: type[T], deadline: float
    ) -> tuple[T, Completion]:
        """The provider's validated answer: one corrective round after an invalid one."""
        current = request
        for round_ in (1, 2):
            completion, latency_ms, attempt = self._guarded[provider.name](current, deadline)
            try:
                result = parse(completion.text, output, task=request.task, provider=provider.name)
            except InvalidModelOutput as exc:
                self._record(
                    provider,
                    request,
                    "invalid_output",
                    latency_ms,
                    attempt=attempt,
                    error_kind="schema",
                    completion=completion,
                )
                if round_ == 2:
                    raise
                LOG.warning("llm %s: %s answered invalid output (%s), asking again", request.task, provider.name, exc)
                current = correction(request, completion.text, str(exc))
                continue
            self._record(provider, request, "ok", latency_ms, attempt=attempt, completion=completion)
            return result, completion
        raise AssertionError("unreachable")

    def _requester(self, provider: Provider) -> Callable[[ChatRequest, float], tuple[Completion, int, int]]:
        def request_with_retries(request: ChatRequest, deadline: float) -> tuple[Completion, int, int]:
            """(completion, latency of the successful request in ms, its attempt number); no request or wait
            goes past ``deadline`` (a monotonic time)."""
            for attempt in range(1, self.attempts + 1):
                started = time.monotonic()
                timeout = max(0.05, min(self.timeout, deadline - started))
                try:
                    return provider.complete(request, timeout=timeout), _ms(started), attempt
                except ProviderRejected as exc:
                    self._record(provider, request, "error", _ms(started), attempt=attempt, error_kind=exc.kind)
                    raise
                except ProviderUnavailable as exc:
                    delay = self.delay(attempt, exc.retry_after)
                    last = attempt == self.attempts or time.monotonic() + delay >= deadline
                    outcome = "error" if last else "retry"
                    self._record(provider, request, outcome, _ms(started), attempt=attempt, error_kind=exc.kind)
                    if last:
                        raise
                    self._sleep(delay)
            raise AssertionError("unreachable")

        return request_with_retries

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server gave one (capped), else exponential backoff with full jitter."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling: float = min(self.backoff * 2.0 ** (attempt - 1), self.max_retry_after)
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography

    def _record(
        self,
        provider: Provider,
        request: ChatRequest,
        outcome: str,
        latency_ms: int,
        *,
        attempt: int = 1,
        error_kind: str | None = None,
        completion: Completion | None = None,
    ) -> None:
        call = CallRecord(
            provider=provider.name,
            model=completion.model if completion else provider.model,
            task=request.task,
            prompt_version=request.prompt_version,
            call_id=request.call_id,
            outcome=outcome,
            error_kind=error_kind,
            attempt=attempt,
            latency_ms=latency_ms,
            input_tokens=completion.input_tokens if completion else None,
            output_tokens=completion.output_tokens if completion else None,
        )
        try:
            self.recorder.record(call)
        except Exception as exc:
            LOG.warning("llm call record lost: %s", type(exc).__name__)


def _ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
