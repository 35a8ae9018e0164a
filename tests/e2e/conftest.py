"""The deployed local cloud, started through the CLI exactly as a user would, in a private state folder.

Module scope: each profile's tests get their own cloud, stopped before the next one starts (two
clouds at once would fight over this machine's two cores).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from e2e_cloud import Cloud, run_cli
from localcloud.runtime import CloudState


def _start(tmp_path_factory: pytest.TempPathFactory, profile: str) -> Iterator[Cloud]:
    state_dir = tmp_path_factory.mktemp(f"cloud-{profile}")
    try:
        up = run_cli(state_dir, "local", "up", "--profile", profile)
        assert "API: http://127.0.0.1:" in up.stdout
        state = CloudState.load(state_dir)
        assert state is not None
        with httpx.Client(base_url=state.api_url, timeout=30) as client:
            yield Cloud(state_dir, state, client)
    finally:
        run_cli(state_dir, "local", "down", check=False)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    yield from _start(tmp_path_factory, "embedded")


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    yield from _start(tmp_path_factory, "full")
