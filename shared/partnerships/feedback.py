"""What BD managers do with the suggestions, fed back into them: dismissals, and a learned outcome prior.

Dismissals. A company's owner, its members and platform admins may dismiss a suggested partner
(`dismiss`); `service.partner_suggestions` (GET /v1/companies/{id}/partners, and so the discovery chain)
never proposes it to that company again until the dismissal is undone (`undismiss`). Both are idempotent:
dismissing twice keeps the first dismissal (its time, user and reason), undoing what is not dismissed
changes nothing. A dismissal is directional (the partner's own suggestions still show the company) and is
recorded in the audit log in its transaction; it is not a domain event (nothing downstream projects it).
Suggestions are computed per request and cached nowhere (shared/cache.py caches company documents and list
pages only), so there is no cached page to invalidate: the next GET already leaves the partner out.

The outcome prior. `analyze_pair` scores what two companies are; it cannot know which kinds of pairs BD
managers actually close. Outcomes say so: a partnership that reached `active` (partnership_started_at is
set, even if paused or ended since) is a positive, a partnership `rejected` before that and a dismissed
suggestion are negatives. They are counted per unordered pair of industries and, where both companies have
sub-industries, per unordered pair of sub-industries (every pair of the cross product), in one SQL query
(`outcome_counts`), and turned into a bounded score adjustment by a small pure function
(`outcome_adjustment`) with hierarchical Beta smoothing:

    base     = (P + 1) / (P + N + 2)                         the platform's acceptance rate (Laplace)
    industry = (pos_i + k * base) / (n_i + k)                the industry pair's rate, shrunk to base
    rate     = (pos_s + k * industry) / (n_s + k)            the sub-industry pairs', shrunk to industry
    adjust   = MAX_ADJUSTMENT * (rate - base) / (1 - base)   when rate >= base
             = MAX_ADJUSTMENT * (rate - base) / base         when rate < base

Why this shape: the rate is relative to the platform's own base rate, so a pair kind is lifted only when it
does better than the average outcome (dismissals are cheap and will outnumber closed deals; against a fixed
0.5 every pair with evidence would sink alike). The Beta prior of strength k (PRIOR_STRENGTH pseudo-outcomes)
keeps one or two outcomes from swinging the ranking: with no evidence the adjustment is exactly 0, and it
approaches ±MAX_ADJUSTMENT only as evidence piles up. Sub-industry evidence is more specific (a CRM with a
telephony product, not any CRM with any telecom company), so it refines the industry estimate instead of
replacing it. The bound keeps the learned part a tie-breaker among comparable candidates (scores are 0..1,
criteria move them by tenths): it reorders neighbours, it never lifts a poor fit over a good one, and a
competitor (capped at 0.15, dropped) never comes back. Counts are global across companies: that is the
point (one company's outcomes teach the others'), and no company's data is shown to another, only its
effect on a score, labelled in the reasons (OUTCOME_REASON_*). A partner with several sub-industries sums
the evidence of every matching pair, which makes it somewhat more confident than one pair would be.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ConfigDict, Field

from shared import audit
from shared.db import connection
from shared.errors import Forbidden, NotFound, Unprocessable
from shared.partnerships import service
from shared.settings import Settings

if TYPE_CHECKING:
    import psycopg

    from shared.commands import Context

MAX_ADJUSTMENT = 0.08  # the most the prior moves a score, either way
PRIOR_STRENGTH = 4.0  # pseudo-outcomes of the Beta prior at each level
OUTCOME_REASON_UP = "Похожие пары компаний чаще доходят до партнёрства"
OUTCOME_REASON_DOWN = "Похожие пары компаний реже доходят до партнёрства"
DISMISSED = "partnership.suggestion_dismissed"
RESTORED = "partnership.suggestion_restored"

__all__ = [
    "MAX_ADJUSTMENT",
    "Counts",
    "DismissSuggestion",
    "Dismissal",
    "OutcomeCounts",
    "OutcomePrior",
    "dismiss",
    "dismissed_ids",
    "outcome_adjustment",
    "outcome_counts",
    "outcome_prior",
    "undismiss",
]


# --- the API's shapes ----------------------------------------------------------------------------------


class DismissSuggestion(BaseModel):
    """Why the partner is not a fit (optional; kept for the team, never shown to the partner)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    reason: str | None = Field(default=None, min_length=1, max_length=500)


class Dismissal(BaseModel):
    """A partner the company's BD manager dismissed: it is not suggested to the company again."""

    model_config = ConfigDict(defer_build=True)

    company_id: uuid.UUID
    partner_id: uuid.UUID
    dismissed_by: uuid.UUID | None = None
    reason: str | None = None
    dismissed_at: datetime


# --- the prior: pure -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Outcomes of some pairs: positives (reached `active`) and negatives (rejected, dismissed)."""

    pos: int = 0
    neg: int = 0

    @property
    def n(self) -> int:
        return self.pos + self.neg

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.pos + other.pos, self.neg + other.neg)


