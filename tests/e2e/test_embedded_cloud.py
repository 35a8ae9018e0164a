"""Every hop of the slice on the embedded profile: gateway, functions, Postgres, outbox, relay,
projection into Redis and the Postgres search table, the state machine, dead letters, and the CLI."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
import redis as redis_lib

import slice_checks as checks
from e2e_cloud import Cloud
from localcloud import process
from localcloud.registry_setup import CATALOG
from localcloud.runtime import load_secrets
from localcloud.servers import redis


@pytest.fixture(scope="module")
def writer(embedded: Cloud) -> Iterator[httpx.Client]:
    """The slice's writes and searches come from an account of their own: the search checks poll every 50 ms,
    which would spend the demo company admin's per-minute budget that the modules before this one use too.
    Its first company waits until it is searchable, unbounded by the 2-s checks: the companies module's poison
    event restarted the projection's worker cold, and those checks measure the warm path."""
    with embedded.fresh_writer() as client:
        first = checks.create_company(client)
        checks.wait_for(lambda: first["id"] in checks.search_ids(client, first["name"]), timeout=30, interval=0.5)
        yield client


def test_health_reports_every_dependency(embedded: Cloud) -> None:
    response = embedded.anonymous.get("/v1/health")
    assert response.status_code == 200, response.text
    states = {d["name"]: d["status"] for d in response.json()["dependencies"]}
    assert states == {"postgres": "ok", "redis": "ok", "search:postgres": "ok", "clickhouse": "ok", "kafka": "disabled"}


def test_sample_catalog_was_imported_and_projected(embedded: Cloud) -> None:
    first = json.loads(CATALOG.read_text("utf-8"))[0]
    # The demo company admin belongs to the catalog's first company.
    company_id = embedded.http.get("/v1/users/me").json()["company_id"]
    company = embedded.http.get(f"/v1/companies/{company_id}").json()
    assert company["name"] == first["name"] and company["inn"] == first["inn"]
    checks.wait_for(lambda: company_id in checks.search_ids(embedded.http, first["name"]), timeout=10)


def test_created_company_reads_back_by_id_and_slug(writer: httpx.Client) -> None:
    company = checks.create_company(writer, name="Облако Касс", description="Онлайн-кассы")
    by_id = writer.get(f"/v1/companies/{company['id']}")
    assert by_id.status_code == 200
    assert by_id.json() == {**company, "view_count": 1}  # this read counted
    by_slug = writer.get(f"/v1/companies/{company['slug']}")
    assert by_slug.json() == {**company, "view_count": 2}


def test_write_stores_event_and_outbox_in_one_transaction(embedded: Cloud, writer: httpx.Client) -> None:
    company = checks.create_company(writer)
    with psycopg.connect(embedded.database_url) as conn:
        event = conn.execute(
            "SELECT event_type, version FROM company_events WHERE aggregate_id = %s", (company["id"],)
        ).fetchall()
        outbox = conn.execute(
            "SELECT topic, message_key FROM outbox WHERE message_key = %s", (company["id"],)
        ).fetchall()
    assert event == [("company.created", 1)]
    assert outbox == [("company.events", company["id"])]


def test_projection_caches_the_company_in_redis(embedded: Cloud, writer: httpx.Client) -> None:
    company = checks.create_company(writer)
    port = embedded.state.parts["redis"].port
    client = redis_lib.Redis.from_url(redis.url(port or 0, load_secrets(embedded.state_dir)["redis"]))
    checks.wait_for(lambda: client.hget(f"company:{company['id']}", "version") == b"1")  # type: ignore[comparison-overlap]


def test_company_is_searchable_within_two_seconds(writer: httpx.Client) -> None:
    checks.company_is_searchable_within_two_seconds(writer, backend="postgres")


def test_company_is_found_by_meaning_within_two_seconds(writer: httpx.Client) -> None:
    checks.company_is_found_by_meaning_within_two_seconds(writer)


def test_errors_are_problem_json(writer: httpx.Client) -> None:
    checks.errors_are_problem_json(writer)


