"""The AsyncAPI document is generated from the event registry and its models, lists every topic with its
events, agrees with template.yaml's Kafka consumers, and is served beside openapi.json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from localcloud import asyncapi
from localcloud import template as tpl
from localcloud.paths import TEMPLATE
from shared.events import EVENTS, TOPICS
from support import LambdaContext, event, load_function

COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")  # AsyncAPI 3.0: keys of components and channels


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(asyncapi.DOCUMENT.read_text("utf-8"))
    return document


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_committed_document_is_up_to_date() -> None:
    committed = asyncapi.DOCUMENT.read_text("utf-8")
    assert committed == asyncapi.render(), "run `make openapi` and commit functions/platform/openapi/asyncapi.json"


def test_every_topic_is_a_channel_with_one_message_per_event_type() -> None:
    document = _document()
    assert document["asyncapi"] == "3.0.0"
    assert set(document["channels"]) == set(TOPICS)
    for topic, channel in document["channels"].items():
        assert channel["address"] == topic and channel["description"] == TOPICS[topic]
        expected = {t for t, spec in EVENTS.items() if spec.topic == topic}
        assert set(channel["messages"]) == expected, topic
    assert set(document["components"]["messages"]) == set(EVENTS)
    assert not document["channels"]["user.events"]["messages"]  # reserved: said so, not invented


def test_each_message_is_the_envelope_carrying_its_payload_model() -> None:
    document = _document()
    for event_type, message in document["components"]["messages"].items():
        model = EVENTS[event_type].model()
        assert message["name"] == event_type and message["title"] == model.__name__
        assert f"`{event_type}`" in message["description"]
        envelope = _resolve(document, message["payload"]["$ref"])
        assert {"event_id", "event_type", "aggregate_id", "version", "timestamp", "payload"} <= set(
            envelope["properties"]
        )
        payload = _resolve(document, envelope["properties"]["payload"]["$ref"])
        assert payload["title"] == model.__name__
        assert set(payload["properties"]) == {f.alias or name for name, f in model.model_fields.items()}


def test_every_reference_resolves_and_every_key_is_allowed() -> None:
    document = _document()
    for ref in _refs(document):
        _resolve(document, ref)
    for section in ("messages", "schemas"):
        assert all(COMPONENT_KEY.match(key) for key in document["components"][section]), section
    assert all(COMPONENT_KEY.match(key) for key in [*document["channels"], *document["operations"]])


def test_operations_say_who_publishes_and_who_reads_each_topic() -> None:
    document = _document()
    operations = document["operations"]
    for name, operation in operations.items():
        channel = operation["channel"]["$ref"]
        assert all(m["$ref"].startswith(f"{channel}/messages/") for m in operation["messages"]), name
    sends = {op["channel"]["$ref"].rsplit("/", 1)[-1] for op in operations.values() if op["action"] == "send"}
    assert sends == {spec.topic for spec in EVENTS.values()}
    consumers = {
        (source.function, topic) for source in tpl.kafka_sources(tpl.load(TEMPLATE)) for topic in source.topics
    }
    receives = {
        (name.split(".", 1)[0], op["channel"]["$ref"].rsplit("/", 1)[-1])
        for name, op in operations.items()
        if op["action"] == "receive"
    }
    assert receives == consumers and consumers


def test_the_sample_events_are_the_examples_of_their_messages() -> None:
    messages = _document()["components"]["messages"]
    assert [e["name"] for e in messages["company.created"]["examples"]] == ["company_created"]
    assert [e["name"] for e in messages["partnership.status_changed"]["examples"]] == ["partnership_status_changed"]


def test_the_document_is_served_beside_openapi_json_and_linked_from_the_docs_page() -> None:
    module = load_function("platform", "openapi")
    ev = event("http/health", rawPath="/v1/asyncapi.json", routeKey="GET /v1/asyncapi.json")
    ev["requestContext"]["http"]["path"] = "/v1/asyncapi.json"
    response = module.handler(ev, LambdaContext())
    assert response["statusCode"] == 200 and response["headers"]["Content-Type"] == "application/json"
    assert json.loads(response["body"]) == _document()
    assert 'href="asyncapi.json"' in module.DOCS_PAGE
    routes = {(r.method, r.path) for r in tpl.http_routes(tpl.load(TEMPLATE)) if r.function == "OpenApiFunction"}
    assert ("GET", "/v1/asyncapi.json") in routes
