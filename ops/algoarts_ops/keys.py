"""`algoarts keys list|rotate|retire`: the JWT signing keys, locally or on a deployment.

On a deployment (`--secret-id`) the key set lives only in Secrets Manager; locally it is also kept in
the state folder so that it survives the emulator's restarts, and a change is pushed to the running
local cloud at once.
"""

from __future__ import annotations

import sys

from algoarts_ops import local_cloud
from shared.identity.keys import KeySet, SecretsManagerKeyStore


def keys_command(action: str, kid: str | None, secret_id: str | None) -> int:
    """On a deployment (--secret-id) the key set lives only in Secrets Manager; locally it is also
    kept in the state folder so that it survives the emulator's restarts."""
    store = SecretsManagerKeyStore(secret_id) if secret_id else None
    keys: KeySet = store.load() if store else local_cloud.local_keys()
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
            local_cloud.save_local_keys(keys)
            state = local_cloud.state()
            if state and state.endpoint:
                secret = local_cloud.push_keys(state)
                print(f"pushed to the running local cloud ({secret}); functions pick it up within 5 minutes")
    return 0
