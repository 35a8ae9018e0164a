"""`algoarts dead-letters list|redrive`: what the dead-letter queues hold, and sending it back.

The dead-letter queues come from template.yaml, the one description of the system:

* a Kafka-triggered function's `DestinationConfig.OnFailure` queue ("kafka"): each message is the
  on-failure record of one batch, `responseContext.reason` says why, and `payload` is the MSK-shaped
  event the function was given (localcloud/triggers.py adds it; AWS itself sends only the batch's
  metadata, which cannot be redriven from here). Redrive invokes the function with that same event and
  deletes the message only when the invocation succeeded.
* a queue's `RedrivePolicy.deadLetterTargetArn` ("queue"): the verification worker parks a request as
  {"reason", "message_id", "body"}; SQS itself moves a message there unchanged after maxReceiveCount.
  Redrive sends the original body back to the source queue, then deletes the dead letter.

Listing never deletes: messages are received with a visibility timeout, then made visible again at once.
The pure part (parsing, formatting, the redrive decision) is unit-tested; the SQS and Lambda calls are thin.

Targets: the running local cloud (its emulator endpoint), or a deployed stack with `--stack-name`, the
default AWS credentials, and `--endpoint`/`--region` passed explicitly to every client.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

Kind = Literal["kafka", "queue", "unknown"]
KAFKA: Final = "kafka"
QUEUE: Final = "queue"
UNKNOWN: Final = "unknown"

PEEK_HOLD_SECONDS = 30  # how long a listed message stays invisible at most (it is released at once)
REDRIVE_HOLD_SECONDS = 900  # invisible while its redrive runs (the longest function timeout is 60 s)
MAX_RECEIVE = 10  # SQS's limit per ReceiveMessage


# --- the queues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadLetterQueue:
    logical_id: str
    url: str
    kind: Kind
    source: str | None  # the function (kafka) or the queue (queue) whose failures land here
    max_receive_count: int | None = None  # the source queue's redrive policy

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def describe(self) -> str:
        if self.kind == KAFKA:
            return f"on-failure destination of {self.source}"
        if self.kind == QUEUE:
            return f"dead letters of {self.source}"
        return "dead-letter queue"


def _ref(value: Any) -> str | None:
    """The logical id a `!GetAtt X.Arn` / `!Ref X` names."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else str(target).split(".", 1)[0])
        if "Ref" in value:
            return str(value["Ref"])
    return None


def dead_letter_queues(template: Mapping[str, Any], queues: Mapping[str, str]) -> list[DeadLetterQueue]:
    """Every dead-letter queue the template declares that the deployment has (logical id -> URL in `queues`)."""
    from localcloud import template as tpl

    found: dict[str, DeadLetterQueue] = {}
    for source in tpl.kafka_sources(dict(template)):
        if source.on_failure and source.on_failure in queues:
            found[source.on_failure] = DeadLetterQueue(
                source.on_failure, queues[source.on_failure], KAFKA, source.function
            )
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::SQS::Queue":
            continue
        policy = resource.get("Properties", {}).get("RedrivePolicy") or {}
        target = _ref(policy.get("deadLetterTargetArn"))
        if target and target in queues and target not in found:
            count = policy.get("maxReceiveCount")
            found[target] = DeadLetterQueue(target, queues[target], QUEUE, name, int(count) if count else None)
    for name, url in queues.items():
        if name not in found and ("DeadLetter" in name or name.endswith("DLQ")):
            found[name] = DeadLetterQueue(name, url, UNKNOWN, None)
    return sorted(found.values(), key=lambda q: q.logical_id)


def find_queue(queues: Sequence[DeadLetterQueue], wanted: str) -> DeadLetterQueue:
    """By logical id, queue name or URL (case-insensitive); LookupError naming the choices."""
    key = wanted.strip().lower()
    for queue in queues:
        if key in (queue.logical_id.lower(), queue.name.lower(), queue.url.lower()):
            return queue
    choices = ", ".join(q.logical_id for q in queues) or "none"
    raise LookupError(f"no dead-letter queue {wanted!r}; the dead-letter queues are: {choices}")


# --- the messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRef:
    """One record of a dead-lettered batch, as far as it can be read."""

    position: str  # topic-partition@offset
    event_id: str | None = None
    event_type: str | None = None
    aggregate_id: str | None = None
    version: int | None = None
    error: str | None = None  # why the record's value could not be read


