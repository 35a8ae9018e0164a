"""Pair explanation (`shared.llm.tasks.explain_pair`): the offline provider vs a model answering in 2 s.

Run: .venv/bin/python tests/benchmarks/bench_llm.py [--runs 5] [--delay 2.0]   (about 15 s with the defaults)

1. Offline: no provider configured; the answer is built from the pair's data (prompt rendering is skipped).
   200 calls after 3 warm-ups; p50/p95/max ms.
2. Stand-in: the real YandexGPT client against `FakeYandexGPT` on a loopback port, every answer held back
   ``--delay`` seconds (a realistic latency for a YandexGPT completion of this size), ``--runs`` calls:
   the prompt is rendered, sent over HTTP, the JSON parsed and validated, the call recorded in memory.
   Also one call without the delay, to show the layer's own overhead (rendering, HTTP, validation).

Prints the medians and their ratio: what the offline provider saves per explanation, and so why the chain
(timeouts, retries, fallback) matters on the request path that waits for it.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

from localcloud.servers.llm_providers import FakeYandexGPT  # noqa: E402
from shared.llm import tasks  # noqa: E402
from shared.llm.chain import ProviderChain  # noqa: E402
from shared.llm.records import MemoryRecorder  # noqa: E402
from shared.llm.runtime import LLMRuntime  # noqa: E402
from shared.llm.yandexgpt import YandexGPT  # noqa: E402
from shared.settings import Settings  # noqa: E402

A = {
    "id": "11111111-1111-4111-8111-111111111111",
    "name": "ПлатёжПро",
    "description": "Приём онлайн-платежей для интернет-магазинов: эквайринг, СБП, платёжные ссылки, онлайн-касса.",
    "industry": "fintech",
    "sub_industries": ["payments", "acquiring"],
    "integrations": ["1c", "bitrix24", "amocrm"],
    "tech_stack": {"backend": ["python", "go"], "api": ["rest"]},
    "api_available": True,
}
B = {
    "id": "22222222-2222-4222-8222-222222222222",
    "name": "СкладМастер",
    "description": "Управление складом и логистикой для e-commerce: остатки, приёмка, отгрузки, курьерские службы.",
    "industry": "logistics",
    "sub_industries": ["wms"],
    "integrations": ["1c", "ozon"],
}
ANALYSIS = {
    "score": 0.78,
    "criteria": [
        {"name": "complementarity", "score": 0.9, "reasons": ["платежи и склад закрывают соседние задачи магазина"]},
        {"name": "audience", "score": 0.8, "reasons": ["общие клиенты — интернет-магазины"]},
        {"name": "technology", "score": 0.7, "reasons": ["обе компании интегрированы с 1С"]},
        {"name": "competition", "score": 0.95, "reasons": ["продукты не конкурируют"]},
    ],
    "synergy_areas": ["оплата заказов", "логистика", "1С"],
}


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(name: str, values: Sequence[float]) -> str:
    return (
        f"  {name:<44} p50 {statistics.median(values):9.2f} ms   p95 {pct(values, 95):9.2f} ms   "
        f"max {max(values):9.2f} ms   (n={len(values)})"
    )


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="calls to the slow stand-in")
    parser.add_argument("--delay", type=float, default=2.0, help="seconds the stand-in holds each answer")
    args = parser.parse_args()
    settings = Settings(database_url="postgresql://u:p@127.0.0.1:1/db", redis_url="redis://127.0.0.1:1/0")

    print("\n1. offline provider (no keys)")
    offline = LLMRuntime(chain=None, recorder=MemoryRecorder())
    for _ in range(3):
        tasks.explain_pair(settings, A, B, ANALYSIS, runtime=offline)
    offline_ms = [timed(lambda: tasks.explain_pair(settings, A, B, ANALYSIS, runtime=offline)) for _ in range(200)]
    print(row("explain_pair, offline", offline_ms))

    folder, key = "b1g" + secrets.token_hex(8), "AQVN" + secrets.token_hex(16)
    with FakeYandexGPT(folder, key) as fake:
        recorder = MemoryRecorder()
        client = YandexGPT(folder, key, base_url=fake.url)
        chain = ProviderChain([client], recorder, timeout=args.delay + 5, attempts=1)
        runtime = LLMRuntime(chain=chain, recorder=recorder)
        print(f"\n2. YandexGPT client -> stand-in on {fake.url}, answers held {args.delay:g} s")
        result = tasks.explain_pair(settings, A, B, ANALYSIS, runtime=runtime)  # warm: connection, templates
        assert result.made_by.provider == "yandexgpt"
        fast = [timed(lambda: tasks.explain_pair(settings, A, B, ANALYSIS, runtime=runtime)) for _ in range(20)]
        print(row("explain_pair, stand-in without delay", fast))
        slow = []
        for _ in range(args.runs):
            fake.delay_next(1, args.delay)
            slow.append(timed(lambda: tasks.explain_pair(settings, A, B, ANALYSIS, runtime=runtime)))
        print(row(f"explain_pair, stand-in answering in {args.delay:g} s", slow))
        chain.close()

    ratio = statistics.median(slow) / statistics.median(offline_ms)
    print(
        f"\nmedians: offline {statistics.median(offline_ms):.2f} ms, stand-in {statistics.median(slow):.1f} ms "
        f"(layer overhead without the delay {statistics.median(fast):.2f} ms); ratio {ratio:,.0f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
