"""Which queues are dead-letter queues, and whose: read from template.yaml, matched to a deployment's URLs.

A Kafka-triggered function's on-failure destination is a "kafka" queue (its source is the function);
a queue named by another queue's redrive policy is a "queue" queue (its source is that queue); any other
queue whose name says DeadLetter/DLQ is listed as "unknown" and never redriven.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from algoarts_ops import local_cloud

Kind = Literal["kafka", "queue", "unknown"]
KAFKA: Final = "kafka"
QUEUE: Final = "queue"
UNKNOWN: Final = "unknown"


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
    found: dict[str, DeadLetterQueue] = {}
    for source in local_cloud.kafka_sources(dict(template)):
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
