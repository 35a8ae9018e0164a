"""Every minute: the page views counted in Redis since the last run are written to `companies.view_count`."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cache import view_counter
from shared.cold_start import cold_start, is_warmup
from shared.companies.views import flush_views
from shared.logs import logger
from shared.settings import get_settings

cold_start()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    if is_warmup(event):  # the schedule's events are never empty
        return {"companies": 0}
    settings = get_settings()
    written = flush_views(settings, view_counter(settings.redis_url))
    logger.info("view counts flushed", extra={"companies": written})
    return {"companies": written}
