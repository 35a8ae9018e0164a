"""`algoarts create-platform-admin`: the first platform admin of any deployment.

Through the API only a platform admin can grant the role (shared/identity/service.py), so the first
one is created straight in the database: `--database-url`/ALGOARTS_DATABASE_URL, else the local cloud's. The
password is asked for on the terminal, never taken from an argument.
"""

from __future__ import annotations

import getpass
import sys

from algoarts_ops import local_cloud
from shared.errors import DomainError


def create_platform_admin(email: str, database_url: str | None) -> int:
    from shared.identity.accounts import create_account

    if not database_url:
        database_url = local_cloud.database_url()
        if database_url is None:
            print("no database: pass --database-url or set ALGOARTS_DATABASE_URL, or start `make dev`", file=sys.stderr)
            return 2
    password = getpass.getpass("password for the new platform admin: ")
    try:
        user = create_account(database_url, email=email, password=password, roles=["platform_admin"])
    except DomainError as exc:
        print(f"refused: {exc.detail}", file=sys.stderr)
        return 1
    print(f"created platform admin {user.email} ({user.id})")
    return 0
