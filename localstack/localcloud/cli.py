"""`algoarts`: the local cloud and admin tasks."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 - one return per command
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
    _add_companies_parser(sub)
    args = parser.parse_args(argv)

    if args.command == "keys":
        from localcloud.admin import keys_command

        return keys_command(args.action, args.kid, args.secret_id)
    if args.command == "create-platform-admin":
        from localcloud.admin import create_platform_admin

        return create_platform_admin(args.email, args.database_url)
    if args.command == "companies":
        from localcloud.company_import import import_command

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


def _add_companies_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


if __name__ == "__main__":
    raise SystemExit(main())
