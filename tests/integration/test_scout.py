"""The scout against the RSS stand-in over a socket and a real Postgres: entries naming catalog companies
become insights linked to them, a repeated entry (Habr's utm-tagged links included) is stored once, a
strong insight starts one discovery, and a broken feed does not lose the other's entries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from localcloud.servers.rss import RssStandIn, default_feeds
from shared.commands import Context
from shared.companies import service as companies
from shared.companies.model import CompanyCreate
from shared.discovery import scout
from shared.settings import Settings


@dataclass
class RecordingWorkflow:
    """Stands for Step Functions (the e2e tier runs the real chain): records the executions started."""

    started: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        self.started.append((state_machine_arn, name, payload))
        return f"arn:aws:states:us-east-1:000000000000:execution:discovery:{name}"

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        raise AssertionError("the scout never answers a review")


NAMED = ("Сделка 24", "ПлатиМаркет", "CropCloud", "Codeio", "SalesTech")


@pytest.fixture(scope="module")
def feeds() -> Iterator[RssStandIn]:
    with RssStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def catalog(postgres_url: str) -> dict[str, str]:
    """The companies the stand-in's entries name (created once; other tests' companies are in the table too)."""
    settings = Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:9")
    ids = {}
    for name in NAMED:
        command = CompanyCreate(name=name, industry="devtools", description=f"{name}: тестовая компания")
        ids[name] = str(companies.create_company(settings, command, Context()).id)
    return ids


def _settings(postgres_url: str, feeds: RssStandIn, **extra: Any) -> Settings:
    return Settings(
        database_url=postgres_url,
        redis_url="redis://127.0.0.1:9",
        scout_feeds=feeds.feed_urls(),
        discovery_state_machine_arn="arn:aws:states:us-east-1:000000000000:stateMachine:discovery",
        **extra,
    )


def test_entries_become_insights_once_and_a_strong_one_starts_a_discovery(
    postgres_url: str, feeds: RssStandIn, catalog: dict[str, str], pg: Any
) -> None:
    settings = _settings(postgres_url, feeds)
    workflow = RecordingWorkflow()
    with httpx.Client(timeout=5) as client:
        first = scout.run(settings, client, workflow)
        assert first.fetched == {"vcru": 3, "habr": 2} and not first.failed
        assert (first.stored, first.unmatched, first.duplicates) == (3, 2, 0)

        rows = pg.execute(
            "SELECT link, source, company_ids::text[] AS ids, made_by, discovery_id::text AS discovery_id "
            "FROM news_insights ORDER BY link"
        ).fetchall()
        by_link = {r["link"]: r for r in rows}
        habr = by_link["https://habr.com/ru/articles/861234/"]  # the guid, without Habr's utm_* link
        assert set(habr["ids"]) == {catalog["Codeio"], catalog["SalesTech"]} and habr["source"] == "habr"
        deal = by_link["https://vc.ru/services/1734501-sdelka-24-i-platimarket-zapustili-oplatu-schetov"]
        assert set(deal["ids"]) == {catalog["Сделка 24"], catalog["ПлатиМаркет"]}
        assert deal["made_by"]["offline"] is True
        crop = by_link["https://vc.ru/money/1734420-cropcloud-privlek-120-mln-rubley"]
        assert crop["ids"] == [catalog["CropCloud"]] and crop["discovery_id"] is None  # one company: not strong

        # Two companies named: two discoveries, each for the first company named, as a system actor.
        assert len(first.discoveries) == 2 and deal["discovery_id"] in first.discoveries
        started_for = {payload["company_id"] for _, _, payload in workflow.started}
        assert started_for == {catalog["Codeio"], catalog["Сделка 24"]}
        trigger = pg.execute("SELECT trigger, requested_by FROM discoveries WHERE id = %s", (deal["discovery_id"],))
        row = trigger.fetchone()
        assert row["requested_by"] == "agent:scout" and row["trigger"]["kind"] == "insight"
        pg.commit()

        again = scout.run(settings, client, workflow)
        assert (again.stored, again.duplicates) == (0, 3) and again.discoveries == []
        assert len(workflow.started) == 2


def test_a_new_entry_is_stored_and_a_broken_feed_is_reported(
    postgres_url: str, feeds: RssStandIn, catalog: dict[str, str], pg: Any
) -> None:
    link = f"https://vc.ru/tech/{uuid.uuid4().int % 10**7}-codeio-novyy-reliz"
    original = feeds.feeds["/rss/all"]
    item = (
        f"<item><title>Codeio выпустил новый релиз</title><link>{link}</link>"
        "<description>Подробности</description><pubDate>Wed, 25 Nov 2026 10:00:00 +0300</pubDate></item>"
    )
    feeds.set_feed("/rss/all", original.replace("<item>", item + "<item>", 1))
    feeds.set_feed("/ru/rss/articles/", "<html>502 Bad Gateway</html>")
    try:
        with httpx.Client(timeout=5) as client:
            report = scout.run(_settings(postgres_url, feeds), client, None)
    finally:
        feeds.feeds.update(default_feeds())
    assert report.fetched == {"vcru": 4} and set(report.failed) == {"habr"}
    assert report.stored == 1
    row = pg.execute("SELECT company_ids::text[] AS ids FROM news_insights WHERE link = %s", (link,)).fetchone()
    assert row["ids"] == [catalog["Codeio"]]


def test_entry_keys_drop_tracking_parameters() -> None:
    assert (
        scout.entry_key({"link": "https://habr.com/ru/articles/1/?utm_source=habrahabr&utm_medium=rss&x=1"})
        == "https://habr.com/ru/articles/1/?x=1"
    )
    assert (
        scout.entry_key({"id": "https://vc.ru/a/2", "link": "https://vc.ru/a/2?utm_campaign=x"}) == "https://vc.ru/a/2"
    )
