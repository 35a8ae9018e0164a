"""Company use cases: handlers call these, these call the event store and the read side.

Every command runs in one transaction: lock the company's row, rebuild the aggregate from its
events, check who may act and the expected version, append the event, then write the current-state
row, the outbox message and the audit entry. After commit the caches are updated (write-through);
the stream projection repeats that idempotently, so a cache failure here is repaired there.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from pydantic_core import PydanticCustomError

from shared import audit, outbox
from shared.commands import Context
from shared.companies import aggregate, event_store, listing, store
from shared.companies.aggregate import CompanyState
from shared.companies.legal import check_identity_pair
from shared.companies.model import (
    Company,
    CompanyCreate,
    CompanyHistory,
    CompanyListQuery,
    CompanyPage,
    CompanyPatch,
)
from shared.companies.slugs import slugify
from shared.db import connection
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import EventEnvelope
from shared.settings import Settings

if TYPE_CHECKING:
    import psycopg

    from shared.cache import CompanyCache, ListCache
    from shared.legal_registry.port import LegalRecord

_ATTEMPTS = 5
SYSTEM_VERIFIER = "system:verification"
logger = Logger(service="algoarts", child=True)


# --- commands ----------------------------------------------------------------------------------


def create_company(
    settings: Settings, command: CompanyCreate, ctx: Context, *, cache: CompanyCache | None = None
) -> Company:
    conn = connection(settings.database_url)
    owner = ctx.principal.user_id if ctx.principal else None
    state = _retrying(conn, lambda: _create(conn, command.model_dump(mode="json"), owner, ctx))
    return _after_commit(state, cache)


def create_in_transaction(
    conn: psycopg.Connection, fields: dict[str, Any], owner: str | None, ctx: Context
) -> CompanyState:
    """For bulk import: the caller owns the (one) transaction, so a bad row undoes every row."""
    return _create(conn, fields, owner, ctx)


def update_company(
    settings: Settings,
    key: str,
    patch: CompanyPatch,
    ctx: Context,
    *,
    expected_version: int | None = None,
    cache: CompanyCache | None = None,
) -> Company:
    conn = connection(settings.database_url)
    state = _retrying(conn, lambda: _update(conn, key, patch.changes(), ctx, expected_version))
    return _after_commit(state, cache)


def delete_company(
    settings: Settings,
    key: str,
    ctx: Context,
    *,
    expected_version: int | None = None,
    cache: CompanyCache | None = None,
) -> None:
    conn = connection(settings.database_url)

    def run() -> CompanyState:
        with conn.transaction():
            state = aggregate.require_live(_locked(conn, key), key)
            _authorize(ctx, state)
            aggregate.check_version(state, expected_version)
            return _commit(conn, state, aggregate.DELETED, {}, ctx)

    _after_commit(_retrying(conn, run), cache)


def restore_company(
    settings: Settings,
    key: str,
    ctx: Context,
    *,
    expected_version: int | None = None,
    cache: CompanyCache | None = None,
) -> Company:
    conn = connection(settings.database_url)

    def run() -> CompanyState:
        with conn.transaction():
            state = _locked(conn, key)
            if state is None:
                raise NotFound(f"company {key} not found", field="id", ru=f"Компания {key} не найдена")
            _authorize(ctx, state)
            if not state.deleted:
                raise Conflict(f"company {key} is not deleted", field="id", ru="Компания не удалена")
            aggregate.check_version(state, expected_version)
            _refuse_duplicates(conn, state.fields.get("inn"), state.fields.get("ogrn"), state.id)
            return _commit(conn, state, aggregate.RESTORED, {}, ctx)

    return _after_commit(_retrying(conn, run), cache)


def record_verification(
    settings: Settings,
    company_id: str,
    inn: str,
    record: LegalRecord | None,
    ctx: Context,
    *,
    cache: CompanyCache | None = None,
) -> Company | None:
    """Apply a registry answer; None when there is nothing to do (deleted, INN changed, nothing new)."""
    conn = connection(settings.database_url)

    def run() -> CompanyState | None:
        with conn.transaction():
            state = _locked(conn, company_id)
            if state is None or state.deleted or state.fields.get("inn") != inn:
                return None
            event_type, payload = _verification_outcome(state, record)
            if _already(state, event_type, payload):
                return None
            return _commit(conn, state, event_type, payload, ctx)

    state = _retrying(conn, run)
    return _after_commit(state, cache) if state else None


def record_enrichment(
    settings: Settings,
    company_id: str,
    *,
    summary: str,
    tags: list[str],
    sentiment: float,
    ctx: Context,
    cache: CompanyCache | None = None,
) -> Company:
    """The enrichment agent's result (issue 6). `ai_summary` and `ai_tags` are aggregate fields: they change
    through a `company.updated` event like any edit, so the search read model, the cache and the embedding
    follow through the outbox. `ai_sentiment_score` and `last_ai_enrichment` are enrichment-only columns
    (like the embedding), written on the row in the same transaction. Nothing is appended when the summary
    and tags are unchanged; the sentiment and the timestamp are still refreshed."""
    conn = connection(settings.database_url)

    def run() -> CompanyState:
        with conn.transaction():
            state = aggregate.require_live(_locked(conn, company_id), company_id)
            changes = aggregate.changed_fields(state, {"ai_summary": summary, "ai_tags": tags})
            if changes:
                previous = {k: state.fields.get(k) for k in changes}
                state = _commit(conn, state, aggregate.UPDATED, {"changes": changes, "previous": previous}, ctx)
            conn.execute(
                "UPDATE companies SET ai_sentiment_score = %s, last_ai_enrichment = NOW() WHERE id = %s",
                (round(sentiment, 2), state.id),
            )
            return state

    return _after_commit(_retrying(conn, run), cache)


def check_verifiable(settings: Settings, key: str, ctx: Context) -> Company:
    """What `POST /verify` checks before queueing: the caller's live company, with an INN."""
    conn = connection(settings.database_url)
    resolved = store.resolve(conn, key)
    company = store.load_view(conn, resolved[0]) if resolved else None
    conn.rollback()
    if company is None:
        raise NotFound(f"company {key} not found", field="id", ru=f"Компания {key} не найдена")
    _authorize(ctx, CompanyState(id=str(company.id), version=company.version, fields=company.model_dump(mode="json")))
    if not company.inn:
        raise Unprocessable(
            "add the company's INN before asking to verify it",
            field="inn",
            ru="Укажите ИНН компании, чтобы её проверить",
        )
    return company


