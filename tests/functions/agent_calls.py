"""What the discovery step and agent function tests share: a handler cold-started against the session's
servers, the state's input built from the sample events of events/stepfunctions as Step Functions passes
it to a Lambda task, a run started the way POST /v1/discoveries starts one, and its row read back.

    fn = step_function(monkeypatch, postgres_url, redis_url, "discovery", "find_candidates")
    output = fn.handler(task_input("discovery_start", discovery_id=run, company_id=own["id"]), LambdaContext())
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from functions.calls import cold_start
from functions.partnership_calls import DISCOVERY_ARN, RecordingWorkflow

from support import LambdaContext, event


def step_function(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, context: str, function: str, **settings: str
) -> ModuleType:
    """functions/<context>/<function>/app.py as a fresh instance imports it, its settings naming the session's
    Postgres and Redis (no LLM provider key: every task is answered by the offline provider) and `settings`."""
    return cold_start(monkeypatch, context, function, database_url=postgres_url, redis_url=redis_url, **settings)


def invoke(fn: ModuleType, ev: dict[str, Any]) -> dict[str, Any]:
    """The handler's output for one event: for a task, the `Payload` the state's selectors read."""
    output: dict[str, Any] = fn.handler(ev, LambdaContext())
    return output


def task_input(name: str, **changes: Any) -> dict[str, Any]:
    """events/stepfunctions/<name>.json, the state's input, with top-level keys replaced."""
    return event(f"stepfunctions/{name}", **changes)


def started_run(postgres_url: str, redis_url: str, company_id: str, *, threshold: float = 0.6) -> str:
    """A discovery run of `company_id` as POST /v1/discoveries leaves it (row written, execution started on a
    recording Workflow); its id."""
    from shared.commands import Context
    from shared.discovery import service
    from shared.discovery.model import StartDiscovery
    from shared.settings import Settings

    settings = Settings(database_url=postgres_url, redis_url=redis_url, discovery_state_machine_arn=DISCOVERY_ARN)
    request = StartDiscovery(company_id=company_id, threshold=threshold)
    return service.start(settings, Context(), request, RecordingWorkflow()).id


def discovery_row(postgres_url: str, discovery_id: str) -> dict[str, Any]:
    """The run's `discoveries` row, read on a connection of its own."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        row: dict[str, Any] | None = conn.execute(  # type: ignore[assignment]
            "SELECT * FROM discoveries WHERE id = %s", (discovery_id,)
        ).fetchone()
    assert row is not None
    return row


def outbox(postgres_url: str, aggregate_id: str) -> list[dict[str, Any]]:
    """Every outbox message about `aggregate_id`, in order: {topic, type, actor, payload}."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        rows: list[dict[str, Any]] = conn.execute(  # type: ignore[assignment]
            "SELECT topic, envelope->>'event_type' AS type, envelope->>'actor' AS actor, "
            "envelope->'payload' AS payload FROM outbox WHERE envelope->>'aggregate_id' = %s ORDER BY id",
            (aggregate_id,),
        ).fetchall()
    return [dict(r) for r in rows]


def analysing(postgres_url: str, discovery_id: str, *candidates: dict[str, Any]) -> None:
    """The run as FindCandidates leaves it: `candidates` ([{company_id, name}]) on the row, status `analysing`."""
    from shared.db import connect
    from shared.discovery import store

    with connect(postgres_url) as conn:
        store.update(conn, discovery_id, status="analysing", current_step="AnalyzeCandidates", candidates=candidates)
        conn.commit()


def drafted(postgres_url: str, redis_url: str, company_id: str, partner_id: str) -> str:
    """A run of `company_id` as WriteOutreach leaves it: started, a draft to `partner_id` on the row; its id."""
    from shared.discovery import steps
    from shared.settings import Settings

    discovery_id = started_run(postgres_url, redis_url, company_id)
    match = {"company_id": partner_id, "score": 0.8, "passed": True, "synergy_areas": ["интеграция"]}
    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    steps.write_outreach(settings, {"discovery_id": discovery_id, "company_id": company_id, "matches": [match]})
    return discovery_id
