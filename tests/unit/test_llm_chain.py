"""The provider chain's decisions with in-process providers (no sockets): order, retries, breaker, fallback."""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

import pytest

from shared.llm import offline, tasks
from shared.llm.chain import ProviderChain
from shared.llm.core import (
    ChatRequest,
    Completion,
    InvalidModelOutput,
    LLMUnavailable,
    Message,
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
)
from shared.llm.output import ExplanationOut
from shared.llm.records import MemoryRecorder
from shared.llm.runtime import LLMRuntime, build_runtime
from shared.settings import Settings, SettingsError

OK = json.dumps({"text": "Компании дополняют друг друга в рознице."}, ensure_ascii=False)
REQUEST = ChatRequest("compatibility_explanation", "compatibility_explanation@v1", "s", (Message("user", "u"),))
A = {"id": "a", "name": "Альфа", "industry": "fintech", "description": "Платежи для магазинов. Быстро."}
B = {"id": "b", "name": "Бета", "industry": "logistics"}


class Scripted:
    """A provider answering from a script: a str is the answer's text, an exception is raised."""

    def __init__(self, name: ProviderName, *script: Any) -> None:
        self.name = name
        self.script: deque[Any] = deque(script)
        self.calls = 0
        self.timeouts: list[float] = []

    @property
    def model(self) -> str:
        return f"{self.name}-model"

    def complete(self, request: ChatRequest, *, timeout: float) -> Completion:
        self.calls += 1
        self.timeouts.append(timeout)
        step = self.script.popleft() if self.script else OK
        if isinstance(step, float):  # seconds of work, then a timeout
            time.sleep(step)
            raise ProviderUnavailable("timed out", kind="timeout")
        if isinstance(step, Exception):
            raise step
        return Completion(text=step, model=self.model, input_tokens=10, output_tokens=5)

    def close(self) -> None:
        pass


def unavailable(status: int = 503, retry_after: float | None = None) -> ProviderUnavailable:
    return ProviderUnavailable(f"HTTP {status}", kind=f"http_{status}", status=status, retry_after=retry_after)


def chain(*providers: Scripted, **kw: Any) -> tuple[ProviderChain, MemoryRecorder, list[float]]:
    recorder = MemoryRecorder()
    slept: list[float] = []
    options = {"attempts": 3, "backoff": 0.5, "sleep": slept.append, **kw}
    return ProviderChain(list(providers), recorder, **options), recorder, slept


def test_routine_tasks_prefer_yandexgpt_and_complex_ones_claude() -> None:
    c, _, _ = chain(Scripted("gigachat"), Scripted("claude"), Scripted("yandexgpt"))
    assert [p.name for p in c.order(complex_task=False)] == ["yandexgpt", "gigachat", "claude"]
    assert [p.name for p in c.order(complex_task=True)] == ["claude", "yandexgpt", "gigachat"]
    only_giga, _, _ = chain(Scripted("gigachat"))
    assert [p.name for p in only_giga.order(complex_task=True)] == ["gigachat"]


def test_transient_failures_are_retried_with_capped_backoff_and_retry_after() -> None:
    yandex = Scripted("yandexgpt", unavailable(503), unavailable(429, retry_after=60.0))
    c, recorder, slept = chain(yandex, max_retry_after=5.0)
    answer = c.run(REQUEST, ExplanationOut)
    assert answer.provider == "yandexgpt" and yandex.calls == 3
    assert 0 <= slept[0] <= 0.5 and slept[1] == 5.0  # jittered backoff, then Retry-After capped
    assert [(r.outcome, r.error_kind, r.attempt) for r in recorder.calls] == [
        ("retry", "http_503", 1),
        ("retry", "http_429", 2),
        ("ok", None, 3),
    ]
    assert all(0 <= c.delay(n, None) <= min(0.5 * 2 ** (n - 1), 10.0) for n in range(1, 8) for _ in range(20))


def test_a_refusal_moves_on_without_retrying() -> None:
    yandex = Scripted("yandexgpt", ProviderRejected("HTTP 401", kind="http_401", status=401))
    giga = Scripted("gigachat")
    c, recorder, slept = chain(yandex, giga)
    assert c.run(REQUEST, ExplanationOut).provider == "gigachat"
    assert yandex.calls == 1 and not slept
    assert [(r.provider, r.outcome) for r in recorder.calls] == [("yandexgpt", "error"), ("gigachat", "ok")]


