"""The discovery chain's workflow engine as a handler dependency (Step Functions; tests override it)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.discovery.workflow import Workflow, step_functions

Workflows = Annotated[Workflow, Depends(step_functions)]
