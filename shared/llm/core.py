"""The provider port: what a chat request and its answer look like, and the errors a provider raises.

Every client (YandexGPT, GigaChat, Claude) makes exactly one HTTP attempt per `complete` call and maps
the result onto these types; retries, the circuit breaker and fallback live in `shared.llm.chain`, so the
three clients stay small and the policy is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ProviderName = Literal["yandexgpt", "gigachat", "claude", "offline"]


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class ChatRequest:
    """One task's prompt, already rendered: the system text, the conversation, and the output's JSON schema
    (sent as structured output where the API has it, and always spelled out in the prompt)."""

    task: str
    prompt_version: str  # "<task>@v1"
    system: str
    messages: tuple[Message, ...]
    schema: dict[str, Any] = field(default_factory=dict)
    max_tokens: int = 1000
    temperature: float = 0.3
    call_id: str = ""  # one task call (all its attempts and providers); the chain sets it when empty


@dataclass(frozen=True)
class Completion:
    text: str
    model: str  # as the provider reported it (a model version when it gives one)
    input_tokens: int | None = None
    output_tokens: int | None = None


class LLMError(Exception):
    """Base of the errors `shared.llm` raises."""


class ProviderUnavailable(LLMError):
    """A transient failure (timeout, connection, 429, 5xx, 529): worth retrying, then falling back."""

    def __init__(self, message: str, *, kind: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind  # "timeout" | "connection" | "http_429" | "http_503" | "bad_answer" ...
        self.status = status
        self.retry_after = retry_after


class ProviderRejected(LLMError):
    """The provider refused the request (bad key, bad request, content filter): no retry, next provider."""

    def __init__(self, message: str, *, kind: str, status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status


class InvalidModelOutput(LLMError):
    """The model's text is not JSON matching the task's schema, also after one corrective retry."""

    def __init__(self, message: str, *, task: str, provider: str, text: str = ""):
        super().__init__(message)
        self.task = task
        self.provider = provider
        self.text = text[:500]


class LLMUnavailable(LLMError):
    """Every configured provider failed for this call; `failures` says how, provider by provider."""

    def __init__(self, task: str, failures: list[tuple[str, str]]):
        detail = "; ".join(f"{provider}: {reason}" for provider, reason in failures) or "no provider configured"
        super().__init__(f"no language model could answer {task}: {detail}")
        self.task = task
        self.failures = failures


class Provider(Protocol):
    """One remote model behind its HTTP API; `complete` makes a single attempt."""

    name: ProviderName

    @property
    def model(self) -> str: ...

    def complete(self, request: ChatRequest, *, timeout: float) -> Completion: ...

    def close(self) -> None: ...