# --- queries -----------------------------------------------------------------------------------


def get_company(settings: Settings, key: str, cache: CompanyCache | None = None) -> Company:
    """By id, slug or former slug; read-through the L1 cache. The caller redirects former slugs."""
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    conn = connection(settings.database_url)
    resolved = store.resolve(conn, key)
    company = store.load_view(conn, resolved[0]) if resolved else None
    conn.rollback()
    if company is None:
        raise NotFound(f"company {key} not found", field="id", ru=f"Компания {key} не найдена")
    if cache is not None:
        cache.put(company)
    return company


def request_verification(settings: Settings, key: str, ctx: Context) -> Company:
    """`POST /verify`: check the company may be verified, then queue the request (the worker answers later)."""
    from shared.companies.verification import verification_request
    from shared.queues import send_json

    company = check_verifiable(settings, key, ctx)
    send_json(settings.require("verification_queue_url"), verification_request(company, ctx.correlation_id))
    return company


def company_history(settings: Settings, key: str, *, after: int = 0, limit: int = 100) -> CompanyHistory:
    conn = connection(settings.database_url)
    resolved = store.resolve(conn, key)
    company = store.load_view(conn, resolved[0]) if resolved else None
    if company is None:
        conn.rollback()
        raise NotFound(f"company {key} not found", field="id", ru=f"Компания {key} не найдена")
    events = event_store.history(conn, str(company.id), after=after, limit=limit)
    conn.rollback()
    return CompanyHistory(company_id=company.id, version=company.version, events=events)


