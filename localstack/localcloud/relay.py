"""The outbox relay process: wakes on Postgres NOTIFY (or every second) and drains the outbox.

Full profile: to Kafka (KafkaPublisher, as on AWS). Embedded profile: straight to the functions
subscribed to each topic in template.yaml, with the same event shape, retries and dead letters.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from collections.abc import Sequence
from typing import Any

from localcloud import template as tpl
from localcloud.paths import STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, boto_session
from localcloud.triggers import Dispatcher, Record
from shared.db import connect
from shared.outbox import OutboxMessage, Publisher, drain

log = logging.getLogger("relay")


class DirectPublisher:
    """Embedded profile: hands each message to the functions whose Kafka source names its topic."""

    def __init__(self, dispatcher: Dispatcher, sources: Sequence[tpl.KafkaSource]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._dispatcher = dispatcher
        self._sources = sources
        # Consumers are independent, as Kafka consumer groups are: a slow one (embeddings) must not
        # hold the others back for the whole drain. Each source still gets its batches in order.
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(sources)), thread_name_prefix="deliver")

    def publish(self, messages: Sequence[OutboxMessage]) -> None:
        now = int(time.time() * 1000)
        futures = [self._pool.submit(self._deliver, source, messages, now) for source in self._sources]
        for future in futures:
            future.result()  # a failure leaves the drain unpublished, to be delivered again

    def _deliver(self, source: tpl.KafkaSource, messages: Sequence[OutboxMessage], now: int) -> None:
        records = [Record(m.topic, 0, m.id, m.key.encode(), m.value, now) for m in messages if m.topic in source.topics]
        for i in range(0, len(records), source.batch_size):
            self._dispatcher.deliver(source, records[i : i + source.batch_size])


def publisher(state: CloudState) -> Publisher:
    if state.kafka_bootstrap:
        from shared.kafka import KafkaPublisher

        return KafkaPublisher(state.kafka_bootstrap)
    session = boto_session(state.endpoint)
    dispatcher = Dispatcher(session, state.functions, state.queues, bootstrap="direct")
    return DirectPublisher(dispatcher, tpl.kafka_sources(tpl.load(TEMPLATE)))


def run(database_url: str, pub: Publisher, stop: list[bool]) -> None:
    listener = connect(database_url)
    listener.autocommit = True
    listener.execute("LISTEN outbox")
    worker = connect(database_url)
    while not stop[0]:
        published = drain(worker, pub)
        if published:
            log.info("published %d", published)
        for _ in listener.notifies(timeout=1.0, stop_after=1):
            pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(STATE_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from pathlib import Path

    from localcloud.runtime import load_secrets
    from localcloud.servers import postgres

    state_dir = Path(args.state)
    state = CloudState.load(state_dir)
    assert state is not None, "no cloud.json: start with `algoarts local up`"
    pg_port = state.parts["postgres"].port
    assert pg_port is not None
    url = postgres.url(pg_port, load_secrets(state_dir)["postgres"])
    stop = [False]

    def _stop(*_: Any) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop[0]:
        try:
            run(url, publisher(state), stop)
        except Exception:
            log.exception("relay failed; restarting in 1 s")
            time.sleep(1)


if __name__ == "__main__":
    main()
