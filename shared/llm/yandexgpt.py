"""YandexGPT through Yandex Foundation Models' synchronous text generation, as a `Provider`.

Protocol (Yandex Cloud docs: "Foundation Models Text Generation API, REST: TextGeneration.Completion",
"Formatting model responses" (structured output), "Authentication with the Yandex Foundation Models API"):

    POST {base_url}/foundationModels/v1/completion             (base_url: https://llm.api.cloud.yandex.net)
    Authorization: Api-Key <service account API key>   x-folder-id: <folder id>
    {"modelUri": "gpt://<folder>/yandexgpt/latest",
     "completionOptions": {"stream": false, "temperature": 0.3, "maxTokens": "1000"},
     "messages": [{"role": "system" | "user" | "assistant", "text": "..."}],
     "jsonSchema": {"schema": {...}}}                           (structured output: the answer matches it)

    200 {"result": {"alternatives": [{"message": {"role": "assistant", "text": "..."},
                                       "status": "ALTERNATIVE_STATUS_FINAL"}],
                    "usage": {"inputTextTokens": "87", "completionTokens": "58", "totalTokens": "145"},
                    "modelVersion": "07.03.2024"}}
    errors: {"error": {"grpcCode", "httpCode", "message", "httpStatus"}} — 400, 401, 403, 429, 5xx

An alternative with ``ALTERNATIVE_STATUS_CONTENT_FILTER`` is a refusal (`ProviderRejected`); a truncated one
(``..._TRUNCATED_FINAL``) is passed on and usually fails validation. The key travels only in the header.
"""

from __future__ import annotations

from typing import Any

import httpx

from shared.llm import _http
from shared.llm.core import ChatRequest, Completion, ProviderName, ProviderRejected, ProviderUnavailable

DEFAULT_BASE_URL = "https://llm.api.cloud.yandex.net"
COMPLETION_PATH = "/foundationModels/v1/completion"


class YandexGPT:
    name: ProviderName = "yandexgpt"

    def __init__(
        self,
        folder_id: str,
        api_key: str,
        *,
        model: str = "yandexgpt/latest",
        base_url: str = DEFAULT_BASE_URL,
        structured_output: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not folder_id or not api_key:
            raise ValueError("YandexGPT needs a folder id and an API key")
        self._folder_id = folder_id
        self._model_name = model
        self._structured = structured_output
        self._redact = _http.redactor(api_key)
        self.last_model_version: str | None = None
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Api-Key {api_key}", "x-folder-id": folder_id, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        )

    @property
    def model(self) -> str:
        return f"gpt://{self._folder_id}/{self._model_name}"

    def __repr__(self) -> str:
        return f"YandexGPT(model={self._model_name!r}, base_url={str(self._client.base_url)!r})"

    def body(self, request: ChatRequest) -> dict[str, Any]:
        messages = [{"role": "system", "text": request.system}]
        messages += [{"role": m.role, "text": m.text} for m in request.messages]
        body: dict[str, Any] = {
            "modelUri": self.model,
            "completionOptions": {
                "stream": False,
                "temperature": request.temperature,
                "maxTokens": str(request.max_tokens),
            },
            "messages": messages,
        }
        if self._structured and request.schema:
            body["jsonSchema"] = {"schema": request.schema}
        return body

    def complete(self, request: ChatRequest, *, timeout: float) -> Completion:
        answer = _http.post(
            self._client,
            COMPLETION_PATH,
            provider="YandexGPT",
            redact=self._redact,
            timeout=timeout,
            json_body=self.body(request),
            hints={403: "the service account lacks ai.languageModels.user in the folder"},
        )
        result = answer.get("result") if isinstance(answer, dict) else None
        alternatives = result.get("alternatives") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(alternatives, list) or not alternatives:
            raise ProviderUnavailable("YandexGPT: an answer without result.alternatives", kind="bad_answer")
        first = alternatives[0] if isinstance(alternatives[0], dict) else {}
        if first.get("status") == "ALTERNATIVE_STATUS_CONTENT_FILTER":
            raise ProviderRejected("YandexGPT: the answer was withheld by the content filter", kind="content_filter")
        message = first.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str):
            raise ProviderUnavailable("YandexGPT: an alternative without message.text", kind="bad_answer")
        usage = _http.mapping(result.get("usage"))
        version = result.get("modelVersion")
        if isinstance(version, str) and version:
            self.last_model_version = version
        model = f"{self._model_name}@{version}" if isinstance(version, str) and version else self._model_name
        return Completion(
            text=text,
            model=model,
            input_tokens=_http.as_int(usage.get("inputTextTokens")),
            output_tokens=_http.as_int(usage.get("completionTokens")),
        )

    def close(self) -> None:
        self._client.close()
