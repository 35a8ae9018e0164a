"""pgvector values without the pgvector Python package: vectors travel as text (``'[0.1,0.2]'::vector``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


def to_literal(vector: Sequence[float]) -> str:
    """pgvector's text form; NaN and infinities are refused (pgvector refuses them too, less clearly)."""
    if not vector:
        raise ValueError("an empty vector")
    if not all(math.isfinite(x) for x in vector):
        raise ValueError("a vector with NaN or infinite components")
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def from_literal(text: str) -> list[float]:
    """A vector read back as text (``embedding::text``)."""
    body = text.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise ValueError("not a pgvector literal")
    return [float(x) for x in body[1:-1].split(",") if x.strip()]


def column_dimensions(conn: psycopg.Connection, table: str, column: str) -> int:
    """Declared dimensions of a ``VECTOR(n)`` column (pgvector keeps n in the type modifier); ValueError if
    the column does not exist or has no fixed size."""
    row = conn.execute(
        "SELECT a.atttypmod AS n, t.typname AS type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = to_regclass(%s) AND a.attname = %s AND NOT a.attisdropped",
        (table, column),
    ).fetchone()
    if row is None:
        raise ValueError(f"no column {table}.{column}")
    n, type_name = (row["n"], row["type"]) if isinstance(row, dict) else (row[0], row[1])
    if type_name != "vector" or n is None or int(n) < 1:
        raise ValueError(f"{table}.{column} is not a fixed-size vector column")
    return int(n)
