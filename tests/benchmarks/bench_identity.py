"""Identity figures, each beside a baseline measured in the same run (medians; this machine is noisy).

1. Token verification as the authorizer does it (kid lookup, RS256, iss/aud/exp/nbf, lifetime cap)
   against a bare PyJWT RS256 decode of the same token: p50/p95 per call, warm.
2. Password verification (login's dominant cost) with the chosen argon2id parameters against
   OWASP's minimum set (m=19 MiB, t=2, p=1).
3. The guard's Redis round trip (revocation + account + generation + rate-limit counter) under
   concurrent callers against a bare PING, on a real Redis server started here.

Run: .venv/bin/python tests/benchmarks/bench_identity.py
"""

from __future__ import annotations

import math
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from argon2 import PasswordHasher

from localcloud import process
from localcloud.paths import CACHE_DIR
from localcloud.servers import redis as redis_server
from shared.identity import passwords
from shared.identity.keys import KeySet
from shared.identity.security_state import SecurityState
from shared.identity.tokens import issue_access_token, verify_access_token


def timings(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def row(name: str, values: list[float], base: float | None = None) -> None:
    p50 = statistics.median(values)
    ratio = f"{p50 / base:6.2f}x" if base else "      -"
    print(f"  {name:<44} p50 {p50:8.3f} ms  p95 {pct(values, 95):8.3f} ms  {ratio}")


def verification() -> None:
    keys = KeySet()
    keys.rotate()
    token, _ = issue_access_token(keys, user_id="u", email="e@x.ru", roles=["paid_user"], company_id=None)
    public = keys.active.private_key().public_key()
    bare: list[float] = []
    ours: list[float] = []
    for _ in range(5):  # interleaved rounds
        bare += timings(lambda: jwt.decode(token, public, algorithms=["RS256"], audience="algoarts-api"), 400)
        ours += timings(lambda: verify_access_token(keys, token), 400)
    print("1. access-token verification, warm (2000 calls each, interleaved)")
    base = statistics.median(bare)
    row("baseline: bare PyJWT RS256 decode", bare)
    row("authorizer's verify_access_token", ours, base)


def hashing() -> None:
    chosen = passwords.hasher()
    minimum = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    h_chosen, h_min = chosen.hash("Str0ng-Passw0rd!"), minimum.hash("Str0ng-Passw0rd!")
    a: list[float] = []
    b: list[float] = []
    for _ in range(5):
        a += timings(lambda: minimum.verify(h_min, "Str0ng-Passw0rd!"), 4)
        b += timings(lambda: chosen.verify(h_chosen, "Str0ng-Passw0rd!"), 4)
    print("2. password verification (the bulk of a login), 20 each, interleaved")
    row("baseline: OWASP minimum m=19MiB t=2 p=1", a)
    row(
        f"chosen: m={passwords.MEMORY_COST_KIB // 1024}MiB t={passwords.TIME_COST} p={passwords.PARALLELISM}",
        b,
        statistics.median(a),
    )


def guard_throughput(client: object, threads: int, seconds: float) -> tuple[float, float]:
    import redis

    assert isinstance(client, redis.Redis)
    state = SecurityState(client)
    counts = {"ping": 0, "guard": 0}

    def work(kind: str, stop: float, i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            if kind == "ping":
                client.ping()
            else:
                state.check_request(f"user-{i}", f"jti-{i}", 0)
            n += 1
        counts[kind] += n

    result = []
    for kind in ("ping", "guard"):
        stop = time.monotonic() + seconds
        pool = [threading.Thread(target=work, args=(kind, stop, i)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        result.append(counts[kind] / seconds)
    return result[0], result[1]


def rate_limiter() -> None:
    import redis

    with tempfile.TemporaryDirectory() as tmp:
        build = redis_server.build(CACHE_DIR)
        port = process.free_port()
        redis_server.prepare(build, Path(tmp), port, {}, password="bench-only")
        argv, env = redis_server.command(build, Path(tmp), port, {})
        log = Path(tmp) / "redis.log"
        pid = process.spawn(argv, log, env=env)
        try:
            process.wait_ready("redis", pid, log, lambda: redis_server.is_ready(port), 20)
            client = redis.Redis.from_url(redis_server.url(port, "bench-only"), max_connections=64)
            print("3. guard check under concurrency (real Redis on loopback, 3 s per point)")
            for threads in (1, 8, 32):
                ping, guard = guard_throughput(client, threads, 3.0)
                print(
                    f"  {threads:>2} threads: baseline PING {ping:9.0f}/s   guard check {guard:9.0f}/s   "
                    f"ratio {guard / ping:4.2f}"
                )
        finally:
            process.stop(pid)


if __name__ == "__main__":
    verification()
    hashing()
    rate_limiter()
