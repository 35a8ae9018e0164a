"""`algoarts companies import`: the report of rejected rows and the summary, in Russian or English, and the exit code.

0 imported (or checked), 1 rejected rows or a failed write, 2 bad input (no database, an unreadable
file, an unknown owner). The database is `--database-url`/ALGOARTS_DATABASE_URL, else the local cloud's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, cast

from algoarts_ops import local_cloud
from algoarts_ops.company_import.importer import ImportFailed, ImportReport, import_companies
from algoarts_ops.company_import.rows import ImportFileError, read_rows
from shared.db import connect


def find_user_id(database_url: str, email: str) -> str:
    """The id of the user with this email (case-insensitive); LookupError when there is none."""
    with connect(database_url) as conn:
        row = conn.execute("SELECT id::text AS id FROM users WHERE lower(email) = lower(%s)", (email,)).fetchone()
    if row is None:
        raise LookupError(email)
    return str(cast(dict[str, Any], row)["id"])


def format_rejections(report: ImportReport, language: str = "ru") -> list[str]:
    """One line per reason: "строка 12: ИНН (inn) — неверная контрольная сумма — проверьте номер"."""
    word = "row" if language == "en" else "строка"
    width = max((len(str(r.row)) for r in report.rejected), default=1)
    lines = []
    for r in report.rejected:
        where = f"{r.label} ({r.field})" if r.label and r.label != r.field else r.field or "—"
        message = r.message
        if r.label and message.startswith(r.label + ": "):
            message = message[len(r.label) + 2 :]  # "ИНН: неверная…" after "ИНН (inn) —"
        lines.append(f"{word} {r.row:>{width}}: {where} — {message}")
    return lines


def _decimal(value: float, language: str, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text if language == "en" else text.replace(".", ",")


def format_summary(report: ImportReport, language: str = "ru") -> str:
    from shared.http.messages import plural_ru

    seconds = _decimal(report.seconds, language, 2)
    rows = report.rejected_rows
    if language == "en":
        rejected = f"rejected {rows} {'row' if rows == 1 else 'rows'}"
        if report.dry_run:
            return f"dry run, nothing written: {report.accepted} to import, {rejected} ({seconds} s)"
        rate = _decimal(report.rows_per_second, language, 1)
        return f"imported {report.imported}, {rejected} in {seconds} s ({rate} rows/s)"
    rejected = f"отклонено {rows} {plural_ru(rows, 'строка', 'строки', 'строк')}"
    if report.dry_run:
        companies = plural_ru(report.accepted, "компанию", "компании", "компаний")
        return f"Проверка без записи: можно импортировать {report.accepted} {companies}, {rejected} ({seconds} с)"
    companies = plural_ru(report.imported, "компания", "компании", "компаний")
    rate = _decimal(report.rows_per_second, language, 1)
    return f"Импортировано {report.imported} {companies}, {rejected} за {seconds} с ({rate} строк/с)"


def write_report(path: Path, report: ImportReport) -> None:
    """The rejected rows as JSON: a list of {row, field, label, message[, other_row | existing_id]}."""
    items = [r.as_dict() for r in report.rejected]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def import_command(
    file: str,
    *,
    fmt: str | None = None,
    owner_email: str | None = None,
    database_url: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    language: str = "ru",
    report_path: str | None = None,
    quiet: bool = False,
) -> int:
    """`algoarts companies import`: 0 imported (or checked), 1 rejected rows or a failed write, 2 bad input."""
    import psycopg

    en = language == "en"
    database_url = database_url or local_cloud.database_url()
    if not database_url:
        print("no database: pass --database-url or set ALGOARTS_DATABASE_URL, or start `make dev`", file=sys.stderr)
        return 2
    try:
        rows = read_rows(Path(file), fmt)
    except ImportFileError as exc:
        print(f"{file}: {exc.text(language)}", file=sys.stderr)
        return 2
    try:
        owner_id = find_user_id(database_url, owner_email) if owner_email else None
        report = import_companies(
            database_url,
            rows,
            owner_id=owner_id,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            language=language,
            progress=not quiet and sys.stderr.isatty(),
        )
    except LookupError:
        print(
            f"no user with the email {owner_email}" if en else f"Нет пользователя с почтой {owner_email}",
            file=sys.stderr,
        )
        return 2
    except ImportFailed as exc:
        print(exc.text(language), file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"database error: {exc}" if en else f"Ошибка базы данных: {exc}", file=sys.stderr)
        return 1

    for line in format_rejections(report, language):
        print(line)
    if report_path:
        write_report(Path(report_path), report)
    blocked = bool(report.rejected) and not skip_invalid
    if blocked and not dry_run:
        print(
            "nothing was written: fix the rows above, or pass --skip-invalid to import the other rows"
            if en
            else "Ничего не записано: исправьте строки выше или запустите с --skip-invalid, "
            "чтобы импортировать остальные"
        )
    else:
        print(format_summary(report, language))
    return 1 if blocked else 0
