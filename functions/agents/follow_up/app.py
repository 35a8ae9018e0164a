"""The follow-up agent (daily schedule): stalled partnerships -> nudge drafts and notifications."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.discovery import follow_up
from shared.http import logger
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not event:  # the local cloud's warm-up
        return {}
    report = follow_up.as_dict(follow_up.run(get_settings()))
    logger.info("follow-up", extra=report)
    return report
