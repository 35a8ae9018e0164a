from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import get_settings


@pytest.fixture(autouse=True)
def _settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Valid settings pointing at closed ports: unit tests never reach a server."""
    monkeypatch.setenv("ALGOARTS_DATABASE_URL", "postgresql://u:p@127.0.0.1:1/db")
    monkeypatch.setenv("ALGOARTS_REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
