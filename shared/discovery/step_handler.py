"""The Lambda handler of a discovery state machine task: every step function is this glue around its step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import is_warmup
from shared.discovery.steps import Step
from shared.logs import logger
from shared.settings import get_settings


def step_handler(step: Step) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """Runs `step` on the task's input and logs it by the step's name; the local cloud's warm-up (an empty
    event) returns at once."""

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if is_warmup(event):
            return {}
        result = step(get_settings(), event)
        logger.info(step.__name__, extra={"discovery_id": event.get("discovery_id")})
        return result

    return handler
