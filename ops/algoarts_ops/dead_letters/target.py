"""Where the dead letters are: a deployed stack (default AWS credentials), else the running local cloud.

A `Target` is what every command needs of a deployment: clients aimed at its endpoint, its queues and
functions by logical id, and the template that says which queue is whose dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from algoarts_ops import local_cloud
from algoarts_ops.dead_letters.queues import DeadLetterQueue, dead_letter_queues


@dataclass
class Target:
    """A deployment: clients aimed at its endpoint, its queues and functions by logical id."""

    session: Any  # .client(service, **kwargs)
    queues: dict[str, str]
    functions: dict[str, str]
    template: dict[str, Any]

    def dead_letter_queues(self) -> list[DeadLetterQueue]:
        return dead_letter_queues(self.template, self.queues)


class _AwsSession:
    """Default AWS credentials; the endpoint (None: AWS's own) is passed to every client explicitly."""

    def __init__(self, endpoint: str | None, region: str | None) -> None:
        import boto3

        self._session = boto3.Session(region_name=region)
        self._endpoint = endpoint

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint, **kwargs)  # type: ignore[call-overload]


def target(stack_name: str | None, endpoint: str | None, region: str | None) -> Target:
    """The stack `stack_name` (default credentials), else the running local cloud; LookupError when neither."""
    template = local_cloud.template()
    if stack_name:
        session = _AwsSession(endpoint, region)
        cf = session.client("cloudformation")
        resources: list[dict[str, Any]] = []
        for page in cf.get_paginator("list_stack_resources").paginate(StackName=stack_name):
            resources.extend(page["StackResourceSummaries"])
        queues = {
            r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::SQS::Queue"
        }
        functions = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in resources
            if r["ResourceType"] == "AWS::Lambda::Function"
        }
        return Target(session, queues, functions, template)
    state = local_cloud.state()
    if state is None or not state.endpoint:
        raise LookupError("no local cloud is running: start `make dev`, or name a deployment with --stack-name")
    return Target(
        local_cloud.emulator_session(endpoint or state.endpoint), dict(state.queues), dict(state.functions), template
    )
