"""The one warm-up path every function uses, HTTP or event-triggered.

`cold_start()` runs at import: it validates the settings (a misconfigured deployment fails its first
invocation with a log line naming the variable, not deep inside a request) and runs whatever else the
function wants ready before its first event. `is_warmup(event)` recognises the local cloud's warm-up
ping (an empty event, or an empty Kafka batch) so a handler answers it at once without touching a
server. On AWS the same ping is what a scheduled keep-warm rule would send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.logs import logger
from shared.settings import SettingsError, get_settings


def cold_start(*extra: Callable[[], object]) -> None:
    """Validate the settings, then run `extra` (each with the settings already valid); log and re-raise
    a SettingsError so the reason is in the function's log."""
    try:
        get_settings()
        for step in extra:
            step()
    except SettingsError as exc:
        logger.error("cold start failed", extra={"reason": str(exc)})
        raise


def is_warmup(event: Mapping[str, Any] | None) -> bool:
    """The warm-up ping: `{}`, or a Kafka/SQS-shaped event with no records."""
    if not event:
        return True
    if "records" in event and not event["records"]:
        return True
    return "Records" in event and not event["Records"]
