"""The scout agent (seed "PartnershipScoutAgent"): reads the news feeds (VC.ru, Habr), links each entry to
the catalog companies it names, and keeps what it means for partnerships as an insight.

* Entries are fetched with httpx and parsed with feedparser (RSS 2.0 and Atom alike).
* A company is named when its name appears as a whole word in the title or summary (case-insensitive);
  names shorter than 3 characters are ignored (too many false hits).
* An entry is identified by its guid, else its link without tracking parameters (Habr adds utm_* to
  every link): the same entry is stored once however often the feed repeats it (`news_insights.link`).
* An insight naming at least `scout_discovery_min_companies` catalog companies is strong: the scout
  starts a discovery for the first company named (system actor), unless one is already open for it.

A feed that cannot be fetched is reported and skipped: one bad feed never loses the other's entries.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from shared.commands import Context
from shared.discovery import store
from shared.discovery.workflow import Workflow
from shared.llm import tasks
from shared.settings import Settings

LOG = logging.getLogger(__name__)
AGENT = "agent:scout"
MIN_NAME = 3


@dataclass
class ScoutReport:
    fetched: dict[str, int] = field(default_factory=dict)  # feed -> entries read
    failed: dict[str, str] = field(default_factory=dict)  # feed -> why
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    discoveries: list[str] = field(default_factory=list)
    enrichments: int = 0  # companies queued for the enrichment agent


def entry_key(entry: Mapping[str, Any]) -> str:
    """The dedup key: the guid when it is a URL or a stable id, else the link without utm_* parameters."""
    guid = str(entry.get("id") or "").strip()
    link = str(entry.get("link") or "").strip()
    key = guid or link
    parts = urlsplit(key)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def fetch(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    """The feed's entries as plain dicts: title, link, key, summary (text), published (ISO or None)."""
    import feedparser

    response = client.get(url, headers={"Accept": "application/rss+xml, application/xml;q=0.9, */*;q=0.1"})
    response.raise_for_status()
    parsed = feedparser.parse(response.content)
    if not parsed.version:  # HTML error pages parse "successfully" into nothing
        raise ValueError(f"not an RSS or Atom feed ({response.headers.get('content-type')})")
    entries = []
    for e in parsed.entries:
        published = e.get("published_parsed") or e.get("updated_parsed")
        entries.append(
            {
                "title": _text(e.get("title", "")),
                "link": str(e.get("link") or ""),
                "key": entry_key(e),
                "summary": _text(e.get("summary", "")),
                "published": datetime.fromtimestamp(calendar.timegm(published), UTC).isoformat() if published else None,
            }
        )
    return entries


def match(entry: Mapping[str, Any], companies: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The companies the entry names, in the order it first names them (the title's first)."""
    text = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    found = [(m.start(), c) for c in companies if (m := _pattern(str(c["name"])).search(text))]
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


def run(settings: Settings, client: httpx.Client, workflow: Workflow | None = None) -> ScoutReport:
    report = ScoutReport()
    conn = store.connect(settings.database_url)
    companies = [
        dict(r)
        for r in conn.execute(
            "SELECT id::text AS id, name, description, industry, sub_industries FROM companies "
            "WHERE deleted_at IS NULL AND length(name) >= %s",
            (MIN_NAME,),
        ).fetchall()
    ]
    conn.commit()
    for source, url in settings.scout_feeds.items():
        try:
            entries = fetch(client, url)
        except (httpx.HTTPError, ValueError) as exc:
            LOG.warning("feed failed", extra={"feed": source, "reason": str(exc)})
            report.failed[source] = str(exc)[:500]
            continue
        report.fetched[source] = len(entries)
        for entry in entries:
            _consider(settings, conn, entry, source=source, companies=companies, workflow=workflow, report=report)
    return report


def _consider(
    settings: Settings,
    conn: Any,
    entry: dict[str, Any],
    *,
    source: str,
    companies: Sequence[Mapping[str, Any]],
    workflow: Workflow | None,
    report: ScoutReport,
) -> None:
    if conn.execute("SELECT 1 FROM news_insights WHERE link = %s", (entry["key"],)).fetchone():
        conn.commit()
        report.duplicates += 1
        return
    named = match(entry, companies)
    if not named:
        conn.commit()
        report.unmatched += 1
        return
    insight = tasks.news_insight(settings, entry, named)
    row = conn.execute(
        "INSERT INTO news_insights (link, source, title, published_at, company_ids, summary, partnership_angle, "
        "made_by) VALUES (%s, %s, %s, %s, %s::uuid[], %s, %s, %s) ON CONFLICT (link) DO NOTHING RETURNING id::text",
        (
            entry["key"], source, entry["title"], entry["published"], insight.company_ids, insight.summary,
            insight.partnership_angle, json.dumps(insight.made_by.model_dump(), ensure_ascii=False),
        ),
    ).fetchone()  # fmt: skip
    conn.commit()
    if row is None:  # another scout run stored it meanwhile
        report.duplicates += 1
        return
    report.stored += 1
    if settings.enrichment_queue_url:
        from shared.queues import send_json

        for company in named:
            send_json(settings.enrichment_queue_url, {"company_id": str(company["id"]), "insight_id": row["id"]})
        report.enrichments += len(named)
    if workflow is not None and len(named) >= settings.scout_discovery_min_companies:
        started = _start_discovery(
            settings, conn, str(named[0]["id"]), insight_id=row["id"], entry=entry, workflow=workflow
        )
        if started:
            report.discoveries.append(started)


def _start_discovery(
    settings: Settings, conn: Any, company_id: str, *, insight_id: str, entry: Mapping[str, Any], workflow: Workflow
) -> str | None:
    from shared.discovery import service

    open_run = conn.execute(
        "SELECT 1 FROM discoveries WHERE company_id = %s AND status NOT IN "
        "('contacted', 'rejected', 'expired', 'no_match', 'failed')",
        (company_id,),
    ).fetchone()
    conn.commit()
    if open_run:
        return None
    started = service.start_for(
        settings,
        Context(actor_label=AGENT, correlation_id=insight_id),
        company_id,
        workflow,
        threshold=settings.scout_discovery_threshold,
        filters={"limit": 5},
        trigger={"kind": "insight", "insight_id": insight_id, "link": entry["key"]},
    )
    conn.execute("UPDATE news_insights SET discovery_id = %s WHERE id = %s", (started.id, insight_id))
    conn.commit()
    return started.id


_TAGS = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    """Feed summaries are HTML: the text, whitespace collapsed."""
    import html as html_lib

    return " ".join(html_lib.unescape(_TAGS.sub(" ", str(html))).split())


_patterns: dict[str, re.Pattern[str]] = {}


def _pattern(name: str) -> re.Pattern[str]:
    if name not in _patterns:
        _patterns[name] = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    return _patterns[name]
