"""Reading an import file into rows of CompanyImport fields: CSV (as Excel writes it) or a JSON list.

CSV: a header of field names, `,` or `;` (Excel in a Russian locale) or a tab, lists split by `;`, empty
cells left out, a few spreadsheet habits understood (да/нет, 15.03.2024, "1 500 000"); anything else
is left as text for validation to judge. Row numbers are the ones the user sees: the CSV line a record
starts on (the header is line 1), the 1-based position of an object in a JSON list. A file that is not
a list of rows at all is an ImportFileError, worded in Russian and English.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from shared.companies.model import CompanyImport

ROW_NUMBER = "__row__"  # the key read_rows() stores a CSV record's line number under
LIST_FIELDS = frozenset({"sub_industries", "integrations", "ai_tags"})
INT_FIELDS = frozenset({"founded_year", "employees_count", "funding_total"})
FIELDS: tuple[str, ...] = tuple(CompanyImport.model_fields)
REQUIRED: tuple[str, ...] = tuple(name for name, info in CompanyImport.model_fields.items() if info.is_required())
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
