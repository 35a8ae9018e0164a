"""Importing checked rows: all accepted rows written in ONE transaction through the company service.

Every row is checked first (checks.py). Nothing is written while any row is rejected, unless the caller
skips the rejected rows; the accepted rows are then written through the company service (event store,
companies row, outbox, audit) in one transaction, so a failure in the middle leaves nothing behind.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from algoarts_ops.company_import.checks import (
    RejectedRow,
    check_owner,
    duplicates_in_database,
    duplicates_in_file,
    language_of,
    validate_row,
)
from algoarts_ops.company_import.rows import FIELDS
from algoarts_ops.progress import progress_bar
from shared.commands import Context
from shared.companies import service
from shared.companies.model import CompanyImport
from shared.db import connect
from shared.errors import DomainError

if TYPE_CHECKING:
    import psycopg

ACTOR = "system:import"


def _column(field: str) -> int:
    """Where a rejected field's column is in the file's order: an item ("sub_industries.1") at its list's."""
    column = field.split(".", 1)[0]
    return FIELDS.index(column) if column in FIELDS else len(FIELDS)


class ImportFailed(Exception):
    """Writing failed and the transaction was rolled back: nothing of the import was written."""

    def __init__(self, detail: str, *, ru: str, row: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.ru = ru
        self.row = row

    def text(self, language: str) -> str:
        return self.detail if language == "en" else self.ru


@dataclass
class ImportReport:
    """`imported` rows were written (0 on a dry run or when rejected rows stopped the import)."""

    imported: int
    rejected: list[RejectedRow]
    seconds: float  # the whole call: the rows' checks, the database check and the write
    ids: list[str]  # of the imported companies, in the file's order
    total: int = 0
    accepted: int = 0  # rows that passed every check
    dry_run: bool = False
    correlation_id: str = ""

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})

    @property
    def rows_per_second(self) -> float:
        return self.imported / self.seconds if self.seconds > 0 else 0.0


def import_companies(
    database_url: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    owner_id: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    language: str = "ru",
    progress: bool = False,
) -> ImportReport:
    """Check every row, then write the accepted ones in one transaction (see the module's docstring).

    With rejected rows and no `skip_invalid`, or with `dry_run`, nothing is written and `imported` is 0.
    Raises ImportFailed when writing failed (rolled back), ValueError for an unknown language or owner.
    """
    lang = language_of(language)
    started = time.perf_counter()
    correlation_id = str(uuid.uuid4())
    rejected: list[RejectedRow] = []
    checked: list[tuple[int, CompanyImport | None, Mapping[str, Any] | None]] = []
    for index, raw in enumerate(rows):
        number, command, errors = validate_row(index, raw, lang)
        checked.append((number, command, raw if isinstance(raw, Mapping) else None))
        rejected.extend(errors)
    rejected.extend(duplicates_in_file(checked, lang))

    conn = connect(database_url)
    try:
        if owner_id is not None:
            check_owner(conn, owner_id)
        valid = [(number, command) for number, command, _ in checked if command is not None]
        rejected.extend(duplicates_in_database(conn, valid, rejected, lang))
        conn.rollback()
        refused = {r.row for r in rejected}
        accepted = [(number, command) for number, command in valid if number not in refused]
        rejected.sort(key=lambda r: (r.row, _column(r.field)))
        ids: list[str] = []
        if not dry_run and accepted and (skip_invalid or not rejected):
            ids = _write(conn, accepted, owner_id, Context(actor_label=ACTOR, correlation_id=correlation_id), progress)
    finally:
        conn.close()
    return ImportReport(
        imported=len(ids),
        rejected=rejected,
        seconds=time.perf_counter() - started,
        ids=ids,
        total=len(rows),
        accepted=len(accepted),
        dry_run=dry_run,
        correlation_id=correlation_id,
    )


def _write(
    conn: psycopg.Connection,
    accepted: list[tuple[int, CompanyImport]],
    owner_id: str | None,
    ctx: Context,
    progress: bool,
) -> list[str]:
    """Every accepted row through the company service, in one transaction: all rows or none."""
    ids: list[str] = []
    bar = progress_bar("import", len(accepted), unit="row", quiet=not progress)
    try:
        with conn.transaction():  # raising out of it rolls every row back
            for number, command in accepted:
                fields = command.model_dump(mode="json", exclude_none=True)
                try:
                    # Through the module attribute, so that tests can make one row fail.
                    state = service.create_in_transaction(conn, fields, owner_id, ctx)
                except Exception as exc:
                    raise _failed(number, exc) from exc
                ids.append(state.id)
                bar.update(1)
    finally:
        bar.close()
    return ids


def _failed(number: int, exc: Exception) -> ImportFailed:
    if isinstance(exc, DomainError):
        detail, ru = exc.detail, exc.ru or exc.detail
    else:
        detail = ru = f"{type(exc).__name__}: {exc}"
    return ImportFailed(
        f"row {number}: {detail}; nothing was written", ru=f"Строка {number}: {ru}; ничего не записано", row=number
    )
