"""Kafka -> function trigger bridge (MiniStack has no Kafka data plane).

One consumer group per function as declared in template.yaml; batches of up to BatchSize records
within a 500 ms window, like AWS's event source mapping; offsets are committed only after the
function took the batch or the batch went to the on-failure destination.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from localcloud import template as tpl
from localcloud.paths import STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, boto_session
from localcloud.triggers import Dispatcher, Record
from shared.events import TOPIC_BY_AGGREGATE

log = logging.getLogger("bridge")
BATCH_WINDOW_SECONDS = 0.5


TOPIC_PARTITIONS = 3


def ensure_topics(bootstrap: str, topics: set[str]) -> None:
    """Provision the topics as IaC would in the cloud, so consumers never wait on auto-creation."""
    from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=10).topics)
    wanted = [NewTopic(t, num_partitions=TOPIC_PARTITIONS, replication_factor=1) for t in sorted(topics - existing)]
    for topic, future in admin.create_topics(wanted).items() if wanted else []:
        try:
            future.result(timeout=10)
        except Exception as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
        log.info("created topic %s", topic)


class Deliverer(Protocol):
    """Where a consumed batch goes: `triggers.Dispatcher` (the function, through Lambda) or a stand-in."""

    def deliver(self, source: tpl.KafkaSource, records: Sequence[Record]) -> bool:
        """True when the function took the batch, False when it was dead-lettered; a raise commits nothing."""


def consume(source: tpl.KafkaSource, bootstrap: str, dispatcher: Deliverer, stop: threading.Event) -> None:
    from confluent_kafka import Consumer, KafkaError

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": source.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest" if source.starting_position == "TRIM_HORIZON" else "latest",
            "topic.metadata.refresh.interval.ms": 5000,
            # Static membership (one bridge per cloud, so one member per group): a bridge restarted
            # after a crash takes its predecessor's place at once. A new member id would wait in a
            # rebalance until the dead one's session expired (45 s), consuming nothing meanwhile.
            "group.instance.id": f"{source.group}-bridge",
        }
    )
    consumer.subscribe(list(source.topics))
    try:
        while not stop.is_set():
            messages = consumer.consume(num_messages=source.batch_size, timeout=BATCH_WINDOW_SECONDS)
            records = []
            for m in messages:
                error = m.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        log.warning("%s: %s", source.function, error)
                    continue
                records.append(
                    Record(
                        m.topic() or "",
                        m.partition() or 0,
                        m.offset() or 0,
                        m.key(),
                        m.value() or b"",
                        m.timestamp()[1],
                    )
                )
            if not records:
                continue
            started = time.monotonic()
            delivered = dispatcher.deliver(source, records)
            took = (time.monotonic() - started) * 1000
            lag = time.time() * 1000 - min(r.timestamp_ms for r in records)
            log.info(
                "%s: %d records %s in %.0f ms (lag %.0f ms)",
                source.function,
                len(records),
                "ok" if delivered else "dead-lettered",
                took,
                lag,
            )
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(STATE_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    state = CloudState.load(Path(args.state))
    assert state is not None and state.kafka_bootstrap, "bridge needs a running full-profile cloud"
    session = boto_session(state.endpoint)
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sources = tpl.kafka_sources(tpl.load(TEMPLATE))
    ensure_topics(state.kafka_bootstrap, {t for s in sources for t in s.topics} | set(TOPIC_BY_AGGREGATE.values()))
    threads = []
    for source in sources:
        dispatcher = Dispatcher(session, state.functions, state.queues, state.kafka_bootstrap)
        t = threading.Thread(target=consume, args=(source, state.kafka_bootstrap, dispatcher, stop), daemon=True)
        t.start()
        threads.append(t)
    while not stop.is_set():
        if not all(t.is_alive() for t in threads):
            raise SystemExit("a consumer thread died; see the log above")
        stop.wait(1.0)
    for t in threads:
        t.join(timeout=10)


if __name__ == "__main__":
    main()
