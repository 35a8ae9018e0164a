"""Outcome learning in partner suggestions: does the outcome prior (shared/partnerships/feedback.py) put the
partners BD managers actually want higher, for companies it has never seen an outcome of?

Run: .venv/bin/python tests/benchmarks/bench_feedback.py [--companies 20000] [--train 400] [--test 150]
(20,000 companies: about a minute on 2 cores, most of it generating and loading the catalog)

Postgres 18 (and Redis, unused) start for the run on free loopback ports as in bench_companies.py
(migrated, stopped by PID at the end); `generate(N)` makes N catalog companies, COPYed into `companies`.

The simulation. A hidden "true" preference that the scoring cannot know: every unordered pair of kinds
is either wanted or not (half of them, at random). Two truths, each run on its own from an empty outcome
history:
  industry      the kind is the industry: e.g. every CRM with every communications company is wanted;
  sub-industry  the kind is the sub-industry: within one industry pair some products are wanted, some not
                (e.g. sales CRM with cloud telephony yes, helpdesk with cloud telephony no).
`--train` companies play BD managers: each is shown its top 10 (`service.partner_suggestions`, which
already applies what earlier managers taught it) and acts on each suggestion at random according to
the truth: a wanted partner becomes an `active` partnership with probability 0.5 and is dismissed with
0.15; an unwanted one is dismissed with 0.6 and rejected after a talk with 0.1; otherwise nothing happens
(ignored: no outcome). Outcomes are written as the API would leave them (partnerships rows, suggestion
dismissals). Then, for `--test` other companies (none of them has an outcome of its own), the top 10
without the prior (`service.rank(company, pool, 10)`) and with it (`rank(..., prior=outcome_prior)`, the
path GET /v1/companies/{id}/partners takes) are judged against the hidden truth:
  MRR           1 / the rank of the first wanted partner in the top 10 (0 when there is none);
  precision@10  the share of wanted partners in the top 10;
  mean score    the mean compatibility score (analyze_pair's, without the prior) of the top 10: what the
                reordering costs in "fit" as the rules see it.
Each as mean and median over the held-out companies, before | after, and the prior query's latency.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.bench_companies import load_catalog, servers  # noqa: E402

from localcloud.catalog.generate import generate  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.partnerships import candidates as cand  # noqa: E402
from shared.partnerships import feedback, service  # noqa: E402
from shared.partnerships.compatibility import analyze_pair  # noqa: E402
from shared.partnerships.model import Suggestion  # noqa: E402
from shared.settings import Settings  # noqa: E402

SEED = 2026
TOP = 10
P_WANTED = {"active": 0.5, "dismissed": 0.15}
P_UNWANTED = {"dismissed": 0.6, "rejected": 0.1}


def pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


class Truth:
    """Which pairs of kinds (industries, or sub-industries) are wanted: a coin per pair, drawn once."""

    def __init__(self, level: str, seed: int) -> None:
        self.level = level
        self.seed = seed
        self._coins: dict[tuple[str, str], bool] = {}

    def _kinds(self, c: dict[str, Any]) -> list[str]:
        return [str(c["industry"])] if self.level == "industry" else [str(s) for s in c.get("sub_industries") or []]

    def _coin(self, key: tuple[str, str]) -> bool:
        if key not in self._coins:
            self._coins[key] = random.Random(f"{self.seed}:{key[0]}:{key[1]}").random() < 0.5
        return self._coins[key]

    def wanted(self, a: dict[str, Any], b: dict[str, Any]) -> bool:
        return any(self._coin(pair(x, y)) for x in self._kinds(a) for y in self._kinds(b))


def mrr(items: Sequence[Suggestion], good: Callable[[str], bool]) -> float:
    return next((1 / (i + 1) for i, s in enumerate(items) if good(str(s.company.id))), 0.0)


def precision(items: Sequence[Suggestion], good: Callable[[str], bool]) -> float:
    return sum(1 for s in items if good(str(s.company.id))) / TOP


def record(db: Any, company: dict[str, Any], other: dict[str, Any], outcome: str) -> None:
    """The outcome as the API leaves it: an active or rejected partnership, or a dismissal."""
    if outcome == "dismissed":
        db.execute(
            "INSERT INTO suggestion_dismissals (company_id, partner_id, reason) VALUES (%s, %s, 'bench') "
            "ON CONFLICT DO NOTHING",
            (company["id"], other["id"]),
        )
        return
    db.execute(
        "INSERT INTO partnerships (id, company_a_id, company_b_id, compatibility_score, analysis_method, status, "
        "contacted_at, partnership_started_at) VALUES (%s, %s, %s, %s, 'rules', %s, NOW(), %s) ON CONFLICT DO NOTHING",
        (
            uuid.uuid4(),
            company["id"],
            other["id"],
            analyze_pair(company, other).score,
            outcome,
            datetime.now(UTC) if outcome == "active" else None,
        ),
    )


def simulate(
    conn: Any, settings: Settings, truth: Truth, train: list[str], test: list[str], rng: random.Random
) -> dict[str, Any]:
    db = cast(Any, conn)
    db.execute("DELETE FROM suggestion_dismissals")
    db.execute("DELETE FROM partnerships")
    conn.commit()
    outcomes = {"active": 0, "rejected": 0, "dismissed": 0, "none": 0}
    for key in train:
        me = cand.load_company(conn, key)
        assert me is not None
        conn.rollback()
        shown = service.partner_suggestions(settings, key, limit=TOP).items
        for s in shown:
            other = s.company.model_dump(mode="json")
            full = cand.load_company(conn, other["id"])
            assert full is not None
            odds = P_WANTED if truth.wanted(me, full) else P_UNWANTED
            roll, outcome = rng.random(), "none"
            for name, p in odds.items():
                if roll < p:
                    outcome = name
                    break
                roll -= p
            outcomes[outcome] += 1
            if outcome != "none":
                record(db, me, full, outcome)
        conn.commit()
    db.execute("ANALYZE partnerships")
    db.execute("ANALYZE suggestion_dismissals")
    conn.commit()

    metrics: dict[str, list[float]] = {k: [] for k in ("mrr0", "mrr1", "p0", "p1", "s0", "s1", "adj", "ms")}
    moved = 0
    for key in test:
        found = cand.load_company(conn, key)
        assert found is not None
        judged: dict[str, Any] = found
        pool = cand.candidates(conn, judged)
        started = time.perf_counter()
        prior = feedback.outcome_prior(conn, judged)
        metrics["ms"].append((time.perf_counter() - started) * 1000)
        conn.rollback()
        by_id = {o["id"]: o for o in pool}

        def good(company_id: str, me: dict[str, Any] = judged, by_id: dict[str, Any] = by_id) -> bool:
            return truth.wanted(me, by_id[company_id])

        before = service.rank(judged, pool, TOP)
        after = service.rank(judged, pool, TOP, prior=prior)
        moved += [s.company.id for s in before] != [s.company.id for s in after]
        for tag, items in (("0", before), ("1", after)):
            metrics[f"mrr{tag}"].append(mrr(items, good))
            metrics[f"p{tag}"].append(precision(items, good))
            rules = [analyze_pair(judged, by_id[str(s.company.id)]).score for s in items]
            metrics[f"s{tag}"].append(statistics.mean(rules) if rules else 0.0)
        metrics["adj"].extend(abs(prior.adjustment(judged, o)) for o in pool)
    return {"outcomes": outcomes, "metrics": metrics, "moved": moved}


def line(name: str, before: Sequence[float], after: Sequence[float]) -> str:
    b_mean, a_mean = statistics.mean(before), statistics.mean(after)
    b_med, a_med = statistics.median(before), statistics.median(after)
    return (
        f"  {name:<14} mean {b_mean:6.3f} | {a_mean:6.3f} ({a_mean - b_mean:+.3f})"
        f"   median {b_med:6.3f} | {a_med:6.3f} ({a_med - b_med:+.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--companies", type=int, default=20_000, help="catalog size (default 20000)")
    parser.add_argument("--train", type=int, default=400, help="companies whose BD managers record outcomes")
    parser.add_argument("--test", type=int, default=150, help="held-out companies the rankings are judged on")
    args = parser.parse_args()
    rng = random.Random(SEED)

    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp, servers(Path(tmp)) as srv:
        settings = Settings(database_url=srv.database_url, redis_url=srv.redis_url)
        started = time.monotonic()
        conn = connect(srv.database_url)
        catalog = load_catalog(conn, generate(args.companies, SEED), SEED)
        print(
            f"catalog: {len(catalog.ids):,} companies generated and loaded in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        chosen = rng.sample(catalog.ids, min(len(catalog.ids), args.train + args.test))
        train, test = chosen[: args.train], chosen[args.train :]
        print(
            f"{len(train)} companies record outcomes of their top {TOP}; {len(test)} held-out companies are judged; "
            f"MRR and precision@{TOP} of the wanted partners, before | after the outcome prior"
        )
        for level in ("industry", "sub-industry"):
            t = time.monotonic()
            result = simulate(conn, settings, Truth(level.split("-")[0], SEED), train, test, random.Random(SEED))
            m, o = result["metrics"], result["outcomes"]
            print(f"\ntruth by {level} pair ({time.monotonic() - t:.0f} s)")
            print(
                f"  outcomes recorded: {o['active']} active, {o['rejected']} rejected, {o['dismissed']} dismissed "
                f"({o['none']} suggestions ignored)"
            )
            print(line(f"MRR@{TOP}", m["mrr0"], m["mrr1"]))
            print(line(f"precision@{TOP}", m["p0"], m["p1"]))
            print(line("mean score", m["s0"], m["s1"]))
            adjusted = [a for a in m["adj"] if a > 0]
            print(
                f"  top {TOP} reordered for {result['moved']}/{len(test)} companies; "
                f"{len(adjusted) / max(1, len(m['adj'])):.0%} of pool candidates adjusted, "
                f"mean |adjustment| {statistics.mean(adjusted) if adjusted else 0:.3f} "
                f"(bound {feedback.MAX_ADJUSTMENT})"
            )
            ms = sorted(m["ms"])
            print(f"  prior query: p50 {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms")
        conn.close()


if __name__ == "__main__":
    main()
