"""Sending work to a queue (SQS on AWS and in the emulator; Yandex Message Queue speaks the same API)."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@cache
def client() -> SQSClient:
    # The runtime provides boto3; the endpoint comes from the environment (AWS_ENDPOINT_URL locally).
    import boto3

    return boto3.client("sqs")


def send_json(queue_url: str, body: dict[str, Any]) -> str:
    """Enqueue one message; returns its id. Raises when the queue refuses it (nothing is queued then)."""
    response = client().send_message(QueueUrl=queue_url, MessageBody=json.dumps(body, ensure_ascii=False))
    return str(response["MessageId"])


def delay_retry(queue_url: str, receipt_handle: str, seconds: int) -> None:
    """Keep a failed message invisible for `seconds` before its next delivery (backoff between attempts)."""
    client().change_message_visibility(
        QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=max(0, min(seconds, 43_200))
    )
