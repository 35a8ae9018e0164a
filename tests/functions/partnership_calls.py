"""What the partnerships and discovery function tests share beyond tests/functions/calls.py (callers,
requests, answers, cold starts): companies of the sample catalog written into the read model (and removed
afterwards), and a recording double of the discovery Workflow port (Step Functions itself is the e2e tier's)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

import pytest
from functions.calls import principal

from functions import calls
from localcloud.catalog.generate import DEFAULT_OUT
from shared.discovery.workflow import TaskGone

DISCOVERY_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:partner-discovery"


# --- the function ------------------------------------------------------------------------------------------


def cold_start(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, context: str, function: str
) -> ModuleType:
    """functions/<context>/<function>/app.py as a fresh instance (calls.cold_start), its settings naming the
    session's Postgres and Redis and the discovery state machine."""
    return calls.cold_start(
        monkeypatch,
        context,
        function,
        database_url=postgres_url,
        redis_url=redis_url,
        discovery_state_machine_arn=DISCOVERY_ARN,
    )


# --- requests ----------------------------------------------------------------------------------------------


# --- data --------------------------------------------------------------------------------------------------

_COLUMNS = (
    "id", "name", "slug", "description", "industry", "sub_industries", "business_model", "headquarters_country",
    "headquarters_city", "employees_count", "tech_stack", "integrations", "api_available", "ai_tags", "ai_summary",
    "owner_id",
)  # fmt: skip


@cache
def _sample_catalog() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEFAULT_OUT.read_text("utf-8"))
    return rows


@contextmanager
def catalog_companies(postgres_url: str, *kinds: tuple[str, str]) -> Iterator[list[dict[str, Any]]]:
    """One company of the sample catalog per (industry, sub-industry) kind, the n-th kind repeated taking the
    n-th such company, written straight into the read model with a fresh id, slug and owner id (no INN, so
    never colliding with companies other tests create); removed at the end with every partnership and
    discovery that names them."""
    from shared.db import connect

    used: dict[tuple[str, str], int] = {}
    loaded: list[dict[str, Any]] = []
    with connect(postgres_url) as conn:
        for kind in kinds:
            matching = [r for r in _sample_catalog() if r["industry"] == kind[0] and kind[1] in r["sub_industries"]]
            row = matching[used.get(kind, 0)]
            used[kind] = used.get(kind, 0) + 1
            record = {
                **row,
                "id": str(uuid.uuid4()),
                "slug": f"fn-{uuid.uuid4().hex[:12]}",
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
    try:
        yield loaded
    finally:
        _remove(postgres_url, [c["id"] for c in loaded])


def _remove(postgres_url: str, ids: list[str]) -> None:
    from shared.db import connect

    with connect(postgres_url) as conn:
        named = "= ANY(%(ids)s::uuid[])"
        conn.execute(f"DELETE FROM discoveries WHERE company_id {named} OR partner_company_id {named}", {"ids": ids})
        mine = f"SELECT id FROM partnerships WHERE company_a_id {named} OR company_b_id {named}"
        conn.execute(f"DELETE FROM partnership_events WHERE partnership_id IN ({mine})", {"ids": ids})
        conn.execute(f"DELETE FROM partnerships WHERE id IN ({mine})", {"ids": ids})
        conn.execute("DELETE FROM company_slugs WHERE company_id = ANY(%s::uuid[])", (ids,))
        conn.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (ids,))
        conn.commit()


def count(postgres_url: str, sql: str, *params: Any) -> int:
    """The first column of a one-row query (a count), read on a connection of its own."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        row: dict[str, Any] | None = conn.execute(sql, params).fetchone()  # type: ignore[assignment]
    assert row is not None
    return int(next(iter(row.values())))


# --- the discovery chain's engine --------------------------------------------------------------------------


@dataclass
class RecordingWorkflow:
    """The Workflow port as the handlers use it: executions started and task answers sent, recorded; `gone`
    makes every answer find its token no longer awaited (the review timed out in Step Functions)."""

    started: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gone: bool = False

    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        self.started.append((state_machine_arn, name, payload))
        return f"arn:aws:states:us-east-1:000000000000:execution:partner-discovery:{name}"

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        if self.gone:
            raise TaskGone("TaskTimedOut")
        self.answers.append((task_token, output))


def with_workflow(monkeypatch: pytest.MonkeyPatch, module: ModuleType, workflow: RecordingWorkflow) -> ModuleType:
    """The handler's `Workflows` dependency answered by `workflow` instead of Step Functions."""
    from aws_lambda_powertools.event_handler.depends import solve_dependencies

    from shared.discovery.workflow import step_functions

    overrides = module.app.dependency_overrides
    overrides[step_functions] = lambda: workflow
    # Binding.arguments (shared/http/params.py) resolves a handler's Depends without the app's
    # dependency_overrides, so the line above alone is not seen (the handler would call Step Functions).
    # Until it passes them on, they are handed over here; afterwards this is a no-op.
    monkeypatch.setattr(
        "shared.http.params.solve_dependencies",
        lambda **kw: solve_dependencies(**{**kw, "dependency_overrides": overrides}),
    )
    return module


def awaiting_review(postgres_url: str, redis_url: str, company_id: str, partner_id: str, task_token: str) -> str:
    """A discovery run of `company_id` the way the chain leaves it at HumanReview: started, a draft to
    `partner_id` written by the outreach step, the task token stored and the review requested; its id."""
    from shared.commands import Context
    from shared.discovery import service, steps
    from shared.discovery.model import StartDiscovery
    from shared.settings import Settings

    settings = Settings(database_url=postgres_url, redis_url=redis_url, discovery_state_machine_arn=DISCOVERY_ARN)
    started = service.start(settings, Context(), StartDiscovery(company_id=company_id), RecordingWorkflow())
    match = {"company_id": partner_id, "score": 0.8, "passed": True, "synergy_areas": ["интеграция"]}
    steps.write_outreach(settings, {"discovery_id": started.id, "company_id": company_id, "matches": [match]})
    steps.request_review(
        settings, {"discovery_id": started.id, "task_token": task_token, "review_timeout_seconds": 3600}
    )
    return started.id


def partnership(postgres_url: str, redis_url: str, a: dict[str, Any], b: dict[str, Any], *moves: str) -> str:
    """A partnership of company A with B proposed by A's owner through the service, moved along `moves`; its id."""
    from shared.commands import Context
    from shared.partnerships import service
    from shared.settings import Settings

    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    ctx = Context(principal=principal(user_id=a["owner_id"]))
    created = service.create_partnership(settings, a["id"], b["id"], ctx)
    for status in moves:
        service.change_status(settings, str(created.id), status, ctx)
    return str(created.id)
