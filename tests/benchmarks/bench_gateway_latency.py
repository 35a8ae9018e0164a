"""Warm request latency through the local API gateway vs calling the same handler in-process.

Run: .venv/bin/python tests/benchmarks/bench_gateway_latency.py   (about 1-2 minutes)

Starts the embedded local cloud through the CLI in a private temp state folder (ALGOARTS_STATE,
--no-seed), creates one company, then for each route does 20 warm-up and 200 measured requests:
  gateway     httpx (keep-alive) -> MiniStack's API gateway -> (authorizer) -> warm worker -> handler
  invoke      boto3 Lambda Invoke of the same function with the in-process event (no routing, no authorizer)
  in-process  module.handler(event, context) in this process, the function's module loaded from
              functions/<ctx>/<fn>/app.py with the deployed function's environment (DSNs rebuilt
              from the cloud's secrets), fed an HTTP API v2 event shaped like events/http/*.json
The three are interleaved request by request, so machine noise hits them alike. All talk to the
same real Postgres/Redis/ClickHouse of the cloud; gateway minus in-process is the gateway's overhead.

When the API requires a bearer token (the template's default authorizer), the benchmark creates three
platform admins straight in the cloud's Postgres (one per path, so none crosses the per-user rate
limit) and logs in through the API; the in-process event carries the same claims in
requestContext.authorizer.lambda, as the gateway passes them on.

The cloud is stopped at the end (`local down` with the same state folder), also on error.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import json
import math
import os
import secrets as pysecrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

WARMUP = 20
REQUESTS = 200
PROFILE = "embedded"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("ALGOARTS_", "AWS_"))}


def cli(state_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**CLEAN_ENV, "ALGOARTS_STATE": str(state_dir)}
    return subprocess.run(
        [sys.executable, "-m", "localcloud.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Context:
    function_name: str = "bench"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    aws_request_id: str = "bench"
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


@dataclass
class Route:
    label: str
    logical_id: str  # function in template.yaml
    path: str  # request path, query string apart
    query: dict[str, str] = field(default_factory=dict)
    sample: str = "health"  # events/http/<sample>.json
    path_parameters: dict[str, str] | None = None
    route_key: str = ""
    auth: bool = True
    gateway_ms: list[float] = field(default_factory=list)
    inproc_ms: list[float] = field(default_factory=list)
    invoke_ms: list[float] = field(default_factory=list)
    invoke_status: dict[int, int] = field(default_factory=dict)
    gateway_status: dict[int, int] = field(default_factory=dict)
    inproc_status: dict[int, int] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def load_module(code_uri: str) -> ModuleType:
    path = ROOT / code_uri / "app.py"
    name = "bench_" + "_".join(Path(code_uri).parts[1:])
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def jwt_claims(token: str) -> dict[str, Any]:
    """The access token's payload (our own token, not verified here: the gateway's authorizer did)."""
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


def authorizer_context(claims: dict[str, Any]) -> dict[str, Any]:
    """What the authorizer puts in the request context (shared.identity.guard.Principal.as_context)."""
    return {
        "sub": claims["sub"],
        "email": claims.get("email", ""),
        "roles": ",".join(claims.get("roles", [])),
        "permissions": ",".join(claims.get("permissions", [])),
        "company_id": claims.get("company_id") or "",
        "jti": claims["jti"],
        "iat": claims["iat"],
        "exp": claims["exp"],
    }


def make_event(route: Route, token: str | None, claims: dict[str, Any] | None, n: int) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / "events" / "http" / f"{route.sample}.json").read_text("utf-8"))
    raw_query = str(httpx.QueryParams(route.query)) if route.query else ""
    event["rawPath"] = route.path
    event["rawQueryString"] = raw_query
    event["routeKey"] = route.route_key
    event["requestContext"]["routeKey"] = route.route_key
    event["requestContext"]["http"]["path"] = route.path
    event["requestContext"]["http"]["method"] = "GET"
    event["requestContext"]["requestId"] = f"bench-{n}"
    event["requestContext"]["timeEpoch"] = int(time.time() * 1000)
    event.pop("body", None)
    event["isBase64Encoded"] = False
    if route.query:
        event["queryStringParameters"] = dict(route.query)
    else:
        event.pop("queryStringParameters", None)
    if route.path_parameters:
        event["pathParameters"] = dict(route.path_parameters)
    else:
        event.pop("pathParameters", None)
    if token and route.auth:
        event["headers"]["authorization"] = f"Bearer {token}"
        assert claims is not None
        event["requestContext"]["authorizer"] = {"lambda": authorizer_context(claims)}
    return event


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Handlers log a JSON line per request to stdout (as on Lambda): send fd 1 to /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def function_environment(state: Any, state_dir: Path, logical_id: str) -> dict[str, str]:
    """The deployed function's variables, with the DSNs rebuilt from the cloud's secrets, plus what
    MiniStack's workers add (endpoint, region, test credentials): all loopback."""
    from localcloud.runtime import boto_session, load_secrets
    from localcloud.servers import postgres, redis

    lam = boto_session(state.endpoint).client("lambda")
    config = lam.get_function_configuration(FunctionName=state.functions[logical_id])
    env = dict(config.get("Environment", {}).get("Variables", {}))
    sec = load_secrets(state_dir)
    env["ALGOARTS_DATABASE_URL"] = postgres.url(state.parts["postgres"].port, sec["postgres"])
    env["ALGOARTS_REDIS_URL"] = redis.url(state.parts["redis"].port, sec["redis"])
    env["ALGOARTS_CLICKHOUSE_URL"] = (
        f"http://default:{sec['clickhouse']}@127.0.0.1:{state.parts['clickhouse'].port}/default"
    )
    env.update(
        {
            "AWS_ENDPOINT_URL": state.endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
    )
    return {k: v for k, v in env.items() if v is not None and v != ""}


def platform_admin_token(http: httpx.Client, database_url: str, tag: str) -> tuple[str, str]:
    """A platform admin created in Postgres (as `algoarts create-platform-admin` does), logged in via the API."""
    from shared.identity.accounts import create_account

    email = f"bench-{tag}-{uuid.uuid4().hex[:8]}@example.com"
    password = f"Bench-{pysecrets.token_urlsafe(18)}-9a!"
    create_account(database_url, email=email, password=password, roles=["platform_admin"])
    response = http.post("/v1/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:300]}")
    return str(response.json()["access_token"]), email


def main() -> int:
    from localcloud import template as tpl
    from localcloud.runtime import CloudState, boto_session, load_secrets
    from localcloud.servers import postgres

    state_dir = Path(tempfile.mkdtemp(prefix="bench-gw-"))
    started = time.monotonic()
    up_seconds = 0.0
    try:
        up = cli(state_dir, "local", "up", "--profile", PROFILE, "--no-seed")
        up_seconds = time.monotonic() - started
        if up.returncode != 0 or "API: " not in up.stdout:
            print(f"`local up` failed ({up.returncode}):\n{up.stdout[-3000:]}\n{up.stderr[-3000:]}")
            return 1
        state = CloudState.load(state_dir)
        assert state is not None
        template = tpl.load(ROOT / "template.yaml")
        functions = tpl.functions(template)
        routes = {(r.method, r.path): r.function for r in tpl.http_routes(template)}
        database_url = postgres.url(state.parts["postgres"].port or 0, load_secrets(state_dir)["postgres"])

        with httpx.Client(base_url=state.api_url, timeout=30) as http:
            body = {"name": "Бенчмарк", "industry": "fintech"}
            created = http.post("/v1/companies", json=body)
            auth_note = "none (the API answered without a token)"
            gw_token = ip_token = iv_token = None
            ip_claims = iv_claims = None
            if created.status_code in (401, 403):
                gw_token, _ = platform_admin_token(http, database_url, "gw")
                ip_token, _ = platform_admin_token(http, database_url, "ip")
                ip_claims = jwt_claims(ip_token)
                iv_token, _ = platform_admin_token(http, database_url, "iv")
                iv_claims = jwt_claims(iv_token)
                auth_note = (
                    f"bearer tokens (the API answered {created.status_code} without one): one platform admin "
                    "per path; the gateway path runs the Lambda authorizer"
                )
                created = http.post("/v1/companies", json=body, headers={"Authorization": f"Bearer {gw_token}"})
            if created.status_code != 201:
                print(f"POST /v1/companies failed: {created.status_code} {created.text[:500]}")
                return 1
            company_id = str(created.json()["id"])

            route_list = [
                Route("GET /v1/health", routes[("GET", "/v1/health")], "/v1/health", auth=False),
                Route(
                    "GET /v1/companies/{id}",
                    routes[("GET", "/v1/companies/{company_id}")],
                    f"/v1/companies/{company_id}",
                    sample="get_company",
                    path_parameters={"company_id": company_id},
                ),
                Route(
                    "GET /v1/search?q=Бенчмарк",
                    routes[("GET", "/v1/search")],
                    "/v1/search",
                    query={"q": "Бенчмарк"},
                    sample="search_companies",
                ),
            ]
            for r in route_list:
                path = next(p for (m, p), fn in routes.items() if fn == r.logical_id and m == "GET")
                r.route_key = f"GET {path}"

            # In-process: the same modules with the deployed function's environment.
            env = function_environment(state, state_dir, route_list[0].logical_id)
            os.environ.update(env)
            modules = {r.logical_id: load_module(functions[r.logical_id]["Properties"]["CodeUri"]) for r in route_list}
            context = Context()

            def gateway_call(r: Route) -> Callable[[], int]:
                headers = {"Authorization": f"Bearer {gw_token}"} if gw_token and r.auth else {}
                params = r.query or None

                def call() -> int:
                    return http.get(r.path, params=params, headers=headers).status_code

                return call

            def inproc_call(r: Route, n: int) -> Callable[[], int]:
                event = make_event(r, ip_token, ip_claims, n)
                handler = modules[r.logical_id].handler

                def call() -> int:
                    return int(handler(event, context)["statusCode"])

                return call

            lam = boto_session(state.endpoint).client("lambda")

            def invoke_call(r: Route, n: int) -> Callable[[], int]:
                """Lambda Invoke straight to the warm worker: the gateway's routing and authorizer left out."""
                payload = json.dumps(make_event(r, iv_token, iv_claims, n)).encode()
                name = state.functions[r.logical_id]

                def call() -> int:
                    answer = lam.invoke(FunctionName=name, Payload=payload)
                    return int(json.loads(answer["Payload"].read()).get("statusCode", 0))

                return call

            def timed(call: Callable[[], int], times: list[float], statuses: dict[int, int]) -> None:
                t0 = time.perf_counter()
                status = call()
                times.append((time.perf_counter() - t0) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

            bench_started = time.monotonic()
            with quiet_stdout():
                for r in route_list:
                    gw = gateway_call(r)
                    for i in range(WARMUP):
                        gw()
                        inproc_call(r, i)()
                        invoke_call(r, i)()
                    for i in range(REQUESTS):
                        # events built outside the timed calls
                        ip, iv = inproc_call(r, WARMUP + i), invoke_call(r, WARMUP + i)
                        timed(gw, r.gateway_ms, r.gateway_status)
                        timed(ip, r.inproc_ms, r.inproc_status)
                        timed(iv, r.invoke_ms, r.invoke_status)
            bench_seconds = time.monotonic() - bench_started

        print()
        print(f"Warm latency, {PROFILE} local cloud: gateway (httpx -> MiniStack API gateway) vs handler in-process")
        print(f"local up (--no-seed): {up_seconds:.1f} s; API {state.api_url}")
        print(f"auth: {auth_note}")
        print(
            f"per route: {WARMUP} warm-up + {REQUESTS} measured, gateway, invoke and in-process interleaved; "
            f"{bench_seconds:.0f} s"
        )
        print()
        head = (
            f"{'route':<26} | {'gw p50':>7} {'gw p95':>7} | {'in-proc p50':>11} {'p95':>6} | "
            f"{'overhead p50':>12} {'ratio p50':>9} | {'invoke p50':>10} {'p95':>6} | statuses gw / in-proc / invoke"
        )
        print(head)
        print("-" * len(head))
        problems = []
        for r in route_list:
            g50, g95 = statistics.median(r.gateway_ms), percentile(r.gateway_ms, 0.95)
            i50, i95 = statistics.median(r.inproc_ms), percentile(r.inproc_ms, 0.95)
            v50, v95 = statistics.median(r.invoke_ms), percentile(r.invoke_ms, 0.95)
            statuses = " / ".join(
                ",".join(f"{k}x{v}" for k, v in sorted(d.items()))
                for d in (r.gateway_status, r.inproc_status, r.invoke_status)
            )
            print(
                f"{r.label:<26} | {g50:>7.2f} {g95:>7.2f} | {i50:>11.2f} {i95:>6.2f} | "
                f"{g50 - i50:>9.2f} ms {g50 / i50:>8.1f}x | {v50:>10.2f} {v95:>6.2f} | {statuses}"
            )
            if any(set(d) != {200} for d in (r.gateway_status, r.inproc_status, r.invoke_status)):
                problems.append(r.label)
        print()
        print("times in ms; p95 is nearest-rank; overhead = gateway p50 - in-process p50;")
        print("invoke = boto3 Lambda Invoke of the same function with the in-process event (no HTTP routing, no")
        print("authorizer): where it is close to the gateway figure, the overhead is in the emulator's invoke path")
        if problems:
            print(f"NOTE: non-200 answers on: {', '.join(problems)} (the figures include them)")
        return 0
    finally:
        down = cli(state_dir, "local", "down", timeout=120)
        if down.returncode != 0:
            print(f"`local down` failed ({down.returncode}): {down.stdout[-1000:]} {down.stderr[-1000:]}")
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
