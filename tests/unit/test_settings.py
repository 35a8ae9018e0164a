from __future__ import annotations

import pytest

from shared.settings import SettingsError, get_settings


def test_valid_environment_gives_defaults() -> None:
    settings = get_settings()
    assert settings.search_backend == "postgres"
    assert settings.event_bus == "direct"


def test_missing_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALGOARTS_DATABASE_URL")
    with pytest.raises(SettingsError, match="ALGOARTS_DATABASE_URL"):
        get_settings()


def test_bad_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOARTS_REDIS_URL", "localhost:6379")
    with pytest.raises(SettingsError, match="ALGOARTS_REDIS_URL"):
        get_settings()


def test_backend_needs_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOARTS_SEARCH_BACKEND", "opensearch")
    with pytest.raises(SettingsError, match="ALGOARTS_OPENSEARCH_URL"):
        get_settings()


def test_kafka_bus_needs_bootstrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOARTS_EVENT_BUS", "kafka")
    with pytest.raises(SettingsError, match="ALGOARTS_KAFKA_BOOTSTRAP"):
        get_settings()


def test_empty_optional_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # CloudFormation passes unset optional parameters as empty strings.
    monkeypatch.setenv("ALGOARTS_OPENSEARCH_URL", "")
    assert get_settings().opensearch_url is None


def test_cold_start_fails_on_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from support import load_function

    monkeypatch.delenv("ALGOARTS_REDIS_URL")
    with pytest.raises(SettingsError, match="ALGOARTS_REDIS_URL"):
        load_function("companies", "create_company")
