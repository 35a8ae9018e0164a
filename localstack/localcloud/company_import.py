"""Bulk import of companies from CSV or JSON: `algoarts companies import FILE` and the local cloud's seeding.

Every row is validated first (`CompanyImport`), then checked against the earlier rows of the file (same
INN, OGRN or name) and against the live companies in the database (one query for the whole file). Nothing
is written while any row is rejected, unless the caller skips the rejected rows; the accepted rows are then
written in ONE transaction through the company service (event store, companies row, outbox, audit), so a
failure in the middle leaves nothing behind.

Row numbers are the ones the user sees: the CSV line a record starts on (the header is line 1), the
1-based position of an object in a JSON list.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from pydantic import ValidationError

from shared.commands import Context
from shared.companies import service
from shared.companies.model import CompanyImport
from shared.db import connect
from shared.errors import DomainError

if TYPE_CHECKING:
    import psycopg

Language = Literal["ru", "en"]

ACTOR = "system:import"
ROW_NUMBER = "__row__"  # the key read_rows() stores a CSV record's line number under
LIST_FIELDS = frozenset({"sub_industries", "integrations", "ai_tags"})
INT_FIELDS = frozenset({"founded_year", "employees_count", "funding_total"})
FIELDS: tuple[str, ...] = tuple(CompanyImport.model_fields)
REQUIRED: tuple[str, ...] = tuple(name for name, info in CompanyImport.model_fields.items() if info.is_required())
UNIQUE_IN_FILE = ("inn", "ogrn", "name")
UNIQUE_IN_DATABASE = ("inn", "ogrn")
_TRUE = frozenset({"да", "д", "есть"})
_FALSE = frozenset({"нет", "н"})
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class ImportFileError(Exception):
    """The file cannot be read as rows: format, encoding, header. `ru` is the Russian wording."""

    def __init__(self, detail: str, *, ru: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.ru = ru

    def text(self, language: str) -> str:
        return self.detail if language == "en" else self.ru


class ImportFailed(Exception):
    """Writing failed and the transaction was rolled back: nothing of the import was written."""

    def __init__(self, detail: str, *, ru: str, row: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.ru = ru
        self.row = row

    def text(self, language: str) -> str:
        return self.detail if language == "en" else self.ru


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


# --- reading files -------------------------------------------------------------------------------


def read_rows(path: Path, fmt: str | None = None) -> list[dict[str, Any]]:
    """The rows of a CSV or JSON file (`fmt` None: by the extension), as dicts of CompanyImport fields.

    CSV rows carry their line number under ROW_NUMBER; JSON rows are numbered by position. Raises
    ImportFileError when the file is not a list of rows at all (OSError when it cannot be read).
    """
    fmt = fmt or _format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ImportFileError(f"cannot read the file: {reason}", ru=f"Не удалось прочитать файл: {reason}") from None
    text = _decode(data)
    if fmt == "json":
        return _json_rows(text)
    if fmt == "csv":
        return _csv_rows(text)
    raise ImportFileError(f"unknown format {fmt!r}: csv or json", ru=f"Неизвестный формат {fmt!r}: csv или json")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise ImportFileError(
        f"cannot tell the format of {path.name} by its extension: pass --format csv or --format json",
        ru=f"Не удалось определить формат {path.name} по расширению: укажите --format csv или --format json",
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"the file is not UTF-8 (byte {exc.start}): save it as UTF-8 (Excel: «CSV UTF-8»)",
            ru=f"Файл не в кодировке UTF-8 (байт {exc.start}): сохраните его в UTF-8 (в Excel — «CSV UTF-8»)",
        ) from None


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            ru=f"Некорректный JSON в строке {exc.lineno}, позиция {exc.colno}: {exc.msg}",
        ) from None
    if not isinstance(data, list):
        raise ImportFileError(
            "a JSON import file is a list of company objects: [{...}, {...}]",
            ru="Файл JSON для импорта — это список объектов компаний: [{...}, {...}]",
        )
    # Items that are not objects stay in the list: import_companies() rejects them as rows.
    return cast(list[dict[str, Any]], data)


def _delimiter(text: str) -> str:
    """`,` or `;` (Excel in a Russian locale) or a tab, by the header line, which holds only field names."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    line = 0  # the last physical line read so far; a record starts on the next one
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # a blank line, or a row of empty cells (Excel leaves them at the end)
            if header is None:
                header = _header(record, start)
                continue
            rows.append(_csv_row(header, record, start))
    except csv.Error as exc:
        raise ImportFileError(
            f"line {reader.line_num}: not valid CSV ({exc})", ru=f"Строка {reader.line_num}: некорректный CSV ({exc})"
        ) from None
    if header is None:
        raise ImportFileError("the file is empty: no header row", ru="Файл пуст: нет строки заголовка")
    return rows


