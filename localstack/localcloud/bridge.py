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
from pathlib import Path
from typing import Any

from localcloud import template as tpl
from localcloud.paths import STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, boto_session
from localcloud.triggers import Dispatcher, Record

log = logging.getLogger("bridge")
BATCH_WINDOW_SECONDS = 0.5


def consume(source: tpl.KafkaSource, bootstrap: str, dispatcher: Dispatcher, stop: threading.Event) -> None:
    from confluent_kafka import Consumer, KafkaError

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": source.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest" if source.starting_position == "TRIM_HORIZON" else "latest",
            "allow.auto.create.topics": True,
        }
    )
    consumer.subscribe(list(source.topics))
    try:
        while not stop.is_set():
            messages = consumer.consume(num_messages=source.batch_size, timeout=BATCH_WINDOW_SECONDS)
            records = []
            for m in messages:
                if m.error():
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        log.warning("%s: %s", source.function, m.error())
                    continue
                records.append(
                    Record(m.topic(), m.partition(), m.offset(), m.key(), m.value() or b"", m.timestamp()[1])
                )
            if not records:
                continue
            delivered = dispatcher.deliver(source, records)
            log.info("%s: %d records %s", source.function, len(records), "ok" if delivered else "dead-lettered")
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
    threads = []
    for source in tpl.kafka_sources(tpl.load(TEMPLATE)):
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
