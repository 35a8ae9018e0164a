"""`GET /v1/companies`: filters, sorting and keyset (cursor) pagination over the companies table.

A cursor is the last row's sort value and id, so a page costs the same at any depth and rows
inserted meanwhile neither repeat nor vanish. Nullable sort columns sort as a sentinel value. The filters'
SQL is shared with `GET /v1/search` (shared/companies/filters.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from shared.companies.filters import filter_sql
from shared.companies.model import Company, CompanyListQuery, CompanyPage
from shared.companies.store import VIEW_COLUMNS
from shared.errors import Unprocessable

if TYPE_CHECKING:
    import psycopg

# Sort key -> SQL expression (never user text: the key is a validated Literal).
_SORT_SQL = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "name": "lower(name)",
    "employees_count": "COALESCE(employees_count, -1)",
    "funding_total": "COALESCE(funding_total, -1)",
    "founded_year": "COALESCE(founded_year, -1)",
}


def encode_cursor(sort: str, value: Any, last_id: str) -> str:
    raw = json.dumps({"s": sort, "v": value, "id": last_id}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value, last_id, cursor_sort = data["v"], str(data["id"]), data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise Unprocessable(
            "cursor is not one this API issued", field="cursor", ru="Курсор не распознан: начните с первой страницы"
        ) from exc
    if cursor_sort != sort:
        raise Unprocessable(
            f"cursor was issued for sort={cursor_sort}",
            field="cursor",
            ru=f"Курсор выдан для сортировки {cursor_sort}: не меняйте сортировку между страницами",
        )
    return value, last_id


def list_companies(conn: psycopg.Connection, query: CompanyListQuery) -> CompanyPage:
    descending = query.sort.startswith("-")
    key = query.sort.lstrip("-")
    expr = _SORT_SQL[key]
    filters, params = filter_sql(query)
    clauses = ["deleted_at IS NULL", *filters]
    if query.cursor:
        value, last_id = decode_cursor(query.cursor, query.sort)
        clauses.append(f"({expr}, id) {'<' if descending else '>'} (%(cursor_value)s, %(cursor_id)s)")
        params.update(cursor_value=value, cursor_id=last_id)
    direction = "DESC" if descending else "ASC"
    params["limit"] = query.limit + 1
    rows = conn.execute(
        f"SELECT {VIEW_COLUMNS}, {expr} AS sort_value FROM companies WHERE {' AND '.join(clauses)} "
        f"ORDER BY {expr} {direction}, id {direction} LIMIT %(limit)s",
        params,
    ).fetchall()
    conn.rollback()
    page = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor(query.sort, last["sort_value"], str(last["id"]))  # type: ignore[call-overload]
    return CompanyPage(items=[Company.model_validate(r) for r in page], next_cursor=next_cursor, limit=query.limit)