def list_companies(settings: Settings, query: CompanyListQuery, cache: ListCache | None = None) -> CompanyPage:
    """A page from the read model, from the L2 cache when no company changed since it was cached."""
    key = hashlib.sha256(query.model_dump_json(exclude_defaults=False).encode()).hexdigest()[:32]
    generation = None
    if cache is not None:
        generation, cached = cache.get(key)
        if cached is not None:
            return CompanyPage.model_validate_json(cached)
    page = listing.list_companies(connection(settings.database_url), query)
    if cache is not None and generation is not None:
        cache.put(generation, key, page.model_dump_json().encode())
    return page


# --- internals ---------------------------------------------------------------------------------


def _create(conn: psycopg.Connection, fields: dict[str, Any], owner: str | None, ctx: Context) -> CompanyState:
    with conn.transaction():
        _refuse_duplicates(conn, fields.get("inn"), fields.get("ogrn"), None)
        company_id = str(uuid.uuid4())
        slug = store.claim_slug(conn, slugify(fields["name"]), company_id)
        initial = {**fields, "slug": slug, "owner_id": owner, "is_verified": False}
        return _commit(conn, CompanyState(id=company_id), aggregate.CREATED, {"fields": initial}, ctx)


def _update(
    conn: psycopg.Connection, key: str, requested: dict[str, Any], ctx: Context, expected: int | None
) -> CompanyState:
    with conn.transaction():
        state = aggregate.require_live(_locked(conn, key), key)
        _authorize(ctx, state)
        aggregate.check_version(state, expected)
        changes = aggregate.changed_fields(state, requested)
        for required in ("name", "industry"):
            if required in changes and changes[required] is None:
                raise Unprocessable(f"{required} cannot be cleared", field=required, ru="Обязательное поле")
        if not changes:
            return state
        if "inn" in changes:
            # OGRN and KPP belong to the former legal entity unless the same request gives new ones.
            changes.update({k: None for k in ("ogrn", "kpp") if k not in requested and state.fields.get(k)})
        merged = {**state.fields, **changes}
        _check_identity(merged)
        if "inn" in changes or "ogrn" in changes:
            _refuse_duplicates(conn, merged.get("inn"), merged.get("ogrn"), state.id)
            # New legal identity: the old verification no longer applies (re-verification follows the event).
            changes.update(is_verified=False, legal_status=None, legal_name=None, legal_address=None, verified_at=None)
        if "name" in changes:
            slug = store.claim_slug(conn, slugify(changes["name"]), state.id)
            if slug != state.fields.get("slug"):
                changes["slug"] = slug
        previous = {k: state.fields.get(k) for k in changes}
        return _commit(conn, state, aggregate.UPDATED, {"changes": changes, "previous": previous}, ctx)


def _commit(
    conn: psycopg.Connection, state: CompanyState, event_type: str, payload: dict[str, Any], ctx: Context
) -> CompanyState:
    """Append one event and everything that must change with it, in the caller's transaction."""
    from shared.companies.events import company_payload  # the payload models: only writers build them

    event = event_store.new_event(event_type, state.version + 1, payload, datetime.now(UTC))
    new_state = aggregate.apply(state, event)
    event_store.append(
        conn,
        event,
        company_id=state.id,
        actor=ctx.actor,
        correlation_id=ctx.correlation_id,
        causation_id=ctx.causation_id,
    )
    store.save(conn, new_state)
    outbox.append(
        conn,
        EventEnvelope(
            event_id=event.event_id,
            event_type=event_type,
            aggregate_type="company",
            aggregate_id=state.id,
            version=new_state.version,
            timestamp=event.occurred_at,
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            # Consumers get the delta and the whole document after it, so no read model has to query back.
            payload=company_payload(event_type, payload, new_state.view(), new_state.deleted),
        ),
    )
    audit.record(
        conn,
        actor_id=ctx.principal.user_id if ctx.principal else None,
        action=event_type,
        resource_type="company",
        resource_id=state.id,
        origin=ctx.origin,
        change=payload,
    )
    event_store.snapshot_if_due(conn, new_state)
    return new_state


