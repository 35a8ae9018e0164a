"""Suggestion feedback on a real Postgres: dismissals stored once per pair and undone, the outcome counts'
one query (active partnerships positive, rejected ones and dismissals negative, per industry and
sub-industry pair), their effect on the suggestions, and dismissals going with a removed company."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from localcloud.catalog.generate import DEFAULT_OUT
from shared.commands import Context
from shared.errors import Forbidden, NotFound, Unprocessable
from shared.identity.guard import Principal
from shared.partnerships import feedback, service
from shared.settings import Settings

pytestmark = pytest.mark.integration

_COLUMNS = (
    "id", "name", "slug", "description", "industry", "sub_industries", "business_model", "headquarters_country",
    "headquarters_city", "employees_count", "tech_stack", "integrations", "api_available", "ai_tags", "ai_summary",
    "owner_id",
)  # fmt: skip
KINDS = (
    ("crm", "sales_crm"),
    ("communications", "virtual_pbx"),
    ("communications", "virtual_pbx"),
    ("communications", "virtual_pbx"),
    ("ecommerce", "store_builder"),
    ("fintech", "payments"),
)


@pytest.fixture
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    """One sample-catalog company per kind of KINDS, written into the read model; removed at the end with
    their partnerships (their dismissals go with them)."""
    from shared.db import connect

    rows = json.loads(DEFAULT_OUT.read_text("utf-8"))
    used: dict[tuple[str, str], int] = {}
    loaded: list[dict[str, Any]] = []
    with connect(postgres_url) as conn:
        for kind in KINDS:
            row = [r for r in rows if r["industry"] == kind[0] and kind[1] in r["sub_industries"]][used.get(kind, 0)]
            used[kind] = used.get(kind, 0) + 1
            record = {
                **row,
                "id": str(uuid.uuid4()),
                "slug": f"fb-{uuid.uuid4().hex[:12]}",
                "owner_id": str(uuid.uuid4()),
                "tech_stack": json.dumps(row["tech_stack"], ensure_ascii=False),
            }
            conn.execute(
                f"INSERT INTO companies ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                [record[c] for c in _COLUMNS],
            )
            conn.execute("INSERT INTO company_slugs (slug, company_id) VALUES (%s, %s)", (record["slug"], record["id"]))
            loaded.append({**row, "id": record["id"], "slug": record["slug"], "owner_id": record["owner_id"]})
        conn.commit()
    yield loaded
    ids = [c["id"] for c in loaded]
    with connect(postgres_url) as conn:
        mine = (
            "SELECT id FROM partnerships "
            "WHERE company_a_id = ANY(%(ids)s::uuid[]) OR company_b_id = ANY(%(ids)s::uuid[])"
        )
        conn.execute(f"DELETE FROM partnership_events WHERE partnership_id IN ({mine})", {"ids": ids})
        conn.execute(f"DELETE FROM partnerships WHERE id IN ({mine})", {"ids": ids})
        conn.execute("DELETE FROM company_slugs WHERE company_id = ANY(%s::uuid[])", (ids,))
        conn.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (ids,))
        conn.commit()


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0")


def _owner(company: dict[str, Any]) -> Context:
    principal = Principal(
        user_id=company["owner_id"],
        email="bd@example.ru",
        roles=("paid_user",),
        permissions=("partnership:read", "partnership:write"),
        company_id=None,
        jti="j",
        iat=0,
        exp=0,
    )
    return Context(principal=principal, correlation_id=f"corr-{uuid.uuid4().hex[:8]}")


def _counts(postgres_url: str) -> feedback.OutcomeCounts:
    from shared.db import connect

    with connect(postgres_url) as conn:
        return feedback.outcome_counts(conn)


def _delta(after: feedback.Counts, before: feedback.Counts) -> tuple[int, int]:
    return after.pos - before.pos, after.neg - before.neg


def test_outcomes_are_counted_per_industry_and_sub_industry_pair(
    settings: Settings, companies: list[dict[str, Any]], postgres_url: str
) -> None:
    crm, phone1, phone2, phone3, shop, pay = companies
    before = _counts(postgres_url)
    ctx = _owner(crm)
    active = service.create_partnership(settings, crm["id"], phone1["id"], ctx)
    for status in ("contacted", "in_discussion", "active", "paused"):  # reached active: positive, even paused
        service.change_status(settings, str(active.id), status, ctx)
    rejected = service.create_partnership(settings, crm["id"], phone2["id"], ctx)
    service.change_status(settings, str(rejected.id), "rejected", ctx)
    service.create_partnership(settings, shop["id"], pay["id"], _owner(shop))  # still suggested: no outcome
    feedback.dismiss(settings, crm["id"], phone3["id"], ctx, reason="Уже есть телефония")

    after = _counts(postgres_url)
    assert _delta(after.overall, before.overall) == (1, 2)
    pair = ("communications", "crm")
    assert _delta(after.industries[pair], before.industries.get(pair, feedback.Counts())) == (1, 2)
    sub = ("sales_crm", "virtual_pbx")
    assert _delta(after.sub_industries[sub], before.sub_industries.get(sub, feedback.Counts())) == (1, 2)
    store = ("ecommerce", "fintech")
    assert _delta(after.industries.get(store, feedback.Counts()), before.industries.get(store, feedback.Counts())) == (
        0,
        0,
    )

    # Narrowed to one company's industry and sub-industries, the same counts for the pairs it looks up.
    from shared.db import connect

    with connect(postgres_url) as conn:
        narrowed = feedback.outcome_counts(conn, crm)
    assert narrowed.overall == after.overall and narrowed.industries[pair] == after.industries[pair]
    assert narrowed.sub_industries[sub] == after.sub_industries[sub]
    assert all("crm" in k for k in narrowed.industries)


def test_a_dismissal_is_stored_once_hides_the_partner_and_is_undone(
    settings: Settings, companies: list[dict[str, Any]], pg: Any
) -> None:
    shop, pay = companies[4], companies[5]
    assert pay["id"] in {str(s.company.id) for s in service.suggest_partners(settings, shop["id"], limit=50)}
    first = feedback.dismiss(settings, shop["slug"], pay["slug"], _owner(shop), reason="Дорого")
    again = feedback.dismiss(settings, shop["id"], pay["id"], _owner(shop))
    assert again == first and first.reason == "Дорого" and str(first.dismissed_by) == shop["owner_id"]
    assert pay["id"] not in {str(s.company.id) for s in service.suggest_partners(settings, shop["id"], limit=50)}
    # Directional: the payment provider's own suggestions still show the store builder.
    assert shop["id"] in {str(s.company.id) for s in service.suggest_partners(settings, pay["id"], limit=50)}
    rows = pg.execute("SELECT count(*) AS n FROM suggestion_dismissals WHERE company_id = %s", (shop["id"],)).fetchone()
    assert rows["n"] == 1
    feedback.undismiss(settings, shop["id"], pay["id"], _owner(shop))
    feedback.undismiss(settings, shop["id"], pay["id"], _owner(shop))
    assert pay["id"] in {str(s.company.id) for s in service.suggest_partners(settings, shop["id"], limit=50)}


def test_the_rules_of_who_and_what(settings: Settings, companies: list[dict[str, Any]]) -> None:
    shop, pay = companies[4], companies[5]
    with pytest.raises(Forbidden):
        feedback.dismiss(settings, shop["id"], pay["id"], _owner(pay))
    with pytest.raises(NotFound) as unknown:
        feedback.dismiss(settings, shop["id"], str(uuid.uuid4()), _owner(shop))
    assert unknown.value.field == "partner_id"
    with pytest.raises(Unprocessable):
        feedback.dismiss(settings, shop["id"], shop["slug"], _owner(shop))
    assert feedback.dismiss(settings, shop["id"], pay["id"], Context()).dismissed_by is None  # the system may


def test_the_table_refuses_a_self_dismissal_and_follows_a_removed_company(
    settings: Settings, companies: list[dict[str, Any]], pg: Any, postgres_url: str
) -> None:
    shop, pay = companies[4], companies[5]
    with pytest.raises(psycopg.errors.CheckViolation):
        pg.execute(
            "INSERT INTO suggestion_dismissals (company_id, partner_id) VALUES (%s, %s)", (shop["id"], shop["id"])
        )
    pg.rollback()
    feedback.dismiss(settings, shop["id"], pay["id"], _owner(shop))
    from shared.db import connect

    with connect(postgres_url) as conn:
        conn.execute("DELETE FROM company_slugs WHERE company_id = %s", (pay["id"],))
        conn.execute("DELETE FROM companies WHERE id = %s", (pay["id"],))
        left = conn.execute(
            "SELECT count(*) AS n FROM suggestion_dismissals WHERE partner_id = %s", (pay["id"],)
        ).fetchone()
        conn.rollback()  # the fixture removes it
    assert left is not None and left["n"] == 0  # type: ignore[call-overload]
