"""The outbox relay and the Kafka consumers as separate processes, for tests that SIGKILL them.

Run by path (`python tests/integration/delivery_harness.py relay|consumer ...`) by
test_delivery_faults.py; the endpoints come from the same `ALGOARTS_*` variables a function reads.

* `relay`: `localcloud.relay.run` (wakes on NOTIFY or every second, `shared.outbox.drain`) with
  `shared.kafka.KafkaPublisher`, restarted after an error as `localcloud.relay.main` does: the full
  profile's relay, minus the cloud state file it would read its endpoints from.
* `consumer`: one `localcloud.bridge.consume` thread per Kafka source of template.yaml named with
  `--function` (its topics and batch size; the group id prefixed with `--group-prefix`), exactly the
  bridge's loop: consume a batch, deliver it, commit the offsets after the delivery returned. The
  delivery is the one difference: the function's own handler (its CodeUri's app.py) is called in
  this process with the event the Lambda trigger would send, instead of through the Lambda API,
  so no emulator is needed. A batch the handler still refuses after two retries is not
  dead-lettered (there is no queue here): the thread dies without committing and the process exits
  with status 1, which the test reports.

Each consumer thread appends `partition offset event_id` for every record of a batch to
`<ledger-dir>/<group>.handed` before calling the handler, and to `<group>.taken` once the handler
returned (before the commit). A record handed over twice was delivered again after a kill (at least
once, exercised); an event id at two offsets was published twice by the relay.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from localcloud import template as tpl
from localcloud.bridge import consume
from localcloud.relay import run
from localcloud.triggers import Record, kafka_event
from shared.kafka import KafkaPublisher
from shared.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
RETRIES = 2
LEDGERS = ("handed", "taken")
log = logging.getLogger("harness")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class LambdaContext:
    """What the handlers' powertools decorators read from the Lambda context."""

    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:harness"
    aws_request_id: str = "harness"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class InProcessDispatcher:
    """`triggers.Dispatcher`'s contract, with the function's handler called in this process."""

    def __init__(self, handler: Handler, bootstrap: str, handed: TextIO, taken: TextIO) -> None:
        self._handler = handler
        self._bootstrap = bootstrap
        self._handed = handed
        self._taken = taken

    def deliver(self, source: tpl.KafkaSource, records: Sequence[Record]) -> bool:
        event = kafka_event(records, self._bootstrap)
        lines = "".join(f"{r.partition} {r.offset} {json.loads(r.value)['event_id']}\n" for r in records)
        _append(self._handed, lines)
        for attempt in range(RETRIES + 1):
            try:
                self._handler(event, LambdaContext(source.function))
                break
            except Exception:
                log.exception("%s refused a batch of %d (attempt %d)", source.function, len(records), attempt + 1)
                if attempt == RETRIES:
                    raise
                time.sleep(0.2 * 2**attempt)
        _append(self._taken, lines)
        return True


def _append(ledger: TextIO, lines: str) -> None:
    ledger.write(lines)
    ledger.flush()  # in the kernel's hands: a SIGKILL right after cannot lose it


def load_handler(function: str, template: dict[str, Any]) -> Handler:
    """The handler of a template function, imported from its CodeUri as a cold start would."""
    props = tpl.functions(template)[function]["Properties"]
    module_name, attr = props.get("Handler", "app.handler").rsplit(".", 1)
    path = ROOT / props["CodeUri"] / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    handler: Handler = getattr(module, attr)
    return handler


def _on_stop(stop: Callable[[], None]) -> None:
    def _handle(signum: int, frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGTERM, _handle)
    signal.signal(signal.SIGINT, _handle)


def relay() -> int:
    settings = get_settings()
    bootstrap = settings.require("kafka_bootstrap")
    stop = [False]
    _on_stop(lambda: stop.__setitem__(0, True))
    log.info("relay started")
    while not stop[0]:
        try:
            run(settings.database_url, KafkaPublisher(bootstrap), stop)
        except Exception:
            log.exception("relay failed; restarting in 1 s")
            time.sleep(1)
    return 0


def consumer(functions: list[str], group_prefix: str, ledger_dir: Path) -> int:
    settings = get_settings()
    bootstrap = settings.require("kafka_bootstrap")
    template = tpl.load(ROOT / "template.yaml")
    sources = {s.function: s for s in tpl.kafka_sources(template)}
    stop = threading.Event()
    _on_stop(stop.set)
    threads = []
    for function in functions:
        source = dataclasses.replace(sources[function], group=f"{group_prefix}-{sources[function].group}")
        handed, taken = ((ledger_dir / f"{source.group}.{kind}").open("a", encoding="utf-8") for kind in LEDGERS)
        dispatcher = InProcessDispatcher(load_handler(function, template), bootstrap, handed, taken)
        thread = threading.Thread(
            target=consume, args=(source, bootstrap, dispatcher, stop), name=function, daemon=True
        )
        thread.start()
        threads.append(thread)
    log.info("consuming %s", ", ".join(functions))
    while not stop.is_set():
        dead = [t.name for t in threads if not t.is_alive()]
        if dead:
            log.error("consumer thread died: %s", ", ".join(dead))
            return 1
        stop.wait(0.5)
    for t in threads:
        t.join(timeout=10)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="part", required=True)
    sub.add_parser("relay")
    cons = sub.add_parser("consumer")
    cons.add_argument("--function", action="append", required=True, help="a template function with a Kafka source")
    cons.add_argument("--group-prefix", required=True)
    cons.add_argument("--ledger-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.part} %(threadName)s %(levelname)s %(message)s")
    if args.part == "relay":
        return relay()
    return consumer(args.function, args.group_prefix, args.ledger_dir)


if __name__ == "__main__":
    sys.exit(main())
