"""GigaChat (Sber) as a `Provider`: an OAuth access token, then OpenAI-like chat completions.

Protocol (developers.sber.ru, GigaChat API: "Авторизация", "Получить токен доступа", "Получить ответ модели"):

    POST {oauth_url}/api/v2/oauth                         (oauth_url: https://ngw.devices.sberbank.ru:9443)
    Authorization: Basic <authorization key>   RqUID: <uuid4>   Content-Type: application/x-www-form-urlencoded
    scope=GIGACHAT_API_PERS                                (or GIGACHAT_API_B2B / GIGACHAT_API_CORP)
    200 {"access_token": "...", "expires_at": 1706026848841}          (ms since the epoch; valid 30 minutes)

    POST {base_url}/api/v1/chat/completions               (base_url: https://gigachat.devices.sberbank.ru)
    Authorization: Bearer <access token>
    {"model": "GigaChat-Pro", "messages": [{"role": "system" | "user" | "assistant", "content": "..."}],
     "temperature": 0.3, "max_tokens": 1000}
    200 {"choices": [{"message": {"role": "assistant", "content": "..."}, "finish_reason": "stop"}],
         "model": "GigaChat-Pro:1.0.26.20", "usage": {"prompt_tokens": 1, "completion_tokens": 4}}
    errors: {"status": 401, "message": "Unauthorized"}; 400, 404, 422, 429, 500

The token is cached until 60 s before ``expires_at`` and fetched again on a 401 from the chat endpoint
(once per call). GigaChat has no JSON-schema output mode here: the shape is asked for in the prompt. Its
certificates chain to the Russian Trusted Root CA: pass a bundle that has it (``verify``). The
authorization key and the token travel only in headers and are redacted from messages.
"""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from shared.llm import _http
from shared.llm.core import ChatRequest, Completion, ProviderName, ProviderRejected, ProviderUnavailable

DEFAULT_BASE_URL = "https://gigachat.devices.sberbank.ru"
DEFAULT_OAUTH_URL = "https://ngw.devices.sberbank.ru:9443"
OAUTH_PATH = "/api/v2/oauth"
CHAT_PATH = "/api/v1/chat/completions"
TOKEN_MARGIN_S = 60.0


class GigaChat:
    name: ProviderName = "gigachat"

    def __init__(
        self,
        auth_key: str,
        *,
        model: str = "GigaChat-Pro",
        scope: str = "GIGACHAT_API_PERS",
        base_url: str = DEFAULT_BASE_URL,
        oauth_url: str = DEFAULT_OAUTH_URL,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not auth_key:
            raise ValueError("GigaChat needs an authorization key")
        self._auth_key = auth_key
        self._model_name = model
        self._scope = scope
        self._oauth_url = oauth_url.rstrip("/") + OAUTH_PATH
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0  # seconds since the epoch
        self.tokens_fetched = 0
        # A CA bundle path becomes an SSL context (httpx 0.28 deprecates verify=<path>).
        tls: bool | ssl.SSLContext = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Accept": "application/json"},
            verify=tls,
            transport=transport,
            follow_redirects=False,
        )

    @property
    def model(self) -> str:
        return self._model_name

    def __repr__(self) -> str:
        return f"GigaChat(model={self._model_name!r}, base_url={str(self._client.base_url)!r})"

    def _redact(self, text: str) -> str:
        return _http.redactor(self._auth_key, self._token or "")(text)

    # -- the token -------------------------------------------------------------------------------------------

    def access_token(self, *, timeout: float, force: bool = False) -> str:
        """The cached token, or a new one when it is missing, about to expire, or ``force``."""
        with self._lock:
            if not force and self._token and self._clock() < self._expires_at - TOKEN_MARGIN_S:
                return self._token
            answer = _http.post(
                self._client,
                self._oauth_url,
                provider="GigaChat OAuth",
                redact=self._redact,
                timeout=timeout,
                data={"scope": self._scope},
                headers={
                    "Authorization": f"Basic {self._auth_key}",
                    "RqUID": str(uuid.uuid4()),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                hints={400: "the scope was refused", 401: "the authorization key is wrong"},
            )
            token = answer.get("access_token") if isinstance(answer, dict) else None
            expires_ms = answer.get("expires_at") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token or not isinstance(expires_ms, int | float):
                raise ProviderUnavailable(
                    "GigaChat OAuth: an answer without access_token/expires_at", kind="bad_answer"
                )
            self._token = token
            self._expires_at = float(expires_ms) / 1000.0
            self.tokens_fetched += 1
            return token

    # -- chat ------------------------------------------------------------------------------------------------

    def body(self, request: ChatRequest) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}]
        messages += [{"role": m.role, "content": m.text} for m in request.messages]
        return {
            "model": self._model_name,
            "messages": messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": False,
        }

    def complete(self, request: ChatRequest, *, timeout: float) -> Completion:
        token = self.access_token(timeout=timeout)
        try:
            answer = self._chat(request, token, timeout)
        except ProviderRejected as exc:
            if exc.status != 401:
                raise
            answer = self._chat(request, self.access_token(timeout=timeout, force=True), timeout)
        choices = answer.get("choices") if isinstance(answer, dict) else None
        first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else None
        message = first.get("message") if first else None
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str):
            raise ProviderUnavailable("GigaChat: an answer without choices[0].message.content", kind="bad_answer")
        if first and first.get("finish_reason") == "blacklist":
            raise ProviderRejected("GigaChat: the answer was withheld by the content filter", kind="content_filter")
        usage = _http.mapping(answer.get("usage"))
        model = answer.get("model") if isinstance(answer.get("model"), str) else self._model_name
        return Completion(
            text=text,
            model=str(model),
            input_tokens=_http.as_int(usage.get("prompt_tokens")),
            output_tokens=_http.as_int(usage.get("completion_tokens")),
        )

    def _chat(self, request: ChatRequest, token: str, timeout: float) -> Any:
        return _http.post(
            self._client,
            CHAT_PATH,
            provider="GigaChat",
            redact=self._redact,
            timeout=timeout,
            json_body=self.body(request),
            headers={"Authorization": f"Bearer {token}"},
            hints={401: "the access token was refused", 422: "the request was refused"},
        )

    def close(self) -> None:
        self._client.close()
