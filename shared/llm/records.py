"""A record of every provider call: for cost (tokens), latency and reliability by provider, task and prompt.

`CallRecorder` is the port; `LogRecorder` writes a structured powertools log line, `PostgresRecorder` a row
in ``llm_calls`` (migration 0008), `MemoryRecorder` keeps them for tests, and `Recorders` fans one record out
to several. Recording must never break a task: `Recorders` swallows and logs any recorder's failure.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

LOG = logging.getLogger(__name__)

# Outcomes: "ok"; "retry" (a transient failure, tried again); "error" (the provider's last failure for
# this call: transient after the last attempt, or a refusal); "invalid_output" (an answer that failed
# validation); "circuit_open" (the provider was skipped without a request).
OUTCOMES = ("ok", "retry", "error", "invalid_output", "circuit_open")


@dataclass(frozen=True)
class CallRecord:
    provider: str
    model: str
    task: str
    prompt_version: str
    outcome: str
    latency_ms: int
    call_id: str = ""  # groups the records of one task call (hex uuid)
    attempt: int = 1
    error_kind: str | None = None  # "timeout", "http_503", "http_401", "schema", ...
    input_tokens: int | None = None
    output_tokens: int | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class CallRecorder(Protocol):
    def record(self, call: CallRecord) -> None: ...


class MemoryRecorder:
    def __init__(self) -> None:
        self.calls: list[CallRecord] = []

    def record(self, call: CallRecord) -> None:
        self.calls.append(call)


class LogRecorder:
    """One structured log line per call (powertools Logger: JSON with the record's fields as keys)."""

    def __init__(self) -> None:
        from aws_lambda_powertools import Logger

        # The functions' service logger itself (not a child): a worker that never imported shared.http still
        # gets JSON lines; powertools configures the "algoarts" logger once, so no line is doubled.
        self._logger = Logger(service="algoarts")

    def record(self, call: CallRecord) -> None:
        fields = asdict(call)
        fields["at"] = call.at.isoformat()
        if call.outcome == "ok":
            self._logger.info("llm call", extra={"llm_call": fields})
        else:
            self._logger.warning("llm call", extra={"llm_call": fields})


class PostgresRecorder:
    """A row per call in ``llm_calls``, on a connection of its own in autocommit mode: a caller's open
    transaction on the shared connection is never touched, and a record is never rolled back with it."""

    SQL = (
        "INSERT INTO llm_calls (at, call_id, provider, model, task, prompt_version, outcome, error_kind, attempt, "
        "latency_ms, input_tokens, output_tokens) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._conn: Any = None

    def record(self, call: CallRecord) -> None:
        from shared.db import connect

        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = connect(self._url)
            self._conn.autocommit = True
        self._conn.execute(
            self.SQL,
            (
                call.at,
                call.call_id or None,
                call.provider,
                call.model,
                call.task,
                call.prompt_version,
                call.outcome,
                call.error_kind,
                call.attempt,
                call.latency_ms,
                call.input_tokens,
                call.output_tokens,
            ),
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class Recorders:
    """Every recorder gets every record; a failing one is logged and skipped, never raised."""

    def __init__(self, *recorders: CallRecorder) -> None:
        self.recorders = list(recorders)

    def record(self, call: CallRecord) -> None:
        for recorder in self.recorders:
            try:
                recorder.record(call)
            except Exception as exc:
                LOG.warning("llm call record lost (%s): %s", type(recorder).__name__, type(exc).__name__)