@dataclass(frozen=True)
class Invoke:
    """Redrive a Kafka batch: the function, given the same event again."""

    function: str  # logical id
    event: dict[str, Any]
    function_arn: str | None = None  # as the on-failure record names it


@dataclass(frozen=True)
class Send:
    """Redrive a parked queue message: its original body, back to the source queue."""

    queue: str  # logical id
    body: str


Action = Invoke | Send


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str | None
    reason: str
    events: tuple[EventRef, ...] = ()
    request: dict[str, Any] | None = None  # a parked queue message's body, when it is JSON
    sent_at: str | None = None
    action: Action | None = None
    not_redrivable: str | None = None  # why there is no action
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "message_id": self.message_id,
            "reason": self.reason,
            "sent_at": self.sent_at,
            "events": [{k: v for k, v in asdict(e).items() if v is not None} for e in self.events],
            "redrivable": self.action is not None,
        }
        if self.request is not None:
            item["request"] = self.request
        if self.not_redrivable:
            item["not_redrivable"] = self.not_redrivable
        item.update(self.details)
        return item


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _sent_at(message: Mapping[str, Any]) -> str | None:
    raw = message.get("Attributes", {}).get("SentTimestamp")
    if not raw:
        return None
    return datetime.fromtimestamp(int(raw) / 1000, UTC).isoformat(timespec="seconds")


def parse_message(queue: DeadLetterQueue, message: Mapping[str, Any]) -> DeadLetter:
    """A received SQS message of `queue` read as a dead letter: reason, contents, and how to redrive it."""
    base: dict[str, Any] = {
        "message_id": str(message.get("MessageId", "")),
        "receipt_handle": message.get("ReceiptHandle"),
        "sent_at": _sent_at(message),
    }
    body = str(message.get("Body", ""))
    if queue.kind == KAFKA:
        return _kafka_letter(queue, body, base)
    if queue.kind == QUEUE:
        return _queue_letter(queue, body, base)
    data = _json_object(body)
    reason = str(data.get("reason", "")) if data else ""
    return DeadLetter(
        **base,
        reason=reason or "unknown",
        not_redrivable=f"{queue.logical_id} is not a dead-letter queue of the template",
    )


def _kafka_letter(queue: DeadLetterQueue, body: str, base: dict[str, Any]) -> DeadLetter:
    record = _json_object(body)
    if record is None:
        return DeadLetter(**base, reason="unreadable on-failure record", not_redrivable="the message is not JSON")
    response = record.get("responseContext") or {}
    request = record.get("requestContext") or {}
    reason = str(response.get("reason") or request.get("condition") or "unknown")
    batch = record.get("KafkaBatchInfo") or {}
    details = {
        k: v
        for k, v in {
            "attempts": request.get("approximateInvokeCount"),
            "condition": request.get("condition"),
            "partitions": batch.get("partitions"),
            "offsets": [batch["firstOffset"], batch["lastOffset"]] if "firstOffset" in batch else None,
        }.items()
        if v is not None
    }
    payload = record.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), dict):
        where = ""
        if "firstOffset" in batch:
            where = (
                f" (offsets {batch['firstOffset']}-{batch['lastOffset']} of {', '.join(batch.get('partitions', []))})"
            )
        return DeadLetter(
            **base,
            reason=reason,
            details=details,
            not_redrivable=f"the record holds only the batch's metadata{where}: replay those offsets from Kafka",
        )
    events = tuple(kafka_event_refs(payload))
    if not events:
        return DeadLetter(**base, reason=reason, details=details, not_redrivable="the batch has no records")
    if queue.source is None:
        return DeadLetter(
            **base, reason=reason, events=events, details=details, not_redrivable="no function for this queue"
        )
    arn = request.get("functionArn")
    return DeadLetter(
        **base,
        reason=reason,
        events=events,
        details=details,
        action=Invoke(queue.source, payload, str(arn) if arn else None),
    )


