"""Postgres side of identity: accounts and refresh-token families."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.identity.lifetimes import REFRESH_TOKEN_DAYS
from shared.identity.model import User

if TYPE_CHECKING:
    import psycopg

_USER_COLUMNS = "id, email, full_name, roles, company_id, is_active, created_at, last_login_at"


def insert_user(
    conn: psycopg.Connection,
    *,
    email: str,
    password_hash: str,
    full_name: str | None,
    roles: list[str],
    company_id: str | None = None,
) -> User | None:
    """None when the email is taken (case-insensitively)."""
    row = conn.execute(
        f"INSERT INTO users (email, password_hash, full_name, roles, company_id) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (lower(email)) DO NOTHING RETURNING {_USER_COLUMNS}",
        (email, password_hash, full_name, roles, company_id),
    ).fetchone()
    return User.model_validate(row) if row else None


def user_with_hash(conn: psycopg.Connection, email: str) -> tuple[User, str] | None:
    row = conn.execute(
        f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE lower(email) = lower(%s)", (email,)
    ).fetchone()
    if not row:
        return None
    record: dict[str, Any] = dict(row)
    return User.model_validate(record), str(record["password_hash"])


def password_hash_of(conn: psycopg.Connection, user_id: str) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE id = %s", (user_id,)).fetchone()
    return str(row["password_hash"]) if row else None  # type: ignore[call-overload]


def get_user(conn: psycopg.Connection, user_id: str) -> User | None:
    row = conn.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = %s", (user_id,)).fetchone()
    return User.model_validate(row) if row else None


def update_user(conn: psycopg.Connection, user_id: str, **fields: Any) -> User | None:
    assignments = ", ".join(f"{name} = %s" for name in fields)
    row = conn.execute(
        f"UPDATE users SET {assignments}, updated_at = NOW() WHERE id = %s RETURNING {_USER_COLUMNS}",
        (*fields.values(), user_id),
    ).fetchone()
    return User.model_validate(row) if row else None


def list_users(conn: psycopg.Connection, *, company_id: str | None, after: str | None, limit: int) -> list[User]:
    """Ordered by id for a stable cursor; `company_id` None means every company."""
    rows = conn.execute(
        f"SELECT {_USER_COLUMNS} FROM users WHERE (%(company)s::uuid IS NULL OR company_id = %(company)s::uuid) "
        f"AND (%(after)s::uuid IS NULL OR id > %(after)s::uuid) ORDER BY id LIMIT %(limit)s",
        {"company": company_id, "after": after, "limit": limit},
    ).fetchall()
    return [User.model_validate(r) for r in rows]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_refresh_token(conn: psycopg.Connection, user_id: str, family_id: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES (%s, %s, %s, %s)",
        (
            _digest(token),
            family_id or str(uuid.uuid4()),
            user_id,
            datetime.now(UTC) + timedelta(days=REFRESH_TOKEN_DAYS),
        ),
    )
    return token


def spend_refresh_token(conn: psycopg.Connection, token: str) -> tuple[str, str] | None:
    """(user_id, family_id) of a live token, now spent; None for an unknown, expired or revoked one.

    Presenting a token that was already spent is reuse: the whole family is revoked.
    """
    row = conn.execute(
        "SELECT family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens"
        " WHERE token_hash = %s FOR UPDATE",
        (_digest(token),),
    ).fetchone()
    if not row:
        return None
    record: dict[str, Any] = dict(row)
    if record["used_at"] is not None:
        revoke_family(conn, str(record["family_id"]))
        return None
    if record["revoked_at"] is not None or record["expires_at"] <= datetime.now(UTC):
        return None
    conn.execute("UPDATE refresh_tokens SET used_at = NOW() WHERE token_hash = %s", (_digest(token),))
    return str(record["user_id"]), str(record["family_id"])


def family_of(conn: psycopg.Connection, token: str) -> tuple[str, str] | None:
    row = conn.execute(
        "SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = %s", (_digest(token),)
    ).fetchone()
    return (str(row["user_id"]), str(row["family_id"])) if row else None  # type: ignore[call-overload]


def revoke_family(conn: psycopg.Connection, family_id: str) -> None:
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = NOW() WHERE family_id = %s AND revoked_at IS NULL", (family_id,)
    )


def revoke_all_for_user(conn: psycopg.Connection, user_id: str) -> None:
    conn.execute("UPDATE refresh_tokens SET revoked_at = NOW() WHERE user_id = %s AND revoked_at IS NULL", (user_id,))