def test_the_breaker_opens_per_provider_and_counts_calls_not_attempts() -> None:
    yandex = Scripted("yandexgpt", *[unavailable()] * 6)
    giga = Scripted("gigachat")
    c, recorder, _ = chain(yandex, giga, attempts=3, circuit_failures=2, circuit_recovery_s=60)
    c.run(REQUEST, ExplanationOut)
    assert c.circuit_state("yandexgpt") == "CLOSED" and yandex.calls == 3
    c.run(REQUEST, ExplanationOut)
    assert c.circuit_state("yandexgpt") == "OPEN" and yandex.calls == 6
    assert c.run(REQUEST, ExplanationOut).provider == "gigachat" and yandex.calls == 6
    assert recorder.calls[-2].outcome == "circuit_open" and recorder.calls[-2].provider == "yandexgpt"
    other, _, _ = chain(Scripted("yandexgpt"))  # another chain: its own circuit
    assert other.circuit_state("yandexgpt") == "CLOSED"


def test_refusals_and_invalid_output_do_not_open_the_breaker() -> None:
    rejected = [ProviderRejected("HTTP 400", kind="http_400", status=400)] * 3
    yandex = Scripted("yandexgpt", *rejected, "нет", "нет")
    c, _, _ = chain(yandex, Scripted("gigachat"), circuit_failures=1)
    for _ in range(4):
        c.run(REQUEST, ExplanationOut)
    assert c.circuit_state("yandexgpt") == "CLOSED"


def test_invalid_output_is_corrected_once_then_rejected_or_falls_back() -> None:
    c, recorder, _ = chain(Scripted("yandexgpt", "не JSON", "снова не JSON"))
    with pytest.raises(InvalidModelOutput, match="holds no JSON"):
        c.run(REQUEST, ExplanationOut)
    assert [r.outcome for r in recorder.calls] == ["invalid_output", "invalid_output"]
    c, recorder, _ = chain(Scripted("yandexgpt", '{"text": "x"}', OK))
    assert c.run(REQUEST, ExplanationOut).output.text.startswith("Компании")
    c, recorder, _ = chain(Scripted("yandexgpt", "нет", "нет"), Scripted("gigachat"))
    assert c.run(REQUEST, ExplanationOut).provider == "gigachat"


def test_when_every_provider_fails_the_reasons_are_listed() -> None:
    c, _, _ = chain(Scripted("yandexgpt", *[unavailable(502)] * 3), Scripted("gigachat", "нет", "нет"))
    with pytest.raises(LLMUnavailable, match=r"yandexgpt: HTTP 502; gigachat: invalid output") as info:
        c.run(REQUEST, ExplanationOut)
    assert [p for p, _ in info.value.failures] == ["yandexgpt", "gigachat"]


def test_offline_fallback_answers_only_when_allowed(settings: Settings) -> None:
    failing, _, _ = chain(Scripted("yandexgpt", *[unavailable()] * 3), attempts=3)
    strict = LLMRuntime(chain=failing, recorder=MemoryRecorder(), offline_fallback=False)
    with pytest.raises(LLMUnavailable):
        tasks.write_outreach(settings, A, B, {}, runtime=strict)
    failing2, shared_recorder, _ = chain(Scripted("yandexgpt", *[unavailable()] * 3), attempts=3)
    lenient = LLMRuntime(chain=failing2, recorder=shared_recorder, offline_fallback=True)
    draft = tasks.write_outreach(settings, A, B, {}, runtime=lenient)
    records = shared_recorder.calls
    assert [(r.provider, r.outcome) for r in records] == [("yandexgpt", "retry")] * 2 + [
        ("yandexgpt", "error"),
        ("offline", "ok"),
    ]
    assert len({r.call_id for r in records}) == 1
    assert draft.made_by.offline and draft.made_by.provider == "offline" and draft.made_by.prompt == "outreach@v1"
    failing3, _, _ = chain(Scripted("yandexgpt", *[unavailable()] * 3), attempts=3)
    per_call = LLMRuntime(chain=failing3, recorder=MemoryRecorder(), offline_fallback=True)
    with pytest.raises(LLMUnavailable):  # a worker that retries later asks for the error
        tasks.write_outreach(settings, A, B, {}, runtime=per_call, offline_fallback=False)
    assert Settings(database_url="postgresql://x", redis_url="redis://x").llm_offline_fallback is True


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="postgresql://u:p@127.0.0.1:1/db", redis_url="redis://127.0.0.1:1/0")