def kafka_event_refs(event: Mapping[str, Any]) -> list[EventRef]:
    """The records of an MSK-shaped event, each read as an event envelope where possible."""
    refs = []
    for batch in event.get("records", {}).values():
        for record in batch:
            position = f"{record.get('topic', '?')}-{record.get('partition', '?')}@{record.get('offset', '?')}"
            try:
                envelope = json.loads(base64.b64decode(record.get("value") or "", validate=True))
            except (binascii.Error, ValueError) as exc:
                refs.append(EventRef(position, error=f"unreadable value: {type(exc).__name__}"))
                continue
            if not isinstance(envelope, dict):
                refs.append(EventRef(position, error="the value is not a JSON object"))
                continue
            version = envelope.get("version")
            refs.append(
                EventRef(
                    position,
                    event_id=_text(envelope.get("event_id")),
                    event_type=_text(envelope.get("event_type")),
                    aggregate_id=_text(envelope.get("aggregate_id")),
                    version=version if isinstance(version, int) else None,
                )
            )
    return refs


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _queue_letter(queue: DeadLetterQueue, body: str, base: dict[str, Any]) -> DeadLetter:
    parked = _json_object(body)
    if parked is not None and "reason" in parked and "body" in parked:
        original = parked["body"]
        inner = original if isinstance(original, str) else json.dumps(original, ensure_ascii=False)
        reason = str(parked["reason"])
        details = {"original_message_id": parked["message_id"]} if parked.get("message_id") else {}
    else:  # moved unchanged by the source queue's redrive policy
        inner = body
        limit = f" after {queue.max_receive_count} receives" if queue.max_receive_count else ""
        reason = f"moved here by {queue.source or 'the source queue'}'s redrive policy{limit}"
        details = {}
    request = _json_object(inner)
    if queue.source is None:
        return DeadLetter(
            **base, reason=reason, request=request, details=details, not_redrivable="no source queue for this queue"
        )
    return DeadLetter(**base, reason=reason, request=request, details=details, action=Send(queue.source, inner))


# --- deciding what to redrive ----------------------------------------------------------------------


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
        body = _json_object(text)
        if body is not None:
            return f"{body.get('errorType', 'Error')}: {body.get('errorMessage', text)}"
        return text[:2000] or str(response["FunctionError"])
    status = int(response.get("StatusCode", 200))
    if not 200 <= status < 300:
        return f"the invocation answered {status}"
    return None


# --- formatting ------------------------------------------------------------------------------------


def _short(value: str | None, size: int = 8) -> str:
    return "?" if not value else value if len(value) <= size else value[:size] + "…"


def format_event(ref: EventRef) -> str:
    if ref.error:
        return f"{ref.position}  {ref.error}"
    parts = [ref.position, ref.event_type or "?", f"event {ref.event_id or '?'}"]
    if ref.aggregate_id:
        parts.append(f"aggregate {ref.aggregate_id}" + (f" v{ref.version}" if ref.version is not None else ""))
    return "  ".join(parts)


def format_letter(letter: DeadLetter) -> list[str]:
    when = f"  {letter.sent_at}" if letter.sent_at else ""
    lines = [f"  message {letter.message_id}{when}", f"    reason: {letter.reason}"]
    attempts = letter.details.get("attempts")
    if attempts is not None:
        lines[-1] += f" ({attempts} attempts)"
    lines += [f"    {format_event(ref)}" for ref in letter.events]
    if letter.request is not None:
        fields = "  ".join(f"{k}={v}" for k, v in letter.request.items() if v is not None)
        lines.append(f"    request: {fields}")
    if letter.not_redrivable:
        lines.append(f"    cannot redrive: {letter.not_redrivable}")
    return lines


def format_queue(queue: DeadLetterQueue, counts: Mapping[str, int], letters: Sequence[DeadLetter]) -> list[str]:
    visible, hidden = counts.get("visible", 0), counts.get("in_flight", 0)
    state = f"{visible} message{'s' if visible != 1 else ''}"
    if hidden:
        state += f", {hidden} in flight"
    lines = [f"{queue.logical_id} ({queue.describe()}): {state}"]
    for letter in letters:
        lines += format_letter(letter)
    if visible > len(letters) and letters:
        lines.append(f"  … {visible - len(letters)} more (--limit)")
    return lines


# --- SQS and Lambda --------------------------------------------------------------------------------


