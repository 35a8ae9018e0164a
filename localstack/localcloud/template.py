"""Reading template.yaml: CloudFormation's short-form tags kept as plain {"Fn::X": ...} data.

The local cloud learns everything from the template (functions, their HTTP routes, their Kafka
sources and on-failure destinations), so the template stays the one description of the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text("utf-8"), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class HttpRoute:
    function: str  # logical id
    method: str
    path: str  # SAM form, /v1/companies/{company_id}; "$default" for the catch-all
    authorizer: str | None = None  # name of the HttpApi authorizer guarding it; None when public

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class KafkaSource:
    function: str  # logical id
    topics: tuple[str, ...]
    group: str
    batch_size: int
    starting_position: str
    on_failure: str | None  # logical id of the SQS queue


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}


@dataclass(frozen=True)
class LambdaAuthorizer:
    name: str
    function: str  # logical id
    identity_headers: tuple[str, ...]
    ttl_seconds: int
    simple_responses: bool
    payload_version: str


def http_authorizers(template: dict[str, Any]) -> list[LambdaAuthorizer]:
    found = []
    for res in template["Resources"].values():
        if res["Type"] != "AWS::Serverless::HttpApi":
            continue
        for name, spec in res.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).items():
            identity = spec.get("Identity", {})
            found.append(
                LambdaAuthorizer(
                    name=name,
                    function=spec["FunctionArn"]["Fn::GetAtt"][0],
                    identity_headers=tuple(identity.get("Headers", ["Authorization"])),
                    ttl_seconds=int(identity.get("ReauthorizeEvery", 300)),
                    simple_responses=bool(spec.get("EnableSimpleResponses", False)),
                    payload_version=str(spec.get("AuthorizerPayloadFormatVersion", "2.0")),
                )
            )
    return found


def _default_authorizer(template: dict[str, Any]) -> str | None:
    for res in template["Resources"].values():
        if res["Type"] == "AWS::Serverless::HttpApi":
            name = res.get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
            return str(name) if name else None
    return None


def http_routes(template: dict[str, Any]) -> list[HttpRoute]:
    default = _default_authorizer(template)
    routes = []
    for name, res in functions(template).items():
        for event in res["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event.get("Properties", {})
            chosen = props.get("Auth", {}).get("Authorizer", default)
            authorizer = None if chosen in (None, "NONE") else str(chosen)
            if "Path" not in props:
                routes.append(HttpRoute(name, "ANY", "$default", authorizer))
            else:
                routes.append(HttpRoute(name, props["Method"].upper(), props["Path"], authorizer))
    return routes


def kafka_sources(template: dict[str, Any]) -> list[KafkaSource]:
    sources = []
    for name, res in functions(template).items():
        for event in res["Properties"].get("Events", {}).values():
            if event["Type"] not in {"SelfManagedKafka", "MSK"}:
                continue
            props = event["Properties"]
            destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            queue = destination["Fn::GetAtt"][0] if isinstance(destination, dict) else None
            sources.append(
                KafkaSource(
                    function=name,
                    topics=tuple(props["Topics"]),
                    group=props.get("ConsumerGroupId", name),
                    batch_size=int(props.get("BatchSize", 100)),
                    starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
                    on_failure=queue,
                )
            )
    return sources


@dataclass(frozen=True)
class ScheduleSource:
    function: str  # logical id
    name: str  # the event's key in the template (the rule's name)
    expression: str  # EventBridge's rate(...) or cron(...)


def _local_state(value: Any) -> Any:
    """A rule's State as the local stack (Stage=local, so the IsLocal condition holds) resolves it."""
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        return when_true if condition == "IsLocal" else when_false
    return value


def schedules(template: dict[str, Any]) -> list[ScheduleSource]:
    """Every enabled Schedule / ScheduleV2 event of every function in the local stack, as the local scheduler
    fires them (a rule whose State is DISABLED locally, like the outbox sweep the relay replaces, is left out)."""
    found = []
    for name, res in functions(template).items():
        for key, event in res["Properties"].get("Events", {}).items():
            if event["Type"] not in {"Schedule", "ScheduleV2"}:
                continue
            props = event["Properties"]
            expression = props.get("Schedule") or props.get("ScheduleExpression")
            enabled = props.get("Enabled", True) is not False and _local_state(props.get("State")) != "DISABLED"
            if enabled and isinstance(expression, str):
                found.append(ScheduleSource(function=name, name=key, expression=expression))
    return found
