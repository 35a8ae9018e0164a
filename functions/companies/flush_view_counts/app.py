"""Every minute: the page views counted in Redis since the last run are written to `companies.view_count`."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cache import view_counter
from shared.companies.views import flush_views
from shared.http import logger
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    settings = get_settings()
    written = flush_views(settings, view_counter(settings.redis_url))
    logger.info("view counts flushed", extra={"companies": written})
    return {"companies": written}
