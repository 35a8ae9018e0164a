"""`algoarts`: the local cloud (`local`, `openapi`, `mail`) and, through algoarts_ops, the operator commands.

One program, two packages: this module owns the parser and the local cloud's subcommands, and is the
only place localcloud imports the operator package (`algoarts_ops.cli` adds the subcommands `keys`,
`create-platform-admin`, `companies`, `rebuild`, `dead-letters` and runs them). The entry stays here
because the local cloud's tooling starts it as `python -m localcloud.cli`; operator commands reach the
local cloud only through `algoarts_ops.local_cloud`, for defaults.
"""

from __future__ import annotations

import argparse
import os
import sys

from algoarts_ops import cli as ops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="algoarts", description="ALGORITHMIC ARTS local cloud and admin tasks")
    sub = parser.add_subparsers(dest="command", required=True)
    local = sub.add_parser("local", help="the local cloud")
    local.add_argument("action", choices=["up", "down", "status", "run", "restart"])
    local.add_argument("part", nargs="?", help="restart: relay or bridge (after a crash; they resume where they were)")
    local.add_argument("--profile", default=os.environ.get("PROFILE", "embedded"), choices=["embedded", "full"])
    local.add_argument("--no-seed", action="store_true", help="skip the sample data")
    openapi = sub.add_parser("openapi", help="print or write the merged OpenAPI document")
    openapi.add_argument("--write", action="store_true")
    asyncapi = sub.add_parser("asyncapi", help="print or write the AsyncAPI 3.0 document of every topic and event")
    asyncapi.add_argument("--write", action="store_true")
    table = sub.add_parser("functions-table", help="print or write README's table of every function")
    table.add_argument("--write", action="store_true")
    mail = sub.add_parser("mail", help="the local mailbox: every email the platform sent (list, show)")
    from localcloud import mail as local_mail

    local_mail.add_arguments(mail)
    ops.add_commands(sub)
    args = parser.parse_args(argv)

    if args.command in ops.COMMANDS:
        return ops.run(args)

    if args.command == "mail":
        return local_mail.run(args)

    if args.command in ("openapi", "asyncapi", "functions-table"):
        import importlib

        # localcloud/openapi.py, asyncapi.py, functions_table.py
        doc = importlib.import_module(f"localcloud.{args.command.replace('-', '_')}")
        if args.write:
            print(doc.write())
        else:
            sys.stdout.write(doc.render())
        return 0

    return _local(args)


def _local(args: argparse.Namespace) -> int:
    """`algoarts local up|down|status|run|restart`."""
    from localcloud import cloud
    from localcloud.process import PartFailed

    try:
        if args.action == "up":
            cloud.up(args.profile, seed=not args.no_seed)
        elif args.action == "down":
            cloud.down()
        elif args.action == "status":
            return cloud.status()
        elif args.action == "restart":
            cloud.restart(args.part or "")
        else:
            cloud.run(args.profile)
    except PartFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
