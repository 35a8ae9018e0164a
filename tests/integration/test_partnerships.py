"""Partnerships on a real Postgres: suggestions over the sample catalog, create, the status moves with
their timestamps, history and outbox rows in one transaction, outcomes, ownership."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from localcloud.catalog.generate import DEFAULT_OUT
from shared.commands import Context
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.identity.guard import Principal
from shared.partnerships import service
from shared.partnerships.candidates import candidates, load_company
from shared.partnerships.lifecycle import Status
from shared.partnerships.model import OutcomesPatch, PartnershipListQuery
from shared.settings import Settings

pytestmark = pytest.mark.integration

_COLUMNS = (
    "id", "name", "slug", "description", "industry", "sub_industries", "business_model", "headquarters_country",
    "headquarters_city", "employees_count", "tech_stack", "integrations", "api_available", "ai_tags", "ai_summary",
    "owner_id",
)  # fmt: skip


@pytest.fixture(scope="module")
def catalog(postgres_url: str) -> Iterator[dict[str, dict[str, Any]]]:
    """The sample catalog written straight into the read model (suggestions read only `companies`),
    without INN/OGRN so it never collides with companies other modules create, and removed at the end;
    name → row."""
    from shared.db import connect

    rows = json.loads(DEFAULT_OUT.read_text("utf-8"))
    tag = uuid.uuid4().hex[:6]
    loaded: dict[str, dict[str, Any]] = {}
    with connect(postgres_url) as conn:
        for row in rows:
            record = {
                **row,
                "id": str(uuid.uuid4()),
                "slug": f"{tag}-{uuid.uuid4().hex[:10]}",
                "owner_id": str(uuid.uuid4()),
                "tech_stack": json.dumps(row["tech_stack"], ensure_ascii=False),
            }
            conn.execute(
                f"INSERT INTO companies ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                [record[c] for c in _COLUMNS],
            )
            loaded[row["name"]] = {**row, "id": record["id"], "owner_id": record["owner_id"]}
        conn.commit()
    yield loaded
    # Leave the database as other modules expect it: no companies without events, no partnerships.
    ids = [c["id"] for c in loaded.values()]
    with connect(postgres_url) as conn:
        mine = (
            "SELECT id FROM partnerships "
            "WHERE company_a_id = ANY(%(ids)s::uuid[]) OR company_b_id = ANY(%(ids)s::uuid[])"
        )
        conn.execute(f"DELETE FROM partnership_events WHERE partnership_id IN ({mine})", {"ids": ids})
        conn.execute(f"DELETE FROM partnerships WHERE id IN ({mine})", {"ids": ids})
        conn.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (ids,))
        conn.commit()


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0")


def _user(*, company_id: str | None = None, user_id: str | None = None, admin: bool = False) -> Principal:
    return Principal(
        user_id=user_id or str(uuid.uuid4()),
        email="bd@example.ru",
        roles=("platform_admin",) if admin else ("paid_user",),
        permissions=("admin:*",) if admin else ("partnership:read", "partnership:write"),
        company_id=company_id,
        jti="j",
        iat=0,
        exp=0,
    )


def _ctx(principal: Principal | None) -> Context:
    return Context(principal=principal, correlation_id=f"corr-{uuid.uuid4().hex[:8]}")


def _by_industry(catalog: dict[str, dict[str, Any]], industry: str, sub: str) -> dict[str, Any]:
    return next(c for c in catalog.values() if c["industry"] == industry and sub in c["sub_industries"])


def _rivals(me: dict[str, Any], other: dict[str, Any]) -> bool:
    return me["industry"] == other["industry"] and bool(set(me["sub_industries"]) & set(other["sub_industries"]))


def test_suggestions_are_complementary_never_rivals(settings: Settings, catalog: dict[str, dict[str, Any]]) -> None:
    shop = _by_industry(catalog, "ecommerce", "store_builder")
    page = service.partner_suggestions(settings, shop["id"], limit=10)
    assert len(page.items) == 10 and 0 < page.candidates_scored <= 300
    names = {s.company.name for s in page.items}
    by_name = {c["name"]: c for c in catalog.values()}
    assert shop["name"] not in names
    assert not any(_rivals(shop, by_name[n]) for n in names if n in by_name)
    complementary = {"payments", "delivery_aggregator", "last_mile", "pim", "fulfillment", "loyalty", "email_marketing"}
    assert any(set(s.company.sub_industries) & complementary for s in page.items)
    scores = [s.score for s in page.items]
    assert scores == sorted(scores, reverse=True)
    first = page.items[0]
    assert {c.name for c in first.criteria} == {"complementarity", "audience", "technology", "no_competition"}
    assert first.match_reasons and first.synergy_areas


def test_suggestions_for_every_industry_hold_no_rival(settings: Settings, catalog: dict[str, dict[str, Any]]) -> None:
    by_id = {c["id"]: c for c in catalog.values()}
    seen: set[str] = set()
    for company in catalog.values():
        if company["industry"] in seen:
            continue
        seen.add(company["industry"])
        items = service.suggest_partners(settings, company["id"], limit=10)
        assert items, company["industry"]
        assert not any(_rivals(company, by_id[str(s.company.id)]) for s in items if str(s.company.id) in by_id)


def test_deleted_companies_are_not_candidates(
    settings: Settings, catalog: dict[str, dict[str, Any]], postgres_url: str
) -> None:
    from shared.db import connect

    crm = _by_industry(catalog, "crm", "sales_crm")
    top = service.suggest_partners(settings, crm["id"], limit=1)[0]
    with connect(postgres_url) as conn:
        conn.execute("UPDATE companies SET deleted_at = NOW() WHERE id = %s", (top.company.id,))
        conn.commit()
        try:
            assert top.company.id not in {s.company.id for s in service.suggest_partners(settings, crm["id"], limit=50)}
            me = load_company(conn, crm["id"])
            assert me is not None and str(top.company.id) not in {c["id"] for c in candidates(conn, me)}
        finally:
            conn.execute("UPDATE companies SET deleted_at = NULL WHERE id = %s", (top.company.id,))
            conn.commit()


def test_analyze_explains_in_russian_and_writes_nothing(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any
) -> None:
    shop = _by_industry(catalog, "ecommerce", "store_builder")
    pay = _by_industry(catalog, "fintech", "payments")
    before = pg.execute("SELECT count(*) AS n FROM partnerships").fetchone()["n"]
    analysis = service.analyze(settings, shop["id"], pay["id"])
    assert analysis.ai_explanation and shop["name"] in analysis.ai_explanation
    assert analysis.analysis_method in {"ai", "offline"} and analysis.analyzed_by_agent
    assert analysis.score > 0.5 and not analysis.competitor
    assert pg.execute("SELECT count(*) AS n FROM partnerships").fetchone()["n"] == before
    with pytest.raises(NotFound):
        service.analyze(settings, shop["id"], str(uuid.uuid4()))
    with pytest.raises(Unprocessable):
        service.analyze(settings, shop["id"], shop["id"])


def _pair(catalog: dict[str, dict[str, Any]], a_sub: tuple[str, str], b_sub: tuple[str, str]) -> tuple[Any, Any]:
    """A random pair of two different companies of the two kinds that are not rivals."""

    def kind(industry: str, sub: str) -> list[dict[str, Any]]:
        return [c for c in catalog.values() if c["industry"] == industry and sub in c["sub_industries"]]

    pairs = [(a, b) for a in kind(*a_sub) for b in kind(*b_sub) if a is not b and not _rivals(a, b)]
    return pairs[uuid.uuid4().int % len(pairs)]


def test_create_is_idempotent_in_either_order_and_emits_matched(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any
) -> None:
    crm, pbx = _pair(catalog, ("crm", "helpdesk"), ("communications", "chatbots"))
    owner = _user(user_id=crm["owner_id"])
    created = service.create_partnership(settings, crm["id"], pbx["id"], _ctx(owner))
    assert created.status == "suggested" and created.version == 1
    assert created.analysis_method == "offline" and created.ai_explanation
    assert created.match_reasons and 0 < created.compatibility_score <= 1
    assert created.allowed_moves == ["contacted", "rejected", "paused"]
    again = service.create_partnership(settings, crm["id"], pbx["id"], _ctx(owner))
    admin = _user(admin=True)
    reversed_ = service.create_partnership(settings, pbx["id"], crm["id"], _ctx(admin))
    assert again.id == created.id == reversed_.id
    rows = pg.execute(
        "SELECT e.event_type, e.to_status, o.topic, o.message_key, o.envelope, e.xmin::text AS tx, "
        "p.xmin::text AS ptx FROM partnership_events e JOIN outbox o ON o.event_id = e.event_id "
        "JOIN partnerships p ON p.id = e.partnership_id WHERE e.partnership_id = %s",
        (created.id,),
    ).fetchall()
    assert len(rows) == 1
    row = rows[0]
    assert row["event_type"] == "partnership.matched" and row["topic"] == "partnership.events"
    assert row["message_key"] == str(created.id) and row["tx"] == row["ptx"]
    envelope = row["envelope"]
    assert envelope["aggregate_type"] == "partnership" and envelope["version"] == 1
    assert envelope["payload"]["match_id"] == str(created.id)
    assert envelope["payload"]["company_a"] == crm["id"] and envelope["payload"]["compatibility_score"] > 0


def test_only_company_a_side_may_create(settings: Settings, catalog: dict[str, dict[str, Any]]) -> None:
    shop, pay = _pair(catalog, ("ecommerce", "store_builder"), ("fintech", "payments"))
    with pytest.raises(Forbidden):
        service.create_partnership(settings, shop["id"], pay["id"], _ctx(_user()))
    # A member of company A (the token's company_id) may.
    member = _user(company_id=shop["id"])
    assert service.create_partnership(settings, shop["id"], pay["id"], _ctx(member)).status == "suggested"


def test_status_moves_set_timestamps_history_and_outbox(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any
) -> None:
    hr, payroll = _pair(catalog, ("hrtech", "recruiting"), ("hrtech", "payroll"))
    owner_a = _user(user_id=hr["owner_id"])
    owner_b = _user(user_id=payroll["owner_id"])
    p = service.create_partnership(settings, hr["id"], payroll["id"], _ctx(owner_a))
    contacted = service.change_status(settings, str(p.id), "contacted", _ctx(owner_a))
    assert contacted.contacted_at is not None and contacted.partnership_started_at is None
    # The partner's side moves it too: it belongs to both companies.
    talking = service.change_status(settings, str(p.id), "in_discussion", _ctx(owner_b))
    assert talking.contacted_at == contacted.contacted_at
    paused = service.change_status(settings, str(p.id), "paused", _ctx(owner_a))
    assert paused.paused_from == "in_discussion" and paused.allowed_moves == ["in_discussion", "rejected"]
    with pytest.raises(Conflict) as caught:
        service.change_status(settings, str(p.id), "active", _ctx(owner_a))
    assert caught.value.extensions == {"current_status": "paused", "allowed_moves": ["in_discussion", "rejected"]}
    service.change_status(settings, str(p.id), "in_discussion", _ctx(owner_a))
    active = service.change_status(settings, str(p.id), "active", _ctx(owner_a))
    assert active.partnership_started_at is not None and active.version == 6
    same = service.change_status(settings, str(p.id), "active", _ctx(owner_a))  # a retry: no-op
    assert same.version == 6
    history = pg.execute(
        "SELECT e.version, e.from_status, e.to_status, o.envelope->>'event_type' AS type, "
        "(o.envelope->>'version')::int AS ov FROM partnership_events e JOIN outbox o ON o.event_id = e.event_id "
        "WHERE e.partnership_id = %s ORDER BY e.version",
        (p.id,),
    ).fetchall()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "suggested"),
        ("suggested", "contacted"),
        ("contacted", "in_discussion"),
        ("in_discussion", "paused"),
        ("paused", "in_discussion"),
        ("in_discussion", "active"),
    ]
    assert [h["version"] for h in history] == [h["ov"] for h in history] == [1, 2, 3, 4, 5, 6]
    assert {h["type"] for h in history[1:]} == {"partnership.status_changed"}


def test_invalid_move_is_409_naming_the_allowed_ones(settings: Settings, catalog: dict[str, dict[str, Any]]) -> None:
    a, b = _pair(catalog, ("logistics", "tms"), ("logistics", "freight_marketplace"))
    ctx = _ctx(_user(user_id=a["owner_id"]))
    p = service.create_partnership(settings, a["id"], b["id"], ctx)
    with pytest.raises(Conflict) as caught:
        service.change_status(settings, str(p.id), "active", ctx)
    assert caught.value.extensions["current_status"] == "suggested"
    assert caught.value.extensions["allowed_moves"] == ["contacted", "rejected", "paused"]
    service.change_status(settings, str(p.id), "rejected", ctx)
    with pytest.raises(Conflict) as final:
        service.change_status(settings, str(p.id), "contacted", ctx)
    assert final.value.extensions["allowed_moves"] == []


def test_others_get_403_and_the_list_shows_only_mine(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any
) -> None:
    a, b = _pair(catalog, ("martech", "email_marketing"), ("crm", "sales_crm"))
    owner = _user(user_id=a["owner_id"])
    p = service.create_partnership(settings, a["id"], b["id"], _ctx(owner))
    stranger = _user()
    with pytest.raises(Forbidden):
        service.get_partnership(settings, str(p.id), stranger)
    with pytest.raises(Forbidden):
        service.change_status(settings, str(p.id), "contacted", _ctx(stranger))
    with pytest.raises(Forbidden):
        service.record_outcomes(settings, str(p.id), OutcomesPatch(deal_value=1), _ctx(stranger))
    with pytest.raises(NotFound):
        service.get_partnership(settings, str(uuid.uuid4()), owner)
    assert service.get_partnership(settings, str(p.id), _user(user_id=b["owner_id"])).id == p.id
    assert service.list_partnerships(settings, stranger, PartnershipListQuery()).items == []
    mine = service.list_partnerships(settings, owner, PartnershipListQuery())
    assert p.id in {x.id for x in mine.items}
    assert service.list_partnerships(settings, owner, PartnershipListQuery(status=Status.ACTIVE)).items == []
    n = pg.execute("SELECT count(*) AS n FROM partnership_events WHERE partnership_id = %s", (p.id,)).fetchone()["n"]
    assert n == 1  # refused commands wrote nothing


def test_outcomes_are_recorded_with_an_updated_event(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any
) -> None:
    a, b = _pair(catalog, ("retailtech", "pos"), ("fintech", "payments"))
    ctx = _ctx(_user(user_id=a["owner_id"]))
    p = service.create_partnership(settings, a["id"], b["id"], ctx)
    done = service.record_outcomes(settings, str(p.id), OutcomesPatch(deal_value=1_500_000, revenue_generated=0), ctx)
    assert done.deal_value == 1_500_000 and done.revenue_generated == 0 and done.version == 2
    same = service.record_outcomes(settings, str(p.id), OutcomesPatch(deal_value=1_500_000), ctx)
    assert same.version == 2
    event = pg.execute(
        "SELECT envelope FROM outbox WHERE message_key = %s AND envelope->>'event_type' = 'partnership.updated'",
        (str(p.id),),
    ).fetchone()
    assert event["envelope"]["payload"]["changes"] == {"deal_value": 1_500_000}
    assert event["envelope"]["payload"]["previous"] == {"deal_value": None}


def test_the_explainer_gets_whole_documents_and_its_failure_keeps_the_score(
    settings: Settings, catalog: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.llm.tasks

    a, b = _pair(catalog, ("crm", "sales_crm"), ("communications", "virtual_pbx"))
    seen: list[dict[str, Any]] = []
    real = shared.llm.tasks.explain_pair

    def spy(s: Settings, x: Any, y: Any, analysis: Any) -> Any:
        seen.extend([x, y, analysis])
        return real(s, x, y, analysis)

    monkeypatch.setattr(shared.llm.tasks, "explain_pair", spy)
    explained = service.analyze(settings, a["id"], b["id"])
    assert seen[0]["id"] == a["id"] and seen[0]["ai_summary"] == a["ai_summary"] and "slug" in seen[1]
    assert seen[2]["score"] == explained.score and len(seen[2]["criteria"]) == 4

    def down(*_: Any) -> Any:
        raise TimeoutError("provider down")

    monkeypatch.setattr(shared.llm.tasks, "explain_pair", down)
    degraded = service.analyze(settings, a["id"], b["id"])
    assert degraded.score == explained.score and degraded.ai_explanation is None
    assert degraded.analysis_method == "rules"


def test_two_concurrent_creates_of_one_pair_make_one_partnership(
    settings: Settings, catalog: dict[str, dict[str, Any]], pg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both callers pass the "exists?" check (a barrier holds them in the explainer until both did);
    the unique index on the sorted pair lets one insert, and the other returns that one."""
    import threading

    import shared.llm.tasks
    from shared.db import connect

    a, b = _pair(catalog, ("ecommerce", "pim"), ("analytics", "marketplace_analytics"))
    barrier = threading.Barrier(2, timeout=10)
    real = shared.llm.tasks.explain_pair

    def held(*args: Any) -> Any:
        barrier.wait()
        return real(*args)

    monkeypatch.setattr(shared.llm.tasks, "explain_pair", held)
    monkeypatch.setattr(service, "connection", connect)  # a connection per call: two real sessions
    admin = _user(admin=True)
    results: list[tuple[Any, bool]] = []

    def create(x: str, y: str) -> None:
        results.append(service.propose_partnership(settings, x, y, _ctx(admin)))

    threads = [threading.Thread(target=create, args=pair) for pair in ((a["id"], b["id"]), (b["id"], a["id"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == 2
    assert results[0][0].id == results[1][0].id
    assert sorted(created for _, created in results) == [False, True]
    n = pg.execute(
        "SELECT count(*) AS n FROM partnership_events WHERE partnership_id = %s", (results[0][0].id,)
    ).fetchone()["n"]
    assert n == 1
