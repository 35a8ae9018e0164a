"""What the function tests share: a handler cold-started against the session's servers, requests built from
the sample events of events/http as the gateway passes them on (behind the Lambda authorizer or not), the
answer read back, and accounts, tokens and companies made through the services a user's requests reach.

    fn = cold_start(monkeypatch, "identity", "get_me", database_url=postgres_url, redis_url=redis_url)
    answer = call(fn, request("get_me", principal(user=account(postgres_url, "free_user"))))
    assert answer.status == 200 and answer.body["email"] == ...
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from support import LambdaContext, event, load_function

if TYPE_CHECKING:
    from shared.cache import CompanyCache
    from shared.companies.model import Company
    from shared.identity.guard import Principal
    from shared.identity.keys import KeySet
    from shared.identity.model import User
    from shared.settings import Settings

PROBLEM_JSON = "application/problem+json"
PASSWORD = "Tundra-river-4821"  # passes the password policy
REGION = "us-east-1"
JWT_KEYS_SECRET = "algoarts/jwt-keys"
_NO_BODY = object()


# --- the function ------------------------------------------------------------------------------------------


def cold_start(
    monkeypatch: pytest.MonkeyPatch, context: str, function: str, *, aws: str | None = None, **settings: str
) -> ModuleType:
    """functions/<context>/<function>/app.py imported as a new instance would be: its ALGOARTS_* environment
    is exactly `settings` (database_url=..., redis_url=...), with `aws` the emulator's endpoint and
    credentials, and nothing is left from an earlier test (settings, connections, clients, key set, secrets)."""
    for name in [n for n in os.environ if n.startswith("ALGOARTS_")]:
        monkeypatch.delenv(name)
    for name, value in settings.items():
        monkeypatch.setenv(f"ALGOARTS_{name.upper()}", value)
    if aws is not None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", aws)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    forget_instance()
    return load_function(context, function)


def forget_instance() -> None:
    """What a warm function instance keeps between requests, dropped: the next import is a cold start."""
    from shared import cache, db
    from shared.identity import guard, keys
    from shared.settings import get_settings

    get_settings.cache_clear()
    guard.security_state.cache_clear()
    for cached in (cache.company_cache, cache.list_cache, cache.view_counter):
        cached.cache_clear()
    for client in [cache._clients.pop(url) for url in list(cache._clients)]:
        client.close()
    for conn in [db._connections.pop(url) for url in list(db._connections)]:
        conn.close()
    keys._cached.clear()
    if "shared.queues" in sys.modules:
        sys.modules["shared.queues"].client.cache_clear()
    if "aws_lambda_powertools.utilities.parameters" in sys.modules:
        sys.modules["aws_lambda_powertools.utilities.parameters"].clear_caches()
    if "shared.search.service" in sys.modules:
        search = sys.modules["shared.search.service"]
        search.query_embedder.cache_clear()
        search.index.cache_clear()
    if "shared.companies.verification_worker" in sys.modules:
        sys.modules["shared.companies.verification_worker"].registry.cache_clear()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any  # the JSON body; the text when it is not JSON; None when empty

    @property
    def fields(self) -> list[str]:
        """The fields a problem's `errors` name."""
        return [str(e["field"]) for e in self.body.get("errors", [])]


def call(module: ModuleType, request: dict[str, Any]) -> Answer:
    """The function's answer to one request, as the gateway would send it on."""
    response = module.handler(request, LambdaContext())
    text = response.get("body") or ""
    headers = dict(response.get("headers") or {})
    body: Any = text or None
    if text and headers.get("Content-Type", "").split(";")[0] in {"application/json", PROBLEM_JSON}:
        body = json.loads(text)
    return Answer(response["statusCode"], headers, body)


def assert_problem(answer: Answer, status: int, *fields: str) -> None:
    """A problem+json answer of this status naming at least these fields."""
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert answer.body["status"] == status
    assert set(fields) <= set(answer.fields), answer.body


# --- requests ----------------------------------------------------------------------------------------------


def request(
    name: str,
    caller: Principal | None = None,
    *,
    path: str | None = None,
    query: dict[str, str] | None = None,
    body: Any = _NO_BODY,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """events/http/<name>.json from behind the authorizer (`caller`; none: no authorizer context), at `path`
    (its pathParameters read off the routeKey), with `query`, `body` (a JSON value; None: no body) and extra
    `headers`; from a source IP of its own (login throttling counts per IP)."""
    ev = event(f"http/{name}")
    if path is not None:
        ev["rawPath"] = ev["requestContext"]["http"]["path"] = path
        if ev["routeKey"] != "$default":  # the catch-all route has no parameters
            template = ev["routeKey"].split(" ", 1)[1].split("/")
            actual = path.split("/")
            assert len(template) == len(actual), (ev["routeKey"], path)
            params = {t[1:-1]: urllib.parse.unquote(a) for t, a in zip(template, actual, strict=True) if t[:1] == "{"}
            if params:
                ev["pathParameters"] = params
    if query is not None:
        ev["queryStringParameters"] = query or None
        ev["rawQueryString"] = urllib.parse.urlencode(query)
    if body is None:
        ev.pop("body", None)
    elif body is not _NO_BODY:
        ev["body"] = json.dumps(body, ensure_ascii=False)
    ev["headers"] = {**ev["headers"], **{k.lower(): v for k, v in (headers or {}).items()}}
    ev["requestContext"]["requestId"] = str(uuid.uuid4())
    ev["requestContext"]["http"]["sourceIp"] = "10." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))
    ev["requestContext"].pop("authorizer", None)
    if caller is not None:
        ev["requestContext"]["authorizer"] = {"lambda": caller.as_context()}
    return ev


