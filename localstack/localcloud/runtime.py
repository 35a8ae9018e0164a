"""The running cloud's description, shared by `up`, `status`, `down` and the relay and bridge processes.

`cloud.json` holds PIDs, ports and URLs; secrets live apart in `secrets.json` (mode 0600) and are
never printed.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from localcloud.paths import STATE_DIR

REGION = "us-east-1"


@dataclass
class PartState:
    name: str
    pid: int
    port: int | None
    url: str
    log: str


@dataclass
class CloudState:
    profile: str
    endpoint: str = ""
    api_url: str = ""
    kafka_bootstrap: str = ""
    parts: dict[str, PartState] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    state_machines: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # non-secret stack parameters

    def save(self, state_dir: Path = STATE_DIR) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(state_dir / "cloud.json", json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, state_dir: Path = STATE_DIR) -> CloudState | None:
        path = state_dir / "cloud.json"
        if not path.exists():
            return None
        raw = json.loads(path.read_text())
        raw["parts"] = {k: PartState(**v) for k, v in raw["parts"].items()}
        return cls(**raw)


def load_secrets(state_dir: Path = STATE_DIR) -> dict[str, str]:
    """Per-checkout passwords, generated once; the servers and functions get them, logs never do."""
    path = state_dir / "secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    values = {name: secrets.token_urlsafe(24) for name in ("postgres", "redis", "clickhouse")}
    save_secrets(values, state_dir)
    return values


def save_secrets(values: dict[str, str], state_dir: Path = STATE_DIR) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write(state_dir / "secrets.json", json.dumps(values), mode=0o600)


class EmulatorSession:
    """boto3 clients aimed at one emulator endpoint, passed explicitly: never through the process
    environment, so two clouds (or a test and its cloud) cannot leak endpoints into each other."""

    def __init__(self, endpoint: str) -> None:
        import boto3

        self.endpoint = endpoint
        self._session = boto3.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 - the emulator's fixed local credential
            region_name=REGION,
        )

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self.endpoint, **kwargs)  # type: ignore[call-overload]


def boto_session(endpoint: str) -> EmulatorSession:
    return EmulatorSession(endpoint)


def _atomic_write(path: Path, text: str, mode: int = 0o644) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    tmp.replace(path)
