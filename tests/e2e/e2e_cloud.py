"""The deployed local cloud as the e2e tests see it, driven through the CLI like a user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from localcloud.runtime import CloudState, boto_session, load_secrets
from localcloud.servers import postgres
from support import ROOT


@dataclass
class Cloud:
    """`http` is signed in as the demo company admin; `anonymous` sends no token."""

    state_dir: Path
    state: CloudState
    anonymous: httpx.Client
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = self.client_for("company_admin")

    @property
    def database_url(self) -> str:
        """The cloud's Postgres, for tests that check what a request wrote."""
        port = self.state.parts["postgres"].port
        assert port is not None
        return postgres.url(port, load_secrets(self.state_dir)["postgres"])

    def demo_account(self, role: str) -> tuple[str, str]:
        """(email, password) of the demo account `make dev` created for this role."""
        passwords = json.loads(load_secrets(self.state_dir)["demo_passwords"])
        return f"{role.replace('_', '.')}@demo.algoarts.local", passwords[role]

    def login(self, email: str, password: str) -> dict[str, Any]:
        response = self.anonymous.post("/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def client_for(self, role: str) -> httpx.Client:
        tokens = self.login(*self.demo_account(role))
        return self.client_with(tokens["access_token"])

    def fresh_writer(self) -> httpx.Client:
        """A client of a newly registered account that the demo platform admin made a paid user: company
        writes with a rate-limit budget of its own, since every module on the shared cloud spends the demo
        accounts' 100 requests per minute."""
        email, password = f"e2e-{uuid.uuid4().hex[:12]}@example.com", f"Pw-{uuid.uuid4().hex[:12]}-7"
        body = {"email": email, "password": password, "full_name": "E2E Тест"}
        registered = self.anonymous.post("/v1/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        with self.client_for("platform_admin") as admin:
            granted = admin.put(f"/v1/admin/users/{registered.json()['id']}/roles", json={"roles": ["paid_user"]})
            assert granted.status_code == 200, granted.text
        time.sleep(1.02 - time.time() % 1)  # a token issued in the second of a role change is refused
        return self.client_with(self.login(email, password)["access_token"])

    def client_with(self, access_token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.state.api_url, timeout=30, headers={"Authorization": f"Bearer {access_token}"}
        )

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(self.state_dir, *args, check=check)

    def boto(self) -> Any:
        return boto_session(self.state.endpoint)

    def reload(self) -> CloudState:
        state = CloudState.load(self.state_dir)
        assert state is not None
        self.state = state
        return state


def run_cli(
    state_dir: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env or {}), "ALGOARTS_STATE": str(state_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "localcloud.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"algoarts {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result
