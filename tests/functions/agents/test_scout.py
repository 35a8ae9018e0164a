"""ScoutFunction (hourly Scheduled Event): the feeds, served by the RSS stand-in over a socket, become news
insights linked to the catalog companies they name (offline provider), each entry stored once however often
the feeds repeat it (Habr's utm-tagged links included); an insight naming two companies starts one discovery
(a recording Workflow stands for Step Functions)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import invoke, step_function
from functions.calls import company
from functions.partnership_calls import DISCOVERY_ARN, RecordingWorkflow

from localcloud.servers.rss import RssStandIn
from support import event

VCRU = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>vc.ru</title><link>https://vc.ru</link><description>vc.ru</description>
<item><title>«{a}» и «{b}» запустили совместный сервис</title><link>https://vc.ru/services/{n}-a-i-b</link>
<guid isPermaLink="true">https://vc.ru/services/{n}-a-i-b</guid>
<description><![CDATA[<p>Клиенты {a} смогут платить через {b}.</p>]]></description>
<pubDate>Tue, 24 Nov 2026 12:30:00 +0300</pubDate></item>
<item><title>Как мы сократили время доставки на 30%</title><link>https://vc.ru/u/{n}-dostavka</link>
<description>Опыт интернет-магазина</description></item>
</channel></rss>"""
HABR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Хабр</title><link>https://habr.com/ru/</link><description>Хабр</description>
<item><title>{a}: как мы переписали биллинг</title>
<link>https://habr.com/ru/articles/{n}/?utm_source=habrahabr&amp;utm_medium=rss&amp;utm_campaign={n}</link>
<description>Разбор архитектуры</description><pubDate>Tue, 24 Nov 2026 09:00:00 +0300</pubDate></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def feeds(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    """The stand-in serving entries that name two new catalog companies (names no other test uses)."""
    tag = uuid.uuid4().hex[:6]
    a = company(postgres_url, redis_url, None, name=f"Скаутлайн {tag}", industry="devtools")
    b = company(postgres_url, redis_url, None, name=f"Платоскоп {tag}", industry="fintech")
    n = uuid.uuid4().int % 10**7
    with RssStandIn() as server:
        server.set_feed("/rss/all", VCRU.format(a=a.name, b=b.name, n=n))
        server.set_feed("/ru/rss/articles/", HABR.format(a=a.name, n=n))
        yield {"server": server, "a": str(a.id), "b": str(b.id), "n": n}


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, feeds: dict[str, Any], workflow: Any
) -> ModuleType:
    urls = json.dumps(feeds["server"].feed_urls())
    arn = DISCOVERY_ARN
    module = step_function(
        monkeypatch, postgres_url, redis_url, "agents", "scout", scout_feeds=urls, discovery_state_machine_arn=arn
    )
    monkeypatch.setattr(module, "StepFunctionsWorkflow", lambda: workflow)
    return module


def test_entries_become_insights_once_and_the_strong_one_starts_a_discovery(
    fn: ModuleType, feeds: dict[str, Any], workflow: RecordingWorkflow, pg: Any
) -> None:
    schedule = event("schedule/scout_hourly")
    first = invoke(fn, schedule)
    assert first["fetched"] == {"vcru": 2, "habr": 1} and first["failed"] == {}
    assert (first["stored"], first["unmatched"], first["duplicates"]) == (2, 1, 0)
    rows = pg.execute(
        "SELECT link, source, company_ids::text[] AS ids, made_by, discovery_id::text AS discovery_id "
        "FROM news_insights WHERE company_ids && %s::uuid[]",
        ([feeds["a"], feeds["b"]],),
    ).fetchall()
    pg.commit()
    by_link = {r["link"]: r for r in rows}
    n = feeds["n"]
    assert set(by_link) == {f"https://vc.ru/services/{n}-a-i-b", f"https://habr.com/ru/articles/{n}/"}
    joint, habr = by_link[f"https://vc.ru/services/{n}-a-i-b"], by_link[f"https://habr.com/ru/articles/{n}/"]
    assert set(joint["ids"]) == {feeds["a"], feeds["b"]} and joint["made_by"]["offline"] is True
    assert (habr["ids"], habr["source"], habr["discovery_id"]) == ([feeds["a"]], "habr", None)
    assert first["discoveries"] == [joint["discovery_id"]]
    ((arn, name, payload),) = workflow.started
    assert (arn, name, payload["company_id"]) == (DISCOVERY_ARN, joint["discovery_id"], feeds["a"])

    again = invoke(fn, schedule)
    assert (again["stored"], again["duplicates"], again["discoveries"]) == (0, 2, [])
    assert len(workflow.started) == 1


def test_the_warm_up_ping_returns_at_once(fn: ModuleType, feeds: dict[str, Any]) -> None:
    fetches = len(feeds["server"].requests)
    assert invoke(fn, {}) == {}
    assert len(feeds["server"].requests) == fetches