def _header(record: list[str], line: int) -> list[str]:
    names = [cell.strip() for cell in record]
    unknown = [n for n in names if n and n not in FIELDS]
    if unknown:
        raise ImportFileError(
            f"line {line}: unknown columns {', '.join(unknown)}; the columns are: {', '.join(FIELDS)}",
            ru=f"Строка {line}: неизвестные колонки {', '.join(unknown)}; допустимые колонки: {', '.join(FIELDS)}",
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ImportFileError(
            f"line {line}: repeated columns {', '.join(repeated)}",
            ru=f"Строка {line}: колонки повторяются: {', '.join(repeated)}",
        )
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ImportFileError(
            f"line {line}: required columns are missing: {', '.join(missing)}",
            ru=f"Строка {line}: нет обязательных колонок: {', '.join(missing)}",
        )
    return names


def _csv_row(header: list[str], record: list[str], line: int) -> dict[str, Any]:
    if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
        raise ImportFileError(
            f"line {line}: {len(record)} cells but {len(header)} columns in the header; "
            "quote values that contain the delimiter",
            ru=f"Строка {line}: ячеек {len(record)}, а колонок в заголовке {len(header)}; "
            "возьмите в кавычки значения, в которых есть разделитель",
        )
    row: dict[str, Any] = {ROW_NUMBER: line}
    for position, (name, cell) in enumerate(zip(header, record, strict=False)):
        if not name:
            if cell.strip():
                raise ImportFileError(
                    f"line {line}: a value in column {position + 1}, which has no name in the header",
                    ru=f"Строка {line}: значение в колонке {position + 1}, у которой нет названия в заголовке",
                )
            continue
        value = _cell(name, cell)
        if value is not None:  # an empty cell is null: the field is left out
            row[name] = value
    return row


def _cell(name: str, cell: str) -> Any:
    """A cell's value for validation; None for an empty cell. Anything not understood is left as text."""
    value = cell.strip()
    if not value:
        return None
    if name in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if name in INT_FIELDS:
        return re.sub(r"\s+", "", value)  # "1 500 000", also with no-break spaces
    convert = _CONVERTERS.get(name)
    return convert(value) if convert else value


def _json_object(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value  # validation answers "must be a JSON object"


def _yes_no(value: str) -> Any:
    lowered = value.lower()  # pydantic knows true/false, yes/no, 1/0; Excel users also write да/нет
    return True if lowered in _TRUE else False if lowered in _FALSE else value


def _iso_date(value: str) -> str:
    match = _RU_DATE.match(value)  # 15.03.2024, as Excel writes dates in a Russian locale
    if not match:
        return value
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "tech_stack": _json_object,
    "api_available": _yes_no,
    "last_funding_date": _iso_date,
}


# --- checking and writing ------------------------------------------------------------------------


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
    lang = _language(language)
    started = time.perf_counter()
    correlation_id = str(uuid.uuid4())
    rejected: list[RejectedRow] = []
    checked: list[tuple[int, CompanyImport | None, Mapping[str, Any] | None]] = []
    for index, raw in enumerate(rows):
        number, command, errors = _validate(index, raw, lang)
        checked.append((number, command, raw if isinstance(raw, Mapping) else None))
        rejected.extend(errors)
    rejected.extend(_duplicates_in_file(checked, lang))

    conn = connect(database_url)
    try:
        if owner_id is not None:
            _check_owner(conn, owner_id)
        valid = [(number, command) for number, command, _ in checked if command is not None]
        rejected.extend(_duplicates_in_database(conn, valid, rejected, lang))
        conn.rollback()
        refused = {r.row for r in rejected}
        accepted = [(number, command) for number, command in valid if number not in refused]
        rejected.sort(key=lambda r: (r.row, FIELDS.index(r.field) if r.field in FIELDS else len(FIELDS)))
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


def _language(language: str) -> Language:
    if language not in ("ru", "en"):
        raise ValueError(f"language must be ru or en, not {language!r}")
    return "en" if language == "en" else "ru"


def _validate(index: int, raw: object, lang: Language) -> tuple[int, CompanyImport | None, list[RejectedRow]]:
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


def _duplicates_in_file(
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


def _duplicates_in_database(
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


def _check_owner(conn: psycopg.Connection, owner_id: str) -> None:
    try:
        uuid.UUID(owner_id)
    except ValueError:
        raise ValueError(f"owner_id {owner_id!r} is not a UUID") from None
    if conn.execute("SELECT 1 FROM users WHERE id = %s", (owner_id,)).fetchone() is None:
        raise ValueError(f"no user with id {owner_id}")


def _write(
    conn: psycopg.Connection,
    accepted: list[tuple[int, CompanyImport]],
    owner_id: str | None,
    ctx: Context,
    progress: bool,
) -> list[str]:
    """Every accepted row through the company service, in one transaction: all rows or none."""
    ids: list[str] = []
    bar = _progress_bar(len(accepted), enabled=progress)
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


class _Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _PlainProgress:
    """`done/total` on stderr when tqdm is not installed."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done, self._shown = total, enabled, 0, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._shown > 0.2 or self.done == self.total):
            self._shown = now
            sys.stderr.write(f"\rimport {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\n")


def _progress_bar(total: int, *, enabled: bool) -> _Progress:
    try:
        tqdm = importlib.import_module("tqdm").tqdm  # optional: in the local extras
    except ImportError:
        return _PlainProgress(total, enabled)
    return cast(_Progress, tqdm(total=total, desc="import", unit="row", file=sys.stderr, disable=not enabled))


# --- the command ---------------------------------------------------------------------------------


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


def _local_database_url() -> str | None:
    from localcloud.runtime import CloudState, load_secrets
    from localcloud.servers import postgres

    state = CloudState.load()
    if state is None or "postgres" not in state.parts:
        return None
    return postgres.url(state.parts["postgres"].port or 0, load_secrets()["postgres"])


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
    database_url = database_url or _local_database_url()
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
