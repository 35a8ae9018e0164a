"""Deploying template.yaml into the emulator: package to S3, CloudFormation, then HTTP API routes.

MiniStack refuses local CodeUri paths and creates no HttpApi routes, so we do what
`sam package` would (upload, rewrite URIs) and add the routes the template declares.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud import template as tpl
from localcloud.build import build_function, build_layer, build_makefile_layer
from localcloud.paths import ROOT

BUCKET = "algoarts-artifacts"
STACK = "algoarts"


@dataclass
class Deployment:
    api_id: str
    api_url: str
    functions: dict[str, str]  # logical id -> function name
    queues: dict[str, str]  # logical id -> queue url
    state_machines: dict[str, str]  # logical id -> arn
    seconds: float


def _upload(s3: Any, path: Path, key: str) -> str:
    try:
        s3.head_object(Bucket=BUCKET, Key=key)
    except s3.exceptions.ClientError:
        s3.upload_file(str(path), BUCKET, key)
    return f"s3://{BUCKET}/{key}"


def package(session: Any, template: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """A copy of the template whose code and definition URIs point at the emulator's S3."""
    s3 = session.client("s3")
    with contextlib.suppress(s3.exceptions.ClientError):
        s3.create_bucket(Bucket=BUCKET)
    packaged = copy.deepcopy(template)
    for logical_id, res in packaged["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Serverless::LayerVersion":
            content = str(props["ContentUri"]).rstrip("/")
            artifact = (
                build_layer(out_dir)
                if content == "layers/shared"
                else build_makefile_layer(ROOT / content, logical_id, out_dir)
            )
            props["ContentUri"] = _upload(s3, artifact.path, artifact.key)
        elif res["Type"] == "AWS::Serverless::Function":
            artifact = build_function(ROOT / props["CodeUri"], out_dir)
            props["CodeUri"] = _upload(s3, artifact.path, artifact.key)
        elif res["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            path = ROOT / props["DefinitionUri"]
            # Content-addressed like the zips (hash() is salted per process: a new key every deploy).
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            props["DefinitionUri"] = _upload(s3, path, f"{path.stem}-{digest}.json")
    return packaged


def _wait(cf: Any, stack: str) -> dict[str, Any]:
    while True:
        desc = cf.describe_stacks(StackName=stack)["Stacks"][0]
        if not desc["StackStatus"].endswith("_IN_PROGRESS"):
            return dict(desc)
        time.sleep(0.2)


def apply_stack(session: Any, packaged: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    cf = session.client("cloudformation")
    args = {
        "StackName": STACK,
        "TemplateBody": json.dumps(packaged),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    }
    try:
        cf.describe_stacks(StackName=STACK)
        exists = True
    except cf.exceptions.ClientError:
        exists = False
    try:
        (cf.update_stack if exists else cf.create_stack)(**args)
    except cf.exceptions.ClientError as exc:
        if "No updates are to be performed" not in str(exc):
            raise
    desc = _wait(cf, STACK)
    if desc["StackStatus"] not in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}:
        events = cf.describe_stack_events(StackName=STACK)["StackEvents"][:10]
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}" for e in events]
        raise RuntimeError(f"stack {desc['StackStatus']}: " + "; ".join(reasons))
    return desc


def ensure_authorizers(
    session: Any, template: dict[str, Any], api_id: str, functions: dict[str, str]
) -> dict[str, str]:
    """The HTTP API's Lambda authorizers (name -> id), created when the emulator skipped them."""
    api = session.client("apigatewayv2")
    lam = session.client("lambda")
    existing = {a["Name"]: a["AuthorizerId"] for a in api.get_authorizers(ApiId=api_id)["Items"]}
    for spec in tpl.http_authorizers(template):
        if spec.name in existing:
            continue
        arn = lam.get_function(FunctionName=functions[spec.function])["Configuration"]["FunctionArn"]
        region = arn.split(":")[3]
        created = api.create_authorizer(
            ApiId=api_id,
            Name=spec.name,
            AuthorizerType="REQUEST",
            AuthorizerUri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
            AuthorizerPayloadFormatVersion=spec.payload_version,
            EnableSimpleResponses=spec.simple_responses,
            IdentitySource=[f"$request.header.{h}" for h in spec.identity_headers],
            AuthorizerResultTtlInSeconds=spec.ttl_seconds,
        )
        existing[spec.name] = created["AuthorizerId"]
    return existing


def ensure_routes(session: Any, template: dict[str, Any], api_id: str, functions: dict[str, str]) -> None:
    """Create the integrations and routes the emulator skipped; existing ones are left alone."""
    api = session.client("apigatewayv2")
    lam = session.client("lambda")
    authorizers = ensure_authorizers(session, template, api_id, functions)
    existing = {r["RouteKey"] for r in api.get_routes(ApiId=api_id)["Items"]}
    for route in tpl.http_routes(template):
        if route.route_key in existing:
            continue
        arn = lam.get_function(FunctionName=functions[route.function])["Configuration"]["FunctionArn"]
        integration = api.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0"
        )
        auth: dict[str, str] = {}
        if route.authorizer:
            auth = {"AuthorizationType": "CUSTOM", "AuthorizerId": authorizers[route.authorizer]}
        api.create_route(
            ApiId=api_id, RouteKey=route.route_key, Target=f"integrations/{integration['IntegrationId']}", **auth
        )


def deploy(session: Any, template_path: Path, parameters: dict[str, str], out_dir: Path, endpoint: str) -> Deployment:
    started = time.monotonic()
    template = tpl.load(template_path)
    desc = apply_stack(session, package(session, template, out_dir), parameters)
    pages = session.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=STACK)
    resources = [r for page in pages for r in page["StackResourceSummaries"]]  # >100 resources: several pages
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    types = {r["LogicalResourceId"]: r["ResourceType"] for r in resources}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}
    functions = {name: physical[name] for name in tpl.functions(template)}
    api_id = outputs["HttpApiId"]
    ensure_routes(session, template, api_id, functions)
    return Deployment(
        api_id=api_id,
        api_url=f"{endpoint}/_aws/execute-api/{api_id}/$default",
        functions=functions,
        queues={k: v for k, v in physical.items() if types[k] == "AWS::SQS::Queue"},
        state_machines={k: v for k, v in physical.items() if types[k] == "AWS::StepFunctions::StateMachine"},
        seconds=time.monotonic() - started,
    )