def principal(
    role: str = "paid_user", *, user: User | None = None, company_id: str | None = None, user_id: str | None = None
) -> Principal:
    """A signed-in caller as the authorizer passes it on from a fresh access token: `user`'s (their id, email,
    roles and company), or else a user of `role` (with `user_id`, e.g. a catalog company's owner) who need not
    exist."""
    from shared.identity.guard import Principal
    from shared.identity.roles import permissions_for

    roles = tuple(user.roles) if user is not None else (role,)
    company = str(user.company_id) if user is not None and user.company_id else company_id
    now = int(time.time())
    claims = Principal(
        user_id=str(user.id) if user is not None else (user_id or str(uuid.uuid4())),
        email=user.email if user is not None else unique_email(role),
        roles=roles,
        permissions=tuple(permissions_for(roles)),
        company_id=company,
        jti=uuid.uuid4().hex,
        iat=now,
        exp=now + 900,
    )
    return Principal.from_context(claims.as_context())  # through the gateway's flat context, as a function sees it


# --- accounts and tokens -----------------------------------------------------------------------------------


def unique_email(tag: str = "user") -> str:
    return f"{tag.replace('_', '.')}.{uuid.uuid4().hex[:10]}@example.ru"


@cache
def _password_hash() -> str:
    from shared.identity.passwords import hash_password

    return hash_password(PASSWORD)


def account(postgres_url: str, role: str = "free_user", *, company_id: str | None = None) -> User:
    """A new active account whose password is PASSWORD: its users row as registration writes it (the argon2 hash
    computed once per session)."""
    from shared.db import connect
    from shared.identity.users import insert_user

    with connect(postgres_url) as conn:
        user = insert_user(
            conn, email=unique_email(role), password_hash=_password_hash(), full_name="Ольга Смирнова", roles=[role],
            company_id=company_id,
        )  # fmt: skip
        conn.commit()
    assert user is not None
    return user


def publish_keys(aws_endpoint: str, secret_id: str, keys: KeySet | None = None) -> KeySet:
    """The key set (a new one with one key unless given) written to the emulator's Secrets Manager, as
    `algoarts keys rotate` writes it."""
    from localcloud.runtime import boto_session
    from shared.identity.keys import KeySet, SecretsManagerKeyStore

    if keys is None:
        keys = KeySet()
        keys.rotate()
    SecretsManagerKeyStore(secret_id, client=boto_session(aws_endpoint).client("secretsmanager")).save(keys)
    return keys


def access_token(keys: KeySet, user: User) -> str:
    """An access token of `user` signed with the key set's active key, as login issues it."""
    from shared.identity.tokens import issue_access_token

    token, _ = issue_access_token(
        keys,
        user_id=str(user.id),
        email=user.email,
        roles=user.roles,
        company_id=str(user.company_id) if user.company_id else None,
    )
    return token


# --- companies ---------------------------------------------------------------------------------------------


def identity(region: str = "77") -> tuple[str, str]:
    """A fresh valid (INN, OGRN) pair of an organisation (unique enough not to collide with another test's)."""
    from shared.companies.legal import inn_check_digits, ogrn_check_digit

    body = region + f"{uuid.uuid4().int % 10**7:07d}"
    ogrn_body = f"1{region}{uuid.uuid4().int % 10**9:09d}"[:12]
    return body + inn_check_digits(body), ogrn_body + ogrn_check_digit(ogrn_body)


def company(postgres_url: str, redis_url: str, owner: Principal | None, **fields: Any) -> Company:
    """A company created through the service as `owner` (None: the system), with a unique name unless given,
    the cache written through as CreateCompanyFunction does."""
    from shared.commands import Context
    from shared.companies import service
    from shared.companies.model import CompanyCreate

    data = {"name": f"Платёжный Сервис {uuid.uuid4().hex[:8]}", "industry": "fintech", **fields}
    command = CompanyCreate.model_validate(data)
    return service.create_company(
        _settings(postgres_url, redis_url), command, Context(principal=owner), cache=_cache(redis_url)
    )


def delete(postgres_url: str, redis_url: str, owner: Principal | None, company_id: str) -> None:
    """The company soft-deleted through the service as `owner`, evicted from the cache as DeleteCompanyFunction does."""
    from shared.commands import Context
    from shared.companies import service

    settings = _settings(postgres_url, redis_url)
    service.delete_company(settings, company_id, Context(principal=owner), cache=_cache(redis_url))


def _settings(postgres_url: str, redis_url: str) -> Settings:
    from shared.settings import Settings

    return Settings(database_url=postgres_url, redis_url=redis_url)


def _cache(redis_url: str) -> CompanyCache:
    from shared.cache import company_cache

    return company_cache(redis_url, 300)


# --- reading back ------------------------------------------------------------------------------------------


def rows(postgres_url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    """What a query returns, read on a connection of its own (what the function committed, nothing else)."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        found: list[dict[str, Any]] = conn.execute(sql, params).fetchall()  # type: ignore[assignment]
    return found


def row(postgres_url: str, sql: str, *params: Any) -> dict[str, Any]:
    """The one row a query returns."""
    (found,) = rows(postgres_url, sql, *params)
    return found