def outcome_adjustment(
    industry: Counts,
    sub_industries: Counts,
    overall: Counts,
    *,
    strength: float = PRIOR_STRENGTH,
    bound: float = MAX_ADJUSTMENT,
) -> float:
    """The score adjustment for a pair kind, within ±`bound`, rounded to the score's 0.01 (module docstring):
    `industry` the outcomes of its industry pair, `sub_industries` of its sub-industry pairs, `overall` of
    every pair. 0 without evidence for the pair kind."""
    if industry.n == 0 and sub_industries.n == 0:
        return 0.0
    base = (overall.pos + 1) / (overall.n + 2)
    industry_rate = (industry.pos + strength * base) / (industry.n + strength)
    rate = (sub_industries.pos + strength * industry_rate) / (sub_industries.n + strength)
    span = (1 - base) if rate >= base else base
    return round(max(-bound, min(bound, bound * (rate - base) / span)), 2) + 0.0  # + 0.0: never -0.0


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


@dataclass(frozen=True)
class OutcomeCounts:
    """What `outcome_counts` read: every outcome, and the outcomes per unordered industry and sub-industry pair."""

    overall: Counts = field(default_factory=Counts)
    industries: Mapping[tuple[str, str], Counts] = field(default_factory=dict)
    sub_industries: Mapping[tuple[str, str], Counts] = field(default_factory=dict)


@dataclass(frozen=True)
class OutcomePrior:
    """The prior of one set of counts, asked per pair of companies (documents with industry, sub_industries)."""

    counts: OutcomeCounts

    def adjustment(self, company: Mapping[str, Any], other: Mapping[str, Any]) -> float:
        c = self.counts
        industry = c.industries.get(_pair(str(company.get("industry")), str(other.get("industry"))), Counts())
        subs = Counts()
        for x in sorted(set(company.get("sub_industries") or [])):
            for y in sorted(set(other.get("sub_industries") or [])):
                subs += c.sub_industries.get(_pair(str(x), str(y)), Counts())
        return outcome_adjustment(industry, subs, c.overall)

    @staticmethod
    def reason(adjustment: float) -> str | None:
        """The Russian match reason that says the score was moved, and which way; None when it was not."""
        if adjustment > 0:
            return OUTCOME_REASON_UP
        return OUTCOME_REASON_DOWN if adjustment < 0 else None


# --- SQL -----------------------------------------------------------------------------------------------

_COUNTS = """
WITH outcomes AS (
    SELECT company_a_id AS x, company_b_id AS y, partnership_started_at IS NOT NULL AS good
    FROM partnerships WHERE partnership_started_at IS NOT NULL OR status = 'rejected'
    UNION ALL
    SELECT company_id, partner_id, FALSE FROM suggestion_dismissals
), pairs AS (
    SELECT o.good, a.industry::text AS ia, b.industry::text AS ib, a.sub_industries AS sa, b.sub_industries AS sb
    FROM outcomes o JOIN companies a ON a.id = o.x JOIN companies b ON b.id = o.y
)
SELECT 'all' AS level, '' AS x, '' AS y,
       count(*) FILTER (WHERE good) AS pos, count(*) FILTER (WHERE NOT good) AS neg
FROM pairs
UNION ALL
SELECT 'industry', LEAST(ia, ib), GREATEST(ia, ib), count(*) FILTER (WHERE good), count(*) FILTER (WHERE NOT good)
FROM pairs WHERE %(industry)s::text IS NULL OR %(industry)s::text IN (ia, ib)
GROUP BY 2, 3
UNION ALL
SELECT 'sub', LEAST(s1, s2), GREATEST(s1, s2), count(*) FILTER (WHERE good), count(*) FILTER (WHERE NOT good)
FROM pairs CROSS JOIN LATERAL unnest(sa::text[]) AS s1 CROSS JOIN LATERAL unnest(sb::text[]) AS s2
WHERE %(subs)s::text[] IS NULL OR s1 = ANY(%(subs)s::text[]) OR s2 = ANY(%(subs)s::text[])
GROUP BY 2, 3
"""


def outcome_counts(conn: psycopg.Connection, company: Mapping[str, Any] | None = None) -> OutcomeCounts:
    """Every outcome counted (see the module's docstring), in one query; with `company`, only the pairs
    that name its industry or one of its sub-industries (the only ones its suggestions look up)."""
    params = {
        "industry": None if company is None else str(company["industry"]),
        "subs": None if company is None else [str(s) for s in company.get("sub_industries") or []],
    }
    overall = Counts()
    industries: dict[tuple[str, str], Counts] = {}
    subs: dict[tuple[str, str], Counts] = {}
    for row in cast(Any, conn).execute(_COUNTS, params).fetchall():
        counts = Counts(int(row["pos"]), int(row["neg"]))
        if row["level"] == "all":
            overall = counts
        else:
            (industries if row["level"] == "industry" else subs)[(row["x"], row["y"])] = counts
    return OutcomeCounts(overall, industries, subs)


def outcome_prior(conn: psycopg.Connection, company: Mapping[str, Any] | None = None) -> OutcomePrior:
    return OutcomePrior(outcome_counts(conn, company))


