"""Discovery step HumanReview (lambda:invoke.waitForTaskToken): stores the task token with the draft and
notifies the company's BD managers; the state machine waits for POST /v1/outreach/{id}/approve|reject."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.discovery import steps
from shared.http import logger
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not event:  # the local cloud's warm-up
        return {}
    result = steps.request_review(get_settings(), event)
    logger.info("request_review", extra={"discovery_id": event.get("discovery_id")})
    return result
