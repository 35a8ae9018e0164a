"""`algoarts`: the local cloud and admin tasks."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="algoarts", description="ALGORITHMIC ARTS local cloud and admin tasks")
    sub = parser.add_subparsers(dest="command", required=True)
    local = sub.add_parser("local", help="the local cloud")
    local.add_argument("action", choices=["up", "down", "status", "run"])
    local.add_argument("--profile", default=os.environ.get("PROFILE", "embedded"), choices=["embedded", "full"])
    local.add_argument("--no-seed", action="store_true", help="skip the sample data")
    openapi = sub.add_parser("openapi", help="print or write the merged OpenAPI document")
    openapi.add_argument("--write", action="store_true")
    keys = sub.add_parser("keys", help="JWT signing keys: list, rotate, retire")
    keys.add_argument("action", choices=["list", "rotate", "retire"])
    keys.add_argument("kid", nargs="?", help="the key to retire")
    keys.add_argument(
        "--secret-id", help="a deployment's secret (AWS credentials from the environment); default: the local cloud's"
    )
    admin = sub.add_parser("create-platform-admin", help="create a platform admin on any deployment")
    admin.add_argument("--email", required=True)
    admin.add_argument(
        "--database-url",
        default=os.environ.get("ALGOARTS_DATABASE_URL"),
        help="default: ALGOARTS_DATABASE_URL, else the local cloud's",
    )
    args = parser.parse_args(argv)

    if args.command == "keys":
        from localcloud.admin import keys_command

        return keys_command(args.action, args.kid, args.secret_id)
    if args.command == "create-platform-admin":
        from localcloud.admin import create_platform_admin

        return create_platform_admin(args.email, args.database_url)

    if args.command == "openapi":
        from localcloud import openapi as doc

        if args.write:
            print(doc.write())
        else:
            sys.stdout.write(doc.render())
        return 0

    from localcloud import cloud
    from localcloud.process import PartFailed

    try:
        if args.action == "up":
            cloud.up(args.profile, seed=not args.no_seed)
        elif args.action == "down":
            cloud.down()
        elif args.action == "status":
            return cloud.status()
        else:
            cloud.run(args.profile)
    except PartFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