def test_openapi_and_docs_are_served(embedded: Cloud) -> None:
    document = embedded.anonymous.get("/v1/openapi.json").json()
    assert "/v1/companies/{company_id}" in document["paths"]
    page = embedded.anonymous.get("/v1/docs")
    assert page.status_code == 200
    assert "openapi.json" in page.text
    events = embedded.anonymous.get("/v1/asyncapi.json").json()
    assert events["asyncapi"] == "3.0.0" and "company.created" in events["channels"]["company.events"]["messages"]
    assert "asyncapi.json" in page.text


def test_state_machine_runs_the_selfcheck_function(embedded: Cloud) -> None:
    sfn = embedded.boto().client("stepfunctions")
    arn = embedded.state.state_machines["SelfCheckStateMachine"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.monotonic() + 30
    while (desc := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert desc["status"] == "SUCCEEDED", desc
    report = json.loads(desc["output"])
    assert report["status"] == "ok"
    assert {d["name"] for d in report["dependencies"]} >= {"postgres", "redis", "clickhouse"}


def test_poison_event_goes_to_the_dead_letter_queue_with_the_reason(embedded: Cloud) -> None:
    checks.insert_poison_event(embedded.database_url)
    queue = embedded.state.queues["ProjectCompanyDeadLetters"]
    messages = checks.dead_letter_messages(embedded.boto(), queue)
    assert messages, "the poison event never reached the on-failure destination"
    dead = messages[0]
    assert checks.POISON_EVENT_TYPE in dead["responseContext"]["reason"]
    assert dead["requestContext"]["approximateInvokeCount"] == 3
    # The relay moved on: the next company is projected. The failed function's worker restarts cold (layer
    # unpacked, package imported) on a cloud that has run every other module by now, hence the wider bound;
    # the 2-s figure of the warm path is the test above.
    # Its own account and a slower poll: 15 s at 50 ms would be 300 searches, over a user's 100 a minute.
    with embedded.fresh_writer() as own:
        checks.company_is_searchable_within_two_seconds(own, backend="postgres", limit=15.0, interval=0.25)


def test_status_lists_every_part_healthy(embedded: Cloud) -> None:
    result = embedded.cli("local", "status")
    for part in ("postgres", "redis", "clickhouse", "ministack", "relay", "api"):
        assert f"ok   {part}" in result.stdout
    status = json.loads((embedded.state_dir / "status.json").read_text())
    assert all(p["healthy"] for p in status["parts"])


def test_second_up_is_harmless(embedded: Cloud) -> None:
    before = {name: part.pid for name, part in embedded.state.parts.items()}
    result = embedded.cli("local", "up")
    assert "already running" in result.stdout
    assert {name: part.pid for name, part in embedded.reload().parts.items()} == before


# The last two tests break the cloud on purpose: they stay at the end of this module.
def test_dead_part_is_reported_with_its_log_tail(embedded: Cloud) -> None:
    redis_part = embedded.state.parts["redis"]
    os.kill(redis_part.pid, signal.SIGKILL)
    result = embedded.cli("local", "status", check=False)
    assert result.returncode == 2
    assert "DOWN redis" in result.stdout
    status = {p["name"]: p for p in json.loads((embedded.state_dir / "status.json").read_text())["parts"]}
    assert status["redis"]["healthy"] is False
    assert status["redis"]["log_tail"]  # the last lines of its log, to see why it died
    assert status["postgres"]["healthy"] is True


def test_down_stops_everything_it_started(embedded: Cloud) -> None:
    pids = [p.pid for p in embedded.reload().parts.values()]
    children = _descendants(pids)
    embedded.cli("local", "down")
    assert not any(process.alive(pid) for pid in pids + children)
    assert not (embedded.state_dir / "cloud.json").exists()
    result = embedded.cli("local", "status", check=False)
    assert result.returncode == 1
    assert "not running" in result.stdout


def _descendants(pids: list[int]) -> list[int]:
    """Every process below the parts (MiniStack's function workers, Postgres backends)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = list(pids)
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found
