"""The follow-up agent (daily): a partnership left in `contacted` or `in_discussion` for
`follow_up_after_days` gets a nudge draft (`shared.llm.tasks.follow_up_nudge`) for the initiating
company's BD managers, and they are notified (notification.events). One draft per partnership and
silence: `follow_up_drafts` is unique on (partnership, the moment it last moved), so daily runs never
nudge twice for the same silence, and a partnership that moves and stalls again gets a new one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared import outbox
from shared.discovery import partners, store
from shared.discovery.events import FollowUpDrafted
from shared.events import EventEnvelope
from shared.llm import tasks
from shared.settings import Settings

AGENT = "agent:follow_up"


@dataclass
class FollowUpReport:
    stalled: int = 0
    drafted: int = 0
    already: int = 0


def run(settings: Settings, *, now: datetime | None = None) -> FollowUpReport:
    report = FollowUpReport()
    now = now or datetime.now(UTC)
    conn = store.connect(settings.database_url)
    for partnership in partners.stalled_partnerships(settings, days=settings.follow_up_after_days):
        report.stalled += 1
        a = store.company_doc(conn, partnership["company_a_id"])
        b = store.company_doc(conn, partnership["company_b_id"])
        conn.commit()
        if a is None or b is None:
            continue
        days = max(1, (now - partnership["stalled_since"]).days)
        nudge = tasks.follow_up_nudge(settings, partnership, a, b, days)
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO follow_up_drafts (partnership_id, stalled_since, company_id, subject, body, made_by) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (partnership_id, stalled_since) DO NOTHING "
                "RETURNING id::text AS id",
                (
                    partnership["id"], partnership["stalled_since"], a["id"], nudge.subject, nudge.body,
                    json.dumps(nudge.made_by.model_dump(), ensure_ascii=False),
                ),
            ).fetchone()  # fmt: skip
            if row is None:
                report.already += 1
                continue
            envelope = EventEnvelope(
                event_id=uuid.uuid4(),
                event_type="partnership.follow_up_drafted",
                aggregate_type="partnership",
                aggregate_id=partnership["id"],
                version=1,
                actor=AGENT,
                payload=FollowUpDrafted(
                    kind="follow_up_drafted",
                    draft_id=row["id"],  # type: ignore[call-overload]
                    partnership_id=partnership["id"],
                    company_id=a["id"],
                    partner_company_id=b["id"],
                    days_stalled=days,
                    user_ids=store.company_users(conn, a["id"]),
                    subject=nudge.subject,
                ),
            )
            outbox.append(conn, envelope)  # notification.events (shared/events.py EVENTS)
        conn.commit()
        report.drafted += 1
    return report


def as_dict(report: FollowUpReport) -> dict[str, Any]:
    return {"stalled": report.stalled, "drafted": report.drafted, "already": report.already}
