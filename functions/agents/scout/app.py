"""The scout agent (scheduled): VC.ru and Habr feeds -> news insights linked to catalog companies; a strong
insight starts a partner discovery."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.discovery import scout
from shared.discovery.workflow import StepFunctionsWorkflow
from shared.logs import logger
from shared.settings import get_settings

if TYPE_CHECKING:
    import httpx

cold_start()


@cache
def client() -> httpx.Client:
    import httpx

    return httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=True)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_warmup(event):
        return {}
    settings = get_settings()
    workflow = StepFunctionsWorkflow() if settings.discovery_state_machine_arn else None
    report = scout.run(settings, client(), workflow)
    logger.info("scout", extra={"report": report.__dict__})
    return dict(report.__dict__)
