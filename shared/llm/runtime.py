"""Which providers answer, decided once per cold start from the settings.

A provider is in the chain when its key's secret is named in the settings (the secret is read then; a
named secret that cannot be read fails the cold start, like any bad setting). With no provider the tasks
answer offline and their calls are only logged; with providers every call is logged and, when
``llm_record_calls`` is on, stored in ``llm_calls``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shared.llm.core import Provider
from shared.llm.records import CallRecorder, LogRecorder, PostgresRecorder, Recorders
from shared.settings import Settings, SettingsError

if TYPE_CHECKING:  # the chain imports powertools' circuit breaker, whose package imports boto3 (~0.15 s):
    from shared.llm.chain import ProviderChain  # an offline-only function never pays for it


@dataclass
class LLMRuntime:
    chain: ProviderChain | None  # None: no provider configured, every task answers offline
    recorder: CallRecorder = field(default_factory=LogRecorder)
    offline_fallback: bool = True  # the settings' llm_offline_fallback; a task's offline_fallback= overrides

    @property
    def providers(self) -> list[str]:
        return list(self.chain.providers) if self.chain else []


def providers_from(settings: Settings, secret: Callable[[str], str]) -> list[Provider]:
    """The configured providers' clients, in no particular order (the chain orders them per task)."""
    providers: list[Provider] = []
    if settings.llm_yandexgpt_api_key_secret:
        from shared.llm.yandexgpt import YandexGPT

        providers.append(
            YandexGPT(
                settings.require("yandex_folder_id"),
                _read(secret, settings.llm_yandexgpt_api_key_secret, "LLM_YANDEXGPT_API_KEY_SECRET"),
                model=settings.llm_yandexgpt_model,
                base_url=settings.llm_yandexgpt_url,
            )
        )
    if settings.llm_gigachat_auth_key_secret:
        from shared.llm.gigachat import GigaChat

        providers.append(
            GigaChat(
                _read(secret, settings.llm_gigachat_auth_key_secret, "LLM_GIGACHAT_AUTH_KEY_SECRET"),
                model=settings.llm_gigachat_model,
                scope=settings.llm_gigachat_scope,
                base_url=settings.llm_gigachat_url,
                oauth_url=settings.llm_gigachat_oauth_url,
                verify=settings.llm_gigachat_ca_bundle or True,
            )
        )
    if settings.llm_claude_api_key_secret:
        from shared.llm.claude import Claude

        providers.append(
            Claude(
                _read(secret, settings.llm_claude_api_key_secret, "LLM_CLAUDE_API_KEY_SECRET"),
                model=settings.llm_claude_model,
                base_url=settings.llm_claude_url,
            )
        )
    return providers


def build_runtime(
    settings: Settings,
    *,
    secret: Callable[[str], str] | None = None,
    recorder: CallRecorder | None = None,
) -> LLMRuntime:
    """``secret`` reads a secret by name (default: `shared.secrets.read_secret`, cached 5 minutes)."""
    from shared.llm.chain import ProviderChain
    from shared.secrets import read_secret

    providers = providers_from(settings, secret or read_secret)
    if not providers:
        return LLMRuntime(chain=None, recorder=recorder or LogRecorder())
    if recorder is None:
        parts: list[CallRecorder] = [LogRecorder()]
        if settings.llm_record_calls:
            parts.append(PostgresRecorder(settings.database_url))
        recorder = Recorders(*parts)
    chain = ProviderChain(
        providers,
        recorder,
        timeout=settings.llm_timeout_seconds,
        attempts=settings.llm_attempts,
        max_retry_after=settings.llm_max_retry_after_seconds,
        circuit_failures=settings.llm_circuit_failures,
        circuit_recovery_s=settings.llm_circuit_recovery_seconds,
        deadline=settings.llm_deadline_seconds,
    )
    return LLMRuntime(chain=chain, recorder=recorder, offline_fallback=settings.llm_offline_fallback)


_lock = threading.Lock()
_runtimes: dict[str, LLMRuntime] = {}


def runtime(settings: Settings) -> LLMRuntime:
    """The instance's runtime for these settings (built on first use, then reused while warm)."""
    key = settings.model_dump_json()
    with _lock:
        found = _runtimes.get(key)
        if found is None:
            found = _runtimes[key] = build_runtime(settings)
        return found


def _read(secret: Callable[[str], str], name: str, variable: str) -> str:
    try:
        value = secret(name)
    except Exception as exc:
        raise SettingsError(f"ALGOARTS_{variable}: the secret {name!r} cannot be read ({type(exc).__name__})") from None
    if not value or not value.strip():
        raise SettingsError(f"ALGOARTS_{variable}: the secret {name!r} is empty")
    return value.strip()
