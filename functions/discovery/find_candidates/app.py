"""Discovery step FindCandidates: the company's partner candidates (partnerships service), recorded on the run."""

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
    result = steps.find_candidates(get_settings(), event)
    logger.info("find_candidates", extra={"discovery_id": event.get("discovery_id")})
    return result
