"""The deployed local cloud, started through the CLI exactly as a user would, in a private state folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from localcloud.runtime import CloudState, boto_session
from support import ROOT


@dataclass
class Cloud:
    state_dir: Path
    state: CloudState
    http: httpx.Client

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(self.state_dir, *args, check=check)

    def boto(self) -> Any:
        return boto_session(self.state.endpoint)

    def reload(self) -> CloudState:
        state = CloudState.load(self.state_dir)
        assert state is not None
        self.state = state
        return state


def run_cli(state_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALGOARTS_STATE": str(state_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "localcloud.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"algoarts {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


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