def test_no_configured_provider_means_offline_and_a_recorded_offline_answer(settings: Settings) -> None:
    recorder = MemoryRecorder()
    runtime = build_runtime(settings, recorder=recorder)
    assert runtime.chain is None
    result = tasks.explain_pair(settings, A, B, {"score": 0.8, "synergy_areas": ["оплата"]}, runtime=runtime)
    assert result.made_by.offline and result.made_by.model == offline.MODEL
    assert [(c.provider, c.outcome, c.task) for c in recorder.calls] == [("offline", "ok", "compatibility_explanation")]
    default = tasks.explain_pair(settings, A, B, {"score": 0.8})  # the cold-start runtime: also offline
    assert default.made_by.offline


def test_a_named_secret_that_cannot_be_read_fails_the_cold_start(settings: Settings) -> None:
    configured = settings.model_copy(update={"llm_claude_api_key_secret": "algoarts/claude"})

    def missing(name: str) -> str:
        raise KeyError(name)

    with pytest.raises(SettingsError, match="ALGOARTS_LLM_CLAUDE_API_KEY_SECRET: the secret 'algoarts/claude'"):
        build_runtime(configured, secret=missing)
    with pytest.raises(SettingsError, match="is empty"):
        build_runtime(configured, secret=lambda name: " ")
    runtime = build_runtime(configured, secret=lambda name: "sk-ant-test", recorder=MemoryRecorder())
    assert runtime.providers == ["claude"] and "sk-ant-test" not in repr(runtime.chain.providers["claude"])  # type: ignore[union-attr]


def test_yandexgpt_needs_the_folder_id_at_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.settings import get_settings

    monkeypatch.setenv("ALGOARTS_LLM_YANDEXGPT_API_KEY_SECRET", "algoarts/yandex-api-key")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="ALGOARTS_YANDEX_FOLDER_ID is required"):
        get_settings()


def test_one_call_keeps_to_its_time_budget() -> None:
    # A Retry-After that would end past the budget is not waited for: the next provider is asked.
    yandex = Scripted("yandexgpt", unavailable(429, retry_after=5.0))
    c, recorder, slept = chain(yandex, Scripted("gigachat"), deadline=1.0, max_retry_after=10.0)
    assert c.run(REQUEST, ExplanationOut).provider == "gigachat" and not slept and yandex.calls == 1
    assert recorder.calls[0].outcome == "error"
    # Request timeouts shrink to what is left, and a spent budget asks no further provider.
    slow = Scripted("yandexgpt", 0.3)
    giga = Scripted("gigachat")
    c, _, _ = chain(slow, giga, deadline=0.25, timeout=20.0, attempts=1)
    with pytest.raises(LLMUnavailable, match=r"gigachat: not asked: the call's 0\.25-s budget is spent"):
        c.run(REQUEST, ExplanationOut)
    assert slow.timeouts[0] <= 0.25 and giga.calls == 0


def test_the_log_recorder_writes_one_structured_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import logging

    from shared.llm.records import CallRecord, LogRecorder

    recorder = LogRecorder()
    out = io.StringIO()
    for handler in logging.getLogger("algoarts").handlers:  # powertools' stdout handler, wherever it was made
        monkeypatch.setattr(handler, "stream", out)
    recorder.record(
        CallRecord(
            provider="gigachat",
            model="GigaChat-Pro",
            task="outreach",
            prompt_version="outreach@v1",
            outcome="retry",
            latency_ms=12,
            error_kind="http_503",
            input_tokens=None,
        )
    )
    (text,) = out.getvalue().strip().splitlines()
    line = json.loads(text)
    assert line["message"] == "llm call" and line["level"] == "WARNING"
    assert line["llm_call"]["provider"] == "gigachat" and line["llm_call"]["error_kind"] == "http_503"
    assert line["llm_call"]["prompt_version"] == "outreach@v1" and line["llm_call"]["latency_ms"] == 12


def test_gigachat_takes_a_ca_bundle_path_for_the_russian_root(tmp_path: Any) -> None:
    import ssl
    import subprocess

    from shared.llm.gigachat import GigaChat

    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test Root CA",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    client = GigaChat("key", verify=str(cert))
    context = client._client._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert isinstance(context, ssl.SSLContext) and context.get_ca_certs()[0]["subject"][0][0][1] == "Test Root CA"
    client.close()
