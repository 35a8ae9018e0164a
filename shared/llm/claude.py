"""Claude through Anthropic's Messages API, as a `Provider` (the seed's model for complex tasks).

Protocol (Anthropic docs: "Messages" API reference, "Errors", "Versioning"):

    POST {base_url}/v1/messages                                  (base_url: https://api.anthropic.com)
    x-api-key: <key>   anthropic-version: 2023-06-01   content-type: application/json
    {"model": "claude-sonnet-4-5", "max_tokens": 1000, "system": "...", "temperature": 0.3,
     "messages": [{"role": "user" | "assistant", "content": "..."}]}

    200 {"id": "msg_...", "type": "message", "role": "assistant", "model": "...",
         "content": [{"type": "text", "text": "..."}], "stop_reason": "end_turn",
         "usage": {"input_tokens": 12, "output_tokens": 34}}
    errors: {"type": "error", "error": {"type": "overloaded_error" | "rate_limit_error" | ..., "message"}}
         400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
         413 request_too_large, 429 rate_limit_error (retry-after header), 500 api_error, 529 overloaded_error

The JSON shape is asked for in the prompt (the schema is spelled out there); the answer's text blocks are
joined. The key travels only in the x-api-key header.
"""

from __future__ import annotations

from typing import Any

import httpx

from shared.llm import _http
from shared.llm.core import ChatRequest, Completion, ProviderName, ProviderUnavailable

DEFAULT_BASE_URL = "https://api.anthropic.com"
MESSAGES_PATH = "/v1/messages"
API_VERSION = "2023-06-01"


class Claude:
    name: ProviderName = "claude"

    def __init__(
        self,
        api_key: str,
        *,
        model: str = "claude-sonnet-4-5",
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("Claude needs an API key")
        self._model_name = model
        self._redact = _http.redactor(api_key)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"x-api-key": api_key, "anthropic-version": API_VERSION, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    @property
    def model(self) -> str:
        return self._model_name

    def __repr__(self) -> str:
        return f"Claude(model={self._model_name!r}, base_url={str(self._client.base_url)!r})"

    def body(self, request: ChatRequest) -> dict[str, Any]:
        return {
            "model": self._model_name,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "system": request.system,
            "messages": [{"role": m.role, "content": m.text} for m in request.messages],
        }

    def complete(self, request: ChatRequest, *, timeout: float) -> Completion:
        answer = _http.post(
            self._client,
            MESSAGES_PATH,
            provider="Claude",
            redact=self._redact,
            timeout=timeout,
            json_body=self.body(request),
            hints={401: "the API key is missing or wrong", 413: "the prompt is too large"},
        )
        content = answer.get("content") if isinstance(answer, dict) else None
        if not isinstance(content, list):
            raise ProviderUnavailable("Claude: an answer without content blocks", kind="bad_answer")
        texts = [b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text" and "text" in b]
        if not texts:
            raise ProviderUnavailable("Claude: an answer without a text block", kind="bad_answer")
        usage = _http.mapping(answer.get("usage"))
        model = answer.get("model") if isinstance(answer.get("model"), str) else self._model_name
        return Completion(
            text="".join(str(t) for t in texts),
            model=str(model),
            input_tokens=_http.as_int(usage.get("input_tokens")),
            output_tokens=_http.as_int(usage.get("output_tokens")),
        )

    def close(self) -> None:
        self._client.close()
