"""The platform's AsyncAPI 3.0 document, generated from the event registry and its payload models.

The event twin of `openapi.json`: every Kafka topic of `shared.events.TOPICS` is a channel, with one
message per registered event type (`shared.events.EVENTS`) whose payload is the envelope carrying that
event's payload model (pydantic's JSON Schema). The outbox relay's `send` operation per topic, and one
`receive` operation per function that template.yaml subscribes to a topic (its consumer group and its
on-failure destination), say who writes and who reads each channel. Sample events of `events/kafka/`
are the messages' examples. The document ships beside the openapi function (`GET /v1/asyncapi.json`);
`algoarts asyncapi --write` (and `make openapi`) rewrites it, and a unit test fails when it is stale.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE
from shared.events import EVENTS, TOPICS, envelope_type

DOCUMENT = ROOT / "functions" / "platform" / "openapi" / "asyncapi.json"
SAMPLES = ROOT / "events" / "kafka"
REF = "#/components/schemas/{model}"
KAFKA_BINDING = "0.5.0"


class _Names(GenerateJsonSchema):
    """`EventEnvelope[CompanyCreated]` is named `CompanyCreatedEnvelope` (component keys allow no brackets)."""

    def normalize_name(self, name: str) -> str:
        match = re.fullmatch(r"EventEnvelope\[(\w+)\]", name)
        return f"{match.group(1)}Envelope" if match else super().normalize_name(name)


def _schemas() -> tuple[dict[str, str], dict[str, Any]]:
    """(event type -> its envelope's component name, every component schema)."""
    types = sorted(EVENTS)
    models = [(envelope_type(t), "validation") for t in types]
    refs, top = models_json_schema(models, ref_template=REF, schema_generator=_Names)  # type: ignore[arg-type]
    names = {t: refs[(envelope_type(t), "validation")]["$ref"].rsplit("/", 1)[-1] for t in types}
    return names, dict(sorted(top.get("$defs", {}).items()))


def _summary(doc: str | None) -> str:
    first = (doc or "").strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def _examples() -> dict[str, list[dict[str, Any]]]:
    """The envelopes of the sample MSK events in events/kafka/, by event type."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(SAMPLES.glob("*.json")):
        sample = json.loads(path.read_text("utf-8"))
        for records in sample.get("records", {}).values():
            for record in records:
                envelope = json.loads(base64.b64decode(record["value"]))
                example = {"name": path.stem, "summary": f"events/kafka/{path.name}", "payload": envelope}
                found.setdefault(envelope["event_type"], []).append(example)
    return found


def _message(event_type: str, schema_name: str, examples: list[dict[str, Any]]) -> dict[str, Any]:
    spec = EVENTS[event_type]
    model = spec.model()
    message: dict[str, Any] = {
        "name": event_type,
        "title": model.__name__,
        "summary": _summary(model.__doc__),
        "description": " ".join((model.__doc__ or "").split()),
        "contentType": "application/json",
        "payload": {"$ref": REF.format(model=schema_name)},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"the {spec.aggregate_type} id (envelope aggregate_id)"},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
    if examples:
        message["examples"] = examples
    return message


def _consumers() -> list[tpl.KafkaSource]:
    return sorted(tpl.kafka_sources(tpl.load(TEMPLATE)), key=lambda s: s.function)


def build_document() -> dict[str, Any]:
    names, schemas = _schemas()
    examples = _examples()
    messages = {t: _message(t, names[t], examples.get(t, [])) for t in sorted(EVENTS)}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, description in TOPICS.items():
        events = sorted(t for t, spec in EVENTS.items() if spec.topic == topic)
        channels[topic] = {
            "address": topic,
            "title": topic,
            "description": description,
            "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in events},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
        }
        if not events:
            continue
        refs = [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in events]
        operations[f"publish.{topic}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "title": f"Publish {topic}",
            "summary": "The outbox relay publishes each event committed with its command, keyed by the aggregate id, "
            "in order per aggregate (at least once: consumers deduplicate on event_id and version).",
            "messages": refs,
        }
        for source in _consumers():
            if topic not in source.topics:
                continue
            failure = f"; failed batches go to {source.on_failure}" if source.on_failure else ""
            operations[f"{source.function}.{topic}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{topic}"},
                "title": f"{source.function} reads {topic}",
                "summary": f"Consumer group {source.group}, batches of up to {source.batch_size}{failure}.",
                "messages": refs,
                "bindings": {
                    "kafka": {"groupId": {"type": "string", "enum": [source.group]}, "bindingVersion": KAFKA_BINDING}
                },
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ALGORITHMIC ARTS events",
            "version": "0.1.0",
            "description": "Domain events, notifications and integration requests on Kafka. Every message is an "
            "event envelope (event_id, event_type, aggregate, version, timestamp, correlation) whose payload is "
            "the event type's model; payloads may gain fields, so readers ignore what they do not know. The HTTP "
            "API is described in openapi.json.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "MSK / Yandex Managed Kafka (template.yaml parameter KafkaBootstrap); SASL/SCRAM-512",
                "variables": {"bootstrap": {"description": "a bootstrap broker", "default": "127.0.0.1:9092"}},
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": {"scram": {"type": "scramSha512", "description": "KafkaCredentialsSecretArn"}},
        },
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"


def write() -> Path:
    DOCUMENT.write_text(render(), "utf-8")
    return DOCUMENT
