"""Operator commands: JWT key rotation and the first platform admin, locally or on a deployment."""

from __future__ import annotations

import getpass
import sys

from localcloud.identity_setup import SECRET_ID, local_keys, provision_keys, save_local_keys
from localcloud.runtime import CloudState, load_secrets
from localcloud.servers import postgres
from shared.errors import DomainError
from shared.identity.keys import KeySet, SecretsManagerKeyStore


def keys_command(action: str, kid: str | None, secret_id: str | None) -> int:
    """On a deployment (--secret-id) the key set lives only in Secrets Manager; locally it is also
    kept in the state folder so that it survives the emulator's restarts."""
    store = SecretsManagerKeyStore(secret_id) if secret_id else None
    keys: KeySet = store.load() if store else local_keys()
    if action == "rotate":
        new = keys.rotate()
        print(f"new signing key {new.kid}; older keys keep verifying until retired")
    elif action == "retire":
        if not kid:
            print("name the key to retire: algoarts keys retire KID", file=sys.stderr)
            return 2
        keys.retire(kid)
        print(f"retired {kid}: tokens it signed are refused from now on")
    for key in keys.keys:
        mark = "active " if key is keys.active else ("retired" if key.retired else "verify ")
        print(f"  {mark} {key.kid}  created {key.created_at}")
    if action != "list":
        if store:
            store.save(keys)
        else:
            save_local_keys(keys)
            state = CloudState.load()
            if state and state.endpoint:
                provision_keys(state)
                print(f"pushed to the running local cloud ({SECRET_ID}); functions pick it up within 5 minutes")
    return 0


def create_platform_admin(email: str, database_url: str | None) -> int:
    from shared.identity.accounts import create_account

    if not database_url:
        state = CloudState.load()
        if state is None:
            print("no database: pass --database-url or set ALGOARTS_DATABASE_URL, or start `make dev`", file=sys.stderr)
            return 2
        database_url = postgres.url(state.parts["postgres"].port or 0, load_secrets()["postgres"])
    password = getpass.getpass("password for the new platform admin: ")
    try:
        user = create_account(database_url, email=email, password=password, roles=["platform_admin"])
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return 1
    print(f"created platform admin {user.email} ({user.id})")
    return 0
