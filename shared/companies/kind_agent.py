"""The classification agent: a language model's reading of which kinds of product a company is, beside the
nearest-neighbour proposals (shared.companies.classification), on `company.created|updated`.

Only events that change the company's text (the embedding's `EMBEDDED_FIELDS`) ask the model, once per
company per batch (its newest version), and only for companies without codes of their own: the user's codes
are what matching reads, and the model's proposals are shown to them anyway. With no provider configured
nothing is asked (`shared.llm.tasks.classify_kinds` answers None).

A provider that fails after the chain's own retries and fallbacks costs the company its LLM opinion for this
text, not the batch: the model's proposals stand, and retrying the Kafka batch would stall the partition
behind an optional second opinion. The failure is logged with the company id and counted in the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shared.companies.classification import Proposal, llm_answered, store_llm
from shared.companies.enrichment import content_hash, request_for
from shared.llm import tasks
from shared.llm.core import InvalidModelOutput, LLMUnavailable

if TYPE_CHECKING:
    import psycopg

    from shared.events import EventEnvelope
    from shared.llm.runtime import LLMRuntime
    from shared.settings import Settings

LOG = logging.getLogger(__name__)


def classify_with_llm(
    settings: Settings,
    conn: psycopg.Connection,
    envelopes: Sequence[EventEnvelope[Any]],
    *,
    runtime: LLMRuntime | None = None,
) -> dict[str, int]:
    """Ask the model about each changed company of the batch and store its proposals; counts per outcome
    (`stored`; `answered`: this text or a newer one was answered before, nothing asked; `stale`: a newer
    answer landed meanwhile or the company is gone; `unavailable`, `own_codes`, `no_provider`)."""
    latest: dict[str, tuple[EventEnvelope[Any], str]] = {}
    for envelope in envelopes:
        request = request_for(envelope)
        if request is not None:
            held = latest.get(request.company_id)
            if held is None or envelope.version >= held[0].version:
                latest[request.company_id] = (envelope, request.text)
    counts: dict[str, int] = {}
    for company_id, (envelope, text) in latest.items():
        outcome = _classify_one(settings, conn, company_id, envelope, text, runtime=runtime)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "no_provider":
            break  # the same for every company of the batch
    return counts


def _classify_one(
    settings: Settings,
    conn: psycopg.Connection,
    company_id: str,
    envelope: EventEnvelope[Any],
    text: str,
    *,
    runtime: LLMRuntime | None,
) -> str:
    company = envelope.payload.company.model_dump(mode="json")
    if company.get("sub_industries"):
        return "own_codes"
    text_hash = content_hash(text)
    if llm_answered(conn, company_id, envelope.version, text_hash):
        return "answered"
    try:
        guess = tasks.classify_kinds(settings, company, runtime=runtime)
    except (LLMUnavailable, InvalidModelOutput) as exc:
        LOG.warning("llm classification unavailable", extra={"company_id": company_id, "reason": str(exc)[:300]})
        return "unavailable"
    if guess is None:
        return "no_provider"
    proposals = [Proposal(code, round(confidence, 3), "llm") for code, confidence in guess.kinds]
    stored = store_llm(conn, company_id, envelope.version, text_hash, proposals)
    return "stale" if stored is None else "stored"
