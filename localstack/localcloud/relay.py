"""The outbox relay process: wakes on Postgres NOTIFY (or every second) and drains the outbox.

Full profile: to Kafka (KafkaPublisher, as on AWS). Embedded profile: straight to the functions
subscribed to each topic in template.yaml, with the same event shape, retries and dead letters, each
source on a cursor of its own (`localcloud.consumer_groups`).
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from typing import Any

from localcloud import template as tpl
from localcloud.consumer_groups import ConsumerGroups
from localcloud.paths import STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, boto_session
from localcloud.triggers import Dispatcher
from shared.db import connect
from shared.outbox import RELAY_LOCK_ID, Publisher, drain

log = logging.getLogger("relay")


def _listening(database_url: str) -> tuple[Any, Any]:
    """A connection that LISTENs on the outbox's NOTIFY (autocommit), and one to work on."""
    listener = connect(database_url)
    listener.autocommit = True
    listener.execute("LISTEN outbox")
    return listener, connect(database_url)


def direct_groups(state: CloudState, database_url: str) -> ConsumerGroups:
    """Embedded profile: every Kafka source of template.yaml as a consumer group reading the outbox."""
    dispatcher = Dispatcher(boto_session(state.endpoint), state.functions, state.queues, bootstrap="direct")
    return ConsumerGroups(database_url, dispatcher, tpl.kafka_sources(tpl.load(TEMPLATE)))


def run_direct(database_url: str, groups: ConsumerGroups, stop: list[bool]) -> None:
    """Embedded profile: the groups deliver; this loop wakes them on NOTIFY and marks settled messages published.

    The advisory lock that `drain` takes keeps one relay at a time here too."""
    listener, worker = _listening(database_url)
    listener.execute("SELECT pg_advisory_lock(%s)", (RELAY_LOCK_ID,))
    groups.start()
    try:
        while not stop[0]:
            if published := groups.settle(worker):
                log.info("published %d", published)
            for _ in listener.notifies(timeout=1.0, stop_after=1):
                groups.wake()
    finally:
        groups.stop()
        listener.close()
        worker.close()


def run(database_url: str, pub: Publisher, stop: list[bool]) -> None:
    listener, worker = _listening(database_url)
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
            if state.kafka_bootstrap:
                from shared.kafka import KafkaPublisher

                run(url, KafkaPublisher(state.kafka_bootstrap), stop)
            else:
                run_direct(url, direct_groups(state, url), stop)
        except Exception:
            log.exception("relay failed; restarting in 1 s")
            time.sleep(1)


if __name__ == "__main__":
    main()
