"""The scout agent (scheduled): VC.ru and Habr feeds -> news insights linked to catalog companies; a strong
insight starts a partner discovery."""

from functools import cache
from typing import Any

import httpx
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.discovery import scout
from shared.discovery.workflow import StepFunctionsWorkflow
from shared.http import logger
from shared.settings import get_settings

get_settings()  # cold start fails fast on bad settings


@cache
def client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=True)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not event:  # the local cloud's warm-up
        return {}
    settings = get_settings()
    workflow = StepFunctionsWorkflow() if settings.discovery_state_machine_arn else None
    report = scout.run(settings, client(), workflow)
    logger.info("scout", extra={"report": report.__dict__})
    return dict(report.__dict__)
