"""The deployed local cloud as the e2e tests see it, driven through the CLI like a user."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

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
        raise AssertionError(
            f"algoarts {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result