def queue_counts(sqs: Any, url: str) -> dict[str, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return {
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
    }


def receive(sqs: Any, url: str, *, limit: int | None, hold_seconds: int) -> list[dict[str, Any]]:
    """Up to `limit` messages (None: all), each kept invisible for `hold_seconds` so that the next receive
    returns others; the caller releases (or deletes) them."""
    received: dict[str, dict[str, Any]] = {}
    while limit is None or len(received) < limit:
        want = MAX_RECEIVE if limit is None else min(MAX_RECEIVE, limit - len(received))
        reply = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=want,
            VisibilityTimeout=hold_seconds,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
        )
        messages = reply.get("Messages", [])
        if not messages:
            break
        for message in messages:
            received.setdefault(message["MessageId"], message)
    return list(received.values())


def release(sqs: Any, url: str, messages: Iterable[Mapping[str, Any]]) -> None:
    """Make received messages visible again at once (they stay in the queue)."""
    pending = [m for m in messages if m.get("ReceiptHandle")]
    for start in range(0, len(pending), MAX_RECEIVE):
        chunk = pending[start : start + MAX_RECEIVE]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(chunk)
            ],
        )


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
    from localcloud import template as tpl
    from localcloud.paths import TEMPLATE
    from localcloud.runtime import CloudState, boto_session

    template = tpl.load(TEMPLATE)
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
    state = CloudState.load()
    if state is None or not state.endpoint:
        raise LookupError("no local cloud is running: start `make dev`, or name a deployment with --stack-name")
    return Target(boto_session(endpoint or state.endpoint), dict(state.queues), dict(state.functions), template)


def _sent(message: Mapping[str, Any]) -> int:
    return int(message.get("Attributes", {}).get("SentTimestamp", 0))


def peek(sqs: Any, queue: DeadLetterQueue, limit: int) -> tuple[dict[str, int], list[DeadLetter]]:
    """The queue's counts and up to `limit` of its messages, left in the queue."""
    counts = queue_counts(sqs, queue.url)
    wanted = limit > 0 and counts["visible"] > 0
    messages = receive(sqs, queue.url, limit=limit, hold_seconds=PEEK_HOLD_SECONDS) if wanted else []
    messages.sort(key=_sent)
    try:
        return counts, [parse_message(queue, m) for m in messages]
    finally:
        release(sqs, queue.url, messages)


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
    messages.sort(key=_sent)  # oldest first
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


# --- the command ---------------------------------------------------------------------------------


def list_command(
    queue_name: str | None,
    *,
    limit: int = 10,
    as_json: bool = False,
    stack_name: str | None = None,
    endpoint: str | None = None,
    region: str | None = None,
) -> int:
    """`algoarts dead-letters list`: 0 listed (empty or not), 2 no cloud or no such queue."""
    try:
        t = target(stack_name, endpoint, region)
        queues = t.dead_letter_queues()
        if queue_name:
            queues = [find_queue(queues, queue_name)]
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    sqs = t.session.client("sqs")
    listed = []
    for queue in queues:
        counts, letters = peek(sqs, queue, limit)
        if as_json:
            listed.append(
                {
                    "queue": queue.logical_id,
                    "url": queue.url,
                    "kind": queue.kind,
                    "source": queue.source,
                    **counts,
                    "messages": [letter.as_dict() for letter in letters],
                }
            )
        else:
            print("\n".join(format_queue(queue, counts, letters)))
    if as_json:
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    elif not queues:
        print("no dead-letter queues in this deployment")
    return 0


def redrive_command(
    queue_name: str,
    *,
    message_id: str | None = None,
    stack_name: str | None = None,
    endpoint: str | None = None,
    region: str | None = None,
) -> int:
    """`algoarts dead-letters redrive`: 0 every chosen message redriven (or none there), 1 some failed or could
    not be redriven (they stay in the queue), 2 no cloud, no such queue or no such message."""
    try:
        t = target(stack_name, endpoint, region)
        queue = find_queue(t.dead_letter_queues(), queue_name)
        result = redrive(t, queue, message_id=message_id)
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    total = len(result.redriven) + len(result.failed) + len(result.skipped)
    if not total:
        print(f"{queue.logical_id}: nothing to redrive")
        return 0
    print(
        f"{queue.logical_id}: {len(result.redriven)} redriven, {len(result.failed)} failed, "
        f"{len(result.skipped)} cannot be redriven"
    )
    return 0 if not result.failed and not result.skipped else 1