def dismissed_ids(conn: psycopg.Connection, company_id: str) -> set[str]:
    """The partners the company dismissed."""
    rows = (
        cast(Any, conn)
        .execute("SELECT partner_id::text AS id FROM suggestion_dismissals WHERE company_id = %s", (company_id,))
        .fetchall()
    )
    return {r["id"] for r in rows}


_DISMISSAL = "company_id, partner_id, dismissed_by, reason, dismissed_at"


def _insert(
    conn: psycopg.Connection, company_id: str, partner_id: str, user_id: str | None, reason: str | None
) -> dict[str, Any] | None:
    row = (
        cast(Any, conn)
        .execute(
            "INSERT INTO suggestion_dismissals (company_id, partner_id, dismissed_by, reason) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (company_id, partner_id) DO NOTHING RETURNING {_DISMISSAL}",
            (company_id, partner_id, user_id, reason),
        )
        .fetchone()
    )
    return dict(row) if row else None


def _load(conn: psycopg.Connection, company_id: str, partner_id: str) -> dict[str, Any] | None:
    row = (
        cast(Any, conn)
        .execute(
            f"SELECT {_DISMISSAL} FROM suggestion_dismissals WHERE company_id = %s AND partner_id = %s",
            (company_id, partner_id),
        )
        .fetchone()
    )
    return dict(row) if row else None


def _delete(conn: psycopg.Connection, company_id: str, partner_id: str) -> dict[str, Any] | None:
    row = (
        cast(Any, conn)
        .execute(
            f"DELETE FROM suggestion_dismissals WHERE company_id = %s AND partner_id = %s RETURNING {_DISMISSAL}",
            (company_id, partner_id),
        )
        .fetchone()
    )
    return dict(row) if row else None


# --- commands ------------------------------------------------------------------------------------------


def dismiss(
    settings: Settings, company_key: str, partner_key: str, ctx: Context, *, reason: str | None = None
) -> Dismissal:
    """The company (id or slug) dismisses the suggested partner (id or slug): it is not suggested again.

    Idempotent: a partner already dismissed keeps its dismissal, which is returned. 404 for an unknown or
    deleted company or partner, 403 unless the caller owns the company, belongs to it or is a platform admin
    (the system, ctx without a principal, may act for any company), 422 for the company itself."""
    conn = connection(settings.database_url)
    service._idle(conn)
    with conn.transaction():
        company_id, partner_id = _parties(conn, company_key, partner_key, ctx, live_partner=True)
        user_id = ctx.principal.user_id if ctx.principal and _is_uuid(ctx.principal.user_id) else None
        row = _insert(conn, company_id, partner_id, user_id, reason)
        if row is None:
            row = _load(conn, company_id, partner_id)
            assert row is not None  # the conflicting row, committed before our insert
        else:
            _audit(conn, ctx, DISMISSED, company_id, {"partner_id": partner_id, "reason": reason})
    return Dismissal.model_validate(row)


def undismiss(settings: Settings, company_key: str, partner_key: str, ctx: Context) -> None:
    """Undo `dismiss`: the partner may be suggested again. Idempotent (nothing dismissed: nothing to do);
    the same 404/403/422 as `dismiss`, except that a deleted partner's dismissal can be undone."""
    conn = connection(settings.database_url)
    service._idle(conn)
    with conn.transaction():
        company_id, partner_id = _parties(conn, company_key, partner_key, ctx, live_partner=False)
        if _delete(conn, company_id, partner_id) is not None:
            _audit(conn, ctx, RESTORED, company_id, {"partner_id": partner_id})


def _parties(
    conn: psycopg.Connection, company_key: str, partner_key: str, ctx: Context, *, live_partner: bool
) -> tuple[str, str]:
    """(company id, partner id), checked: the company exists and the caller may act for it, the partner
    exists and is another company."""
    from shared.companies.store import resolve
    from shared.partnerships import candidates as cand

    company = service._company(conn, company_key)
    if ctx.principal is not None and not service._may_act(conn, ctx.principal, [company["id"]]):
        raise Forbidden(
            "you can only dismiss suggestions for your own company",
            field="company_id",
            ru="Скрывать предложения можно только для своей компании",
        )
    resolved = resolve(conn, str(partner_key))
    if resolved is None or (live_partner and cand.load_company(conn, resolved[0]) is None):
        raise NotFound(f"company {partner_key} not found", field="partner_id", ru=f"Компания {partner_key} не найдена")
    if resolved[0] == company["id"]:
        raise Unprocessable(
            "a company cannot dismiss itself as a partner",
            field="partner_id",
            ru="Компания не может быть партнёром самой себе",
        )
    return str(company["id"]), str(resolved[0])


def _audit(conn: psycopg.Connection, ctx: Context, action: str, company_id: str, change: dict[str, Any]) -> None:
    audit.record(
        conn,
        actor_id=ctx.principal.user_id if ctx.principal and _is_uuid(ctx.principal.user_id) else None,
        action=action,
        resource_type="company",
        resource_id=company_id,
        origin=ctx.origin,
        change=change,
    )


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return value is not None
