"""The operator subcommands of `algoarts`: their arguments, and the command each runs.

`localcloud/cli.py` owns the `algoarts` program (and its `local` and `openapi` subcommands) and hands
the rest to this module: `add_commands` adds these subcommands to its parser, `run` runs the one given.
Only argparse is imported here; each command's module is imported when it runs, so `algoarts local up`
pays nothing for the operator tools.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

COMMANDS = ("keys", "create-platform-admin", "companies", "rebuild", "dead-letters")


def add_commands(sub: Subparsers) -> None:
    """The operator subcommands, in the order `algoarts --help` lists them."""
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
    _add_companies_parser(sub)
    _add_rebuild_parser(sub)
    _add_dead_letters_parser(sub)


def run(args: argparse.Namespace) -> int:
    """Run the operator subcommand `args.command` (one of COMMANDS) with its parsed arguments."""
    if args.command == "keys":
        from algoarts_ops.keys import keys_command

        return keys_command(args.action, args.kid, args.secret_id)
    if args.command == "create-platform-admin":
        from algoarts_ops.platform_admin import create_platform_admin

        return create_platform_admin(args.email, args.database_url)
    if args.command == "companies":
        from algoarts_ops.company_import.cli import import_command

        return import_command(
            args.file,
            fmt=args.fmt,
            owner_email=args.owner_email,
            database_url=args.database_url,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
            language=args.lang,
            report_path=args.report,
            quiet=args.quiet,
        )
    if args.command == "rebuild":
        from algoarts_ops.rebuild.cli import rebuild_command

        return rebuild_command(
            args.read_model,
            database_url=args.database_url,
            redis_url=args.redis_url,
            search_backend=args.search_backend,
            opensearch_url=args.opensearch_url,
            batch=args.batch,
            use_snapshots=not args.no_snapshots,
            warm=args.warm,
            quiet=args.quiet,
        )
    if args.command == "dead-letters":
        from algoarts_ops.dead_letters import cli as dead_letters

        where = {"stack_name": args.stack_name, "endpoint": args.endpoint, "region": args.region}
        if args.dead_letters_command == "list":
            return dead_letters.list_command(args.queue, limit=args.limit, as_json=args.json, **where)
        return dead_letters.redrive_command(args.queue, message_id=args.message_id, **where)
    raise ValueError(f"not an operator command: {args.command!r}")


def _add_companies_parser(sub: Subparsers) -> None:
    companies = sub.add_parser("companies", help="company catalog tasks")
    companies_sub = companies.add_subparsers(dest="companies_command", required=True)
    imp = companies_sub.add_parser(
        "import",
        help="bulk import companies from CSV or JSON, all rows in one transaction",
        description="Check every row, then write them all in one transaction; any rejected row stops the import "
        "unless --skip-invalid is given. CSV: a header of field names, `,` or `;` delimited, lists split by `;`.",
    )
    imp.add_argument("file", help="a .csv or .json file")
    imp.add_argument("--format", dest="fmt", choices=["csv", "json"], help="default: by the file's extension")
    imp.add_argument("--owner-email", help="the user who owns the imported companies")
    imp.add_argument(
        "--database-url",
        default=os.environ.get("ALGOARTS_DATABASE_URL"),
        help="default: ALGOARTS_DATABASE_URL, else the local cloud's",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report only, write nothing")
    imp.add_argument("--skip-invalid", action="store_true", help="import the good rows, report the rejected ones")
    imp.add_argument("--lang", default="ru", choices=["ru", "en"], help="language of the report (default: ru)")
    imp.add_argument("--report", metavar="FILE", help="also write the rejected rows to FILE as JSON")
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _add_rebuild_parser(sub: Subparsers) -> None:
    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild a read model from the company event store",
        description="Replay the event store (each aggregate folded from its latest snapshot and the events after "
        "it) into a read model: companies (the Postgres current-state table, overwritten row by row under lock), "
        "search (the running cloud's backend: a new versioned OpenSearch index behind the alias, or a new "
        "company_search table, swapped in atomically) or cache (company keys and list pages dropped).",
    )
    rebuild.add_argument("read_model", choices=["companies", "search", "cache"])
    rebuild.add_argument(
        "--database-url",
        default=os.environ.get("ALGOARTS_DATABASE_URL"),
        help="default: ALGOARTS_DATABASE_URL, else the local cloud's",
    )
    rebuild.add_argument("--batch", type=int, default=500, help="aggregates per batch (default: 500)")
    rebuild.add_argument("--no-snapshots", action="store_true", help="fold every event, ignoring snapshots")
    rebuild.add_argument(
        "--search-backend",
        choices=["postgres", "opensearch"],
        help="default: ALGOARTS_SEARCH_BACKEND, else the local cloud's",
    )
    rebuild.add_argument("--opensearch-url", help="default: ALGOARTS_OPENSEARCH_URL, else the local cloud's")
    rebuild.add_argument("--redis-url", help="default: ALGOARTS_REDIS_URL, else the local cloud's")
    rebuild.add_argument("--warm", action="store_true", help="cache: put every company back after dropping")
    rebuild.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def _add_dead_letters_parser(sub: Subparsers) -> None:
    dead = sub.add_parser("dead-letters", help="list and redrive the dead-letter queues")
    dead_sub = dead.add_subparsers(dest="dead_letters_command", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--stack-name", help="a deployed stack (default AWS credentials); default: the local cloud")
    where.add_argument("--endpoint", help="the AWS endpoint to use (default: AWS's own, or the local emulator)")
    where.add_argument("--region", help="with --stack-name: the stack's region")
    show = dead_sub.add_parser(
        "list",
        parents=[where],
        help="every dead-letter queue: count, reasons, the events inside (nothing is deleted)",
    )
    show.add_argument("queue", nargs="?", help="one queue: logical id (e.g. ProjectCompanyDeadLetters) or name")
    show.add_argument("--limit", type=int, default=10, help="messages shown per queue (default: 10)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    redrive = dead_sub.add_parser(
        "redrive",
        parents=[where],
        help="send dead letters back: Kafka batches to their function, parked requests to their queue",
        description="A Kafka on-failure record is re-delivered to its function with the same event; a parked "
        "queue message goes back to its source queue. A message is deleted only when its redrive succeeded.",
    )
    redrive.add_argument("queue", help="logical id (e.g. CompanyVerificationDeadLetters) or queue name")
    which = redrive.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every message of the queue")
    which.add_argument("--message-id", help="one message (its id as `dead-letters list` shows it)")
