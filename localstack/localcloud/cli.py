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
    args = parser.parse_args(argv)

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
