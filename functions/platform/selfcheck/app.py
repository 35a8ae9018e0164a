"""Task of the `platform_selfcheck` state machine: checks every dependency and returns the report."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.health import check_all
from shared.http import logger
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = check_all(get_settings())
    logger.info("selfcheck", extra={"status": report.status})
    return report.model_dump(mode="json")
