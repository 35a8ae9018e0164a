"""The verification worker's logic: one SQS request -> ЕГРЮЛ via DaData -> `company.verified` or
`company.verification_failed` (the VerifyCompanyFunction handler hands each record of its batch here).

A registry outage fails only that message (the handler answers a partial batch): it returns after a
growing delay; after the last attempt, or when the registry refuses us (a bad key), the request is
parked in the dead-letter queue with the reason, to be redriven once the cause is fixed.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pydantic import ValidationError

from shared.cache import company_cache
from shared.commands import Context
from shared.companies.service import SYSTEM_VERIFIER, record_verification
from shared.companies.verification import MAX_ATTEMPTS, VerificationRequest, retry_delay
from shared.legal_registry.port import RegistryRejected, RegistryUnavailable
from shared.logs import logger
from shared.queues import delay_retry, send_json
from shared.secrets import read_secret
from shared.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared.legal_registry.dadata import DadataRegistry


@cache
def registry() -> DadataRegistry:
    from shared.legal_registry.dadata import DadataRegistry  # httpx: on the first message, not at cold start

    settings = get_settings()
    return DadataRegistry(settings.dadata_url, read_secret(settings.dadata_token_secret))


def park(record: SQSRecord, reason: str) -> None:
    """Dead-letter the request with the reason; the message itself is then acknowledged."""
    settings = get_settings()
    send_json(
        settings.require("verification_dead_letter_url"),
        {"reason": reason, "message_id": record.message_id, "body": record.body},
    )
    logger.warning("verification parked", extra={"message_id": record.message_id, "reason": reason})


def verify(record: SQSRecord) -> None:
    """One queued request: ЕГРЮЛ's answer recorded, parked with the reason, or raised for a retry."""
    settings = get_settings()
    try:
        request = VerificationRequest.model_validate_json(record.body)
    except ValidationError as exc:
        park(record, f"unreadable request: {exc.errors()[0]['msg']}")
        return
    attempt = int(record.attributes.approximate_receive_count)
    try:
        found = registry().find(request.inn)
    except (RegistryRejected, ValueError) as exc:
        park(record, f"the registry refused the request: {exc}")
        return
    except RegistryUnavailable as exc:
        if attempt >= MAX_ATTEMPTS:
            park(record, f"the registry was unavailable {attempt} times: {exc}")
            return
        delay_retry(
            settings.require("verification_queue_url"),
            record.receipt_handle,
            max(retry_delay(attempt), int(exc.retry_after or 0)),
        )
        raise
    ctx = Context(actor_label=SYSTEM_VERIFIER, correlation_id=request.correlation_id, causation_id=record.message_id)
    company = record_verification(
        settings,
        request.company_id,
        request.inn,
        found,
        ctx,
        cache=company_cache(settings.redis_url, settings.cache_ttl_seconds),
    )
    logger.info(
        "verified", extra={"company_id": request.company_id, "found": found is not None, "changed": company is not None}
    )
