"""Identity on the local cloud: the JWT key set in the emulator's Secrets Manager (kept in the
state folder, so tokens survive a restart) and one demo account per role."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from localcloud.paths import STATE_DIR
from localcloud.runtime import CloudState, boto_session, load_secrets
from localcloud.servers import postgres
from shared.identity.keys import KeySet, SecretsManagerKeyStore

SECRET_ID = "algoarts/jwt-keys"  # noqa: S105 - a secret's name, not its value
DEMO_ROLES = ("free_user", "paid_user", "company_admin", "platform_admin")


def _keys_file(state_dir: Path) -> Path:
    return state_dir / "jwt-keys.json"


def local_keys(state_dir: Path = STATE_DIR) -> KeySet:
    path = _keys_file(state_dir)
    if path.exists():
        return KeySet.from_json(path.read_text())
    keys = KeySet()
    keys.rotate()
    save_local_keys(keys, state_dir)
    return keys


def save_local_keys(keys: KeySet, state_dir: Path = STATE_DIR) -> None:
    path = _keys_file(state_dir)
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(keys.to_json())
    path.with_suffix(".tmp").replace(path)


def provision_keys(state: CloudState, state_dir: Path = STATE_DIR) -> None:
    store = SecretsManagerKeyStore(SECRET_ID, client=boto_session(state.endpoint).client("secretsmanager"))
    store.save(local_keys(state_dir))


def demo_accounts(state: CloudState, state_dir: Path = STATE_DIR) -> list[tuple[str, str, str]]:
    """(role, email, password) of each demo account, created on first start."""
    from shared.identity.accounts import create_account

    stored = load_secrets(state_dir)
    passwords = json.loads(stored.get("demo_passwords", "{}"))
    port = state.parts["postgres"].port
    assert port is not None
    url = postgres.url(port, stored["postgres"])
    accounts = []
    for role in DEMO_ROLES:
        email = f"{role.replace('_', '.')}@demo.algoarts.local"
        if role not in passwords:
            passwords[role] = f"Demo-{secrets.token_urlsafe(9)}-1"
            create_account(url, email=email, password=passwords[role], roles=[role], full_name=f"Demo {role}")
        accounts.append((role, email, passwords[role]))
    stored["demo_passwords"] = json.dumps(passwords)
    from localcloud.runtime import save_secrets

    save_secrets(stored, state_dir)
    return accounts
