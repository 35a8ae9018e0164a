"""Sending dead letters back: the plan (which letters, which action), carrying it out, and the outcome.

A Kafka batch is re-delivered by invoking its function with the same event; a parked request is sent
back to its source queue. A message is deleted only after its redrive succeeded; every other one is
made visible again, so a failed or skipped redrive loses nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from algoarts_ops.dead_letters.letters import Action, DeadLetter, Invoke, json_object, parse_message
from algoarts_ops.dead_letters.queues import DeadLetterQueue
from algoarts_ops.dead_letters.sqs import receive, release, sent_timestamp
from algoarts_ops.dead_letters.target import Target

REDRIVE_HOLD_SECONDS = 900  # invisible while its redrive runs (the longest function timeout is 60 s)


@dataclass(frozen=True)
class Planned:
    letter: DeadLetter
    action: Action | None
    skip: str | None = None  # why nothing is done


def plan_redrive(letters: Sequence[DeadLetter], *, message_id: str | None = None) -> list[Planned]:
    """The letters to redrive (all of them, or the one with `message_id`) with their action or the reason to
    skip; LookupError when `message_id` is not among them."""
    chosen = list(letters)
    if message_id is not None:
        chosen = [letter for letter in letters if letter.message_id == message_id]
        if not chosen:
            raise LookupError(f"no message {message_id} in the queue (or it is being handled right now)")
    return [Planned(letter, letter.action, None if letter.action else letter.not_redrivable) for letter in chosen]


def invocation_failure(response: Mapping[str, Any], payload: bytes) -> str | None:
    """None when a Lambda invocation succeeded, else why it failed (the function's error, or the status)."""
    if response.get("FunctionError"):
        text = payload.decode(errors="replace")
        body = json_object(text)
        if body is not None:
            return f"{body.get('errorType', 'Error')}: {body.get('errorMessage', text)}"
        return text[:2000] or str(response["FunctionError"])
    status = int(response.get("StatusCode", 200))
    if not 200 <= status < 300:
        return f"the invocation answered {status}"
    return None


def perform(t: Target, action: Action, *, lambda_client: Any = None, sqs: Any = None) -> str | None:
    """Carry out one redrive; None on success, else why it failed."""
    if isinstance(action, Invoke):
        function = t.functions.get(action.function) or action.function_arn
        if not function:
            return f"{action.function} is not deployed"
        try:
            response = lambda_client.invoke(FunctionName=function, Payload=json.dumps(action.event).encode())
        except Exception as exc:
            return f"invoke failed: {type(exc).__name__}: {exc}"
        return invocation_failure(response, response["Payload"].read() if response.get("Payload") else b"")
    url = t.queues.get(action.queue)
    if not url:
        return f"{action.queue} is not deployed"
    try:
        sqs.send_message(QueueUrl=url, MessageBody=action.body)
    except Exception as exc:
        return f"send failed: {type(exc).__name__}: {exc}"
    return None


@dataclass
class RedriveResult:
    redriven: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def redrive(t: Target, queue: DeadLetterQueue, *, message_id: str | None = None, out: Any = None) -> RedriveResult:
    """Redrive every message of `queue` (or the one with `message_id`); a message is deleted only after its
    redrive succeeded, the others are made visible again. LookupError when `message_id` is not there."""
    from botocore.config import Config

    out = out if out is not None else sys.stdout
    sqs = t.session.client("sqs")
    lam = t.session.client("lambda", config=Config(read_timeout=REDRIVE_HOLD_SECONDS - 60, retries={"max_attempts": 0}))
    messages = receive(sqs, queue.url, limit=None, hold_seconds=REDRIVE_HOLD_SECONDS)
    messages.sort(key=sent_timestamp)  # oldest first
    by_id = {m["MessageId"]: m for m in messages}
    result = RedriveResult()
    try:
        plan = plan_redrive([parse_message(queue, m) for m in messages], message_id=message_id)
        for item in plan:
            letter = item.letter
            if item.action is None:
                result.skipped.append((letter.message_id, item.skip or "not redrivable"))
                print(f"skipped   {letter.message_id}: {item.skip} (kept)", file=out)
                continue
            to = item.action.function if isinstance(item.action, Invoke) else item.action.queue
            failure = perform(t, item.action, lambda_client=lam, sqs=sqs)
            if failure is None:
                sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=letter.receipt_handle)
                by_id.pop(letter.message_id, None)
                result.redriven.append(letter.message_id)
                print(f"redriven  {letter.message_id} -> {to} (deleted)", file=out)
            else:
                result.failed.append((letter.message_id, failure))
                print(f"failed    {letter.message_id} -> {to}: {failure} (kept)", file=out)
    finally:
        release(sqs, queue.url, by_id.values())
    return result