def _locked(conn: psycopg.Connection, key: str) -> CompanyState | None:
    resolved = store.resolve(conn, key)
    if resolved is None or not store.lock(conn, resolved[0]):
        return None
    return event_store.rebuild(conn, resolved[0])


def _authorize(ctx: Context, state: CompanyState) -> None:
    if ctx.principal is None:
        return  # the system (verification worker, import command) acts on any company
    from shared.identity.guard import require_company_access

    owner = state.fields.get("owner_id")
    require_company_access(ctx.principal, state.id, str(owner) if owner else None)


def _refuse_duplicates(conn: psycopg.Connection, inn: str | None, ogrn: str | None, exclude: str | None) -> None:
    duplicate = store.duplicate_of(conn, inn=inn, ogrn=ogrn, exclude=exclude)
    if duplicate is not None:
        column, existing = duplicate
        label = {"inn": "ИНН", "ogrn": "ОГРН"}[column]
        raise Conflict(
            f"a company with this {column.upper()} already exists: {existing}",
            field=column,
            ru=f"Компания с таким {label} уже есть: {existing}",
            extensions={"existing_id": existing},
        )


def _check_identity(fields: dict[str, Any]) -> None:
    try:
        check_identity_pair(fields.get("inn"), fields.get("ogrn"), fields.get("kpp"))
    except PydanticCustomError as exc:
        field_name = "kpp" if exc.type == "kpp_for_individual" else "ogrn"
        raise Unprocessable(exc.message(), field=field_name) from None


def _verification_outcome(state: CompanyState, record: LegalRecord | None) -> tuple[str, dict[str, Any]]:
    if record is None:
        return aggregate.VERIFICATION_FAILED, {"reason": "ИНН не найден в ЕГРЮЛ/ЕГРИП"}
    ogrn = state.fields.get("ogrn")
    if ogrn and record.ogrn and ogrn != record.ogrn:
        return aggregate.VERIFICATION_FAILED, {"reason": f"ОГРН не совпадает с ЕГРЮЛ ({record.ogrn})"}
    legal = {
        "legal_name": record.short_name,  # ООО "ЯНДЕКС", as on invoices; the full name is in the register
        "legal_address": record.legal_address,
        "ogrn": record.ogrn,
        "kpp": record.kpp,
        "legal_status": record.status.value,
    }
    return aggregate.VERIFIED, {"legal": legal, "source": record.source}


def _already(state: CompanyState, event_type: str, payload: dict[str, Any]) -> bool:
    """A repeated registry answer (a redelivered message) appends nothing."""
    if event_type == aggregate.VERIFIED:
        return bool(state.fields.get("is_verified")) and all(
            state.fields.get(k) == v for k, v in payload["legal"].items()
        )
    return not state.fields.get("is_verified") and state.fields.get("verification_error") == payload["reason"]


def _retrying[T](conn: psycopg.Connection, run: Callable[[], T]) -> T:
    """Retry a transaction that lost a race for a slug; a lost race for an INN/OGRN is a 409."""
    from psycopg import errors

    for attempt in range(_ATTEMPTS):
        if conn.info.transaction_status != conn.info.transaction_status.IDLE:
            conn.rollback()  # never nest our transaction in an implicit one left open by a read
        try:
            return run()
        except errors.UniqueViolation as exc:
            constraint = exc.diag.constraint_name or ""
            if constraint in ("idx_companies_inn", "idx_companies_ogrn"):
                raise Conflict(
                    "a company with this INN or OGRN was just created",
                    field="ogrn" if "ogrn" in constraint else "inn",
                    ru="Компания с таким ИНН или ОГРН только что создана",
                ) from None
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _after_commit(state: CompanyState, cache: CompanyCache | None) -> Company:
    view = state.view()
    if cache is None:
        return view
    try:
        if state.deleted:
            cache.evict(state.id, state.version)
        else:
            cache.put(view, changed=True)
    except Exception as exc:
        logger.warning("cache write-through failed", extra={"company_id": state.id, "error": type(exc).__name__})
    return view
