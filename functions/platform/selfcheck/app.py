"""Task of the `platform_selfcheck` state machine: checks every dependency and returns the report."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.health import check_all
from shared.logs import logger
from shared.settings import get_settings

cold_start()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = check_all(get_settings())
    logger.info("selfcheck", extra={"status": report.status})
    return report.model_dump(mode="json")
