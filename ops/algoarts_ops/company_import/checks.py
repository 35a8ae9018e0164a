"""Checking import rows before anything is written: each row, the file as a whole, and the database.

Each row is validated by CompanyImport (messages and field labels as the API gives them); a later row
with the INN, OGRN or name of an earlier one is rejected (rejected rows count too: the file is
ambiguous), and so is a row whose INN or OGRN a live company already holds (one query for the whole
file). A row with several mistakes gets one RejectedRow per mistake.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import ValidationError

from algoarts_ops.company_import.rows import ROW_NUMBER
from shared.companies.model import CompanyImport

if TYPE_CHECKING:
    import psycopg

Language = Literal["ru", "en"]

UNIQUE_IN_FILE = ("inn", "ogrn", "name")
UNIQUE_IN_DATABASE = ("inn", "ogrn")


@dataclass(frozen=True)
class RejectedRow:
    """One reason a row was rejected; a row with several mistakes has several."""

    row: int
    field: str
    message: str
    label: str = ""
    other_row: int | None = None  # the earlier row of the file this one duplicates
    existing_id: str | None = None  # the live company in the database holding the same INN/OGRN

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"row": self.row, "field": self.field, "label": self.label, "message": self.message}
        if self.other_row is not None:
            item["other_row"] = self.other_row
        if self.existing_id is not None:
            item["existing_id"] = self.existing_id
        return item


def language_of(language: str) -> Language:
    if language not in ("ru", "en"):
        raise ValueError(f"language must be ru or en, not {language!r}")
    return "en" if language == "en" else "ru"


def validate_row(index: int, raw: object, lang: Language) -> tuple[int, CompanyImport | None, list[RejectedRow]]:
    from shared.http.messages import describe

    if not isinstance(raw, Mapping):
        message = "Must be a JSON object ({…})" if lang == "en" else "Должно быть объектом JSON ({…})"
        return index + 1, None, [RejectedRow(index + 1, "", message)]
    number = int(raw.get(ROW_NUMBER, index + 1))
    data = {k: v for k, v in raw.items() if k != ROW_NUMBER and v is not None}  # null = left out
    try:
        return number, CompanyImport.model_validate(data), []
    except ValidationError as exc:
        # describe() expects an HTTP location ("body", field, ...): the row stands for the body.
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        return (
            number,
            None,
            [RejectedRow(number, item["field"], item["message"], item["label"]) for item in describe(errors, lang)],
        )


def _key(name: str, value: object) -> str | None:
    """How two values of a unique field compare: names by words, case-insensitively; identifiers without spaces."""
    if value is None:
        return None
    text = " ".join(str(value).split()).casefold() if name == "name" else re.sub(r"\s+", "", str(value))
    return text or None


def duplicates_in_file(
    checked: list[tuple[int, CompanyImport | None, Mapping[str, Any] | None]], lang: Language
) -> list[RejectedRow]:
    """A later row with the INN, OGRN or name of an earlier one (rejected rows count too: the file is ambiguous)."""
    from shared.http.messages import label

    first: dict[tuple[str, str], int] = {}
    found: list[RejectedRow] = []
    for number, command, raw in checked:
        for name in UNIQUE_IN_FILE:
            value = getattr(command, name) if command is not None else (raw or {}).get(name)
            key = _key(name, value)
            if key is None:
                continue
            earlier = first.setdefault((name, key), number)
            if earlier != number:
                text = label(name, lang)
                message = (
                    f"{text}: same as row {earlier}" if lang == "en" else f"{text}: совпадает со строкой {earlier}"
                )
                found.append(RejectedRow(number, name, message, text, other_row=earlier))
    return found


def duplicates_in_database(
    conn: psycopg.Connection, valid: list[tuple[int, CompanyImport]], known: list[RejectedRow], lang: Language
) -> list[RejectedRow]:
    """Rows whose INN or OGRN a live company already holds: one query for the whole file."""
    from shared.http.messages import label

    wanted = {name: sorted({getattr(c, name) for _, c in valid if getattr(c, name)}) for name in UNIQUE_IN_DATABASE}
    if not any(wanted.values()):
        return []
    holders: dict[tuple[str, str], tuple[str, str]] = {}
    for row in conn.execute(
        "SELECT id::text AS id, name, inn, ogrn FROM companies "
        "WHERE deleted_at IS NULL AND (inn = ANY(%s) OR ogrn = ANY(%s))",
        (wanted["inn"], wanted["ogrn"]),
    ).fetchall():
        found = cast(dict[str, Any], row)
        for name in UNIQUE_IN_DATABASE:
            if found[name]:
                holders[(name, found[name])] = (found["id"], found["name"])
    reported = {(r.row, r.field) for r in known}
    rejected: list[RejectedRow] = []
    for number, command in valid:
        for name in UNIQUE_IN_DATABASE:
            value = getattr(command, name)
            holder = holders.get((name, value)) if value else None
            if holder is None or (number, name) in reported:
                continue
            company_id, company_name = holder
            text = label(name, lang)
            message = (
                f"A company with this {text} already exists: «{company_name}» ({company_id})"
                if lang == "en"
                else f"Компания с таким {text} уже есть: «{company_name}» ({company_id})"
            )
            rejected.append(RejectedRow(number, name, message, text, existing_id=company_id))
    return rejected


def check_owner(conn: psycopg.Connection, owner_id: str) -> None:
    try:
        uuid.UUID(owner_id)
    except ValueError:
        raise ValueError(f"owner_id {owner_id!r} is not a UUID") from None
    if conn.execute("SELECT 1 FROM users WHERE id = %s", (owner_id,)).fetchone() is None:
        raise ValueError(f"no user with id {owner_id}")
