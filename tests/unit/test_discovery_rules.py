"""Pure parts of the discovery chain: failure causes, scout matching, transient failures."""

from __future__ import annotations

from shared.discovery import scout, steps


def test_a_lambda_error_cause_keeps_type_and_message() -> None:
    cause = '{"errorType": "LookupError", "errorMessage": "no discovery x", "trace": ["..."]}'
    assert steps._cause(cause) == "LookupError: no discovery x"
    assert steps._cause("plain text") == "plain text"
    assert steps._cause(None) == ""


def test_scout_matches_whole_names_in_the_order_named() -> None:
    companies = [{"id": "1", "name": "SalesTech"}, {"id": "2", "name": "Codeio"}, {"id": "3", "name": "Codeio Pro"}]
    entry = {"title": "Codeio открыл API для SalesTech", "summary": "CodeioX не в счёт"}
    assert [c["id"] for c in scout.match(entry, companies)] == ["2", "1"]


def test_transient_failures_leave_a_step_as_provider_unavailable() -> None:
    import httpx
    import pytest

    from shared.discovery import ProviderUnavailable
    from shared.settings import Settings

    settings = Settings(database_url="postgresql://x@127.0.0.1/x", redis_url="redis://127.0.0.1:9")

    @steps.retryable
    def flaky(settings: Settings, event: dict[str, object]) -> dict[str, object]:
        raise httpx.ConnectTimeout("YandexGPT did not answer")

    @steps.retryable
    def broken(settings: Settings, event: dict[str, object]) -> dict[str, object]:
        raise LookupError("no discovery")

    with pytest.raises(ProviderUnavailable, match="ConnectTimeout"):
        flaky(settings, {})
    with pytest.raises(LookupError):
        broken(settings, {})
