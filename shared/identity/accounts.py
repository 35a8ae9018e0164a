"""Creating accounts with given roles outside self-registration: the demo accounts of `make dev`
and the platform-admin bootstrap command (any deployment)."""

from __future__ import annotations

from shared import audit
from shared.audit import RequestOrigin
from shared.db import connect
from shared.errors import Conflict, Unprocessable
from shared.identity import passwords, users
from shared.identity.model import User

OPERATOR = RequestOrigin(source_ip="operator", user_agent="algoarts-cli", request_id=None)


def create_account(
    database_url: str,
    *,
    email: str,
    password: str,
    roles: list[str],
    company_id: str | None = None,
    full_name: str | None = None,
) -> User:
    problems = passwords.policy_violations(password, email)
    if problems:
        raise Unprocessable(f"password {'; '.join(problems)}", field="password")
    with connect(database_url) as conn, conn.transaction():
        user = users.insert_user(
            conn,
            email=email,
            password_hash=passwords.hash_password(password),
            full_name=full_name,
            roles=roles,
            company_id=company_id,
        )
        if user is None:
            raise Conflict(f"an account with email {email} already exists", field="email")
        audit.record(
            conn,
            actor_id=None,
            action="user.created_by_operator",
            resource_type="user",
            resource_id=str(user.id),
            origin=OPERATOR,
            change={"email": email, "roles": roles},
        )
    return user
