"""The follow-up agent (daily schedule): stalled partnerships -> nudge drafts and notifications."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.discovery import follow_up
from shared.logs import logger
from shared.settings import get_settings

cold_start()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_warmup(event):
        return {}
    report = follow_up.as_dict(follow_up.run(get_settings()))
    logger.info("follow-up", extra=report)
    return report
