"""The Step Functions port of the discovery chain and its AWS adapter (boto3 imported lazily, only here).

Yandex Cloud Workflows would be another adapter behind the same three calls.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Protocol


class TaskGone(Exception):
    """The callback token is no longer awaited: the review timed out or the task was already answered."""


class Workflow(Protocol):
    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        """Start an execution; returns its ARN."""

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        """Answer a waiting task; raises TaskGone when nothing waits for this token any more."""


_GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


class StepFunctionsWorkflow:
    """AWS Step Functions (and any emulator speaking its API: the endpoint comes from the environment)."""

    @staticmethod
    @cache
    def _client() -> Any:
        import boto3

        return boto3.client("stepfunctions")

    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        response = self._client().start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload, ensure_ascii=False)
        )
        return str(response["executionArn"])

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        client = self._client()
        try:
            client.send_task_success(taskToken=task_token, output=json.dumps(output, ensure_ascii=False))
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _GONE:
                raise TaskGone(str(exc)) from exc
            raise


@cache
def step_functions() -> Workflow:
    """The workflow client of a warm function (HTTP handlers declare it as the `Workflows` dependency)."""
    return StepFunctionsWorkflow()
