"""Every minute: the deliveries held for their recipient's quiet hours whose hours are over go onto their
channel's queue (shared.notifications.digest.release_due, then dispatch.enqueue). Idempotent: a second run,
or one overlapping a slow first, enqueues nothing already enqueued."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.db import connection
from shared.logs import logger
from shared.notifications.digest import release_due
from shared.notifications.dispatch import enqueue
from shared.settings import get_settings

cold_start(lambda: [get_settings().require(f"notification_{c}_queue_url") for c in ("email", "telegram", "push")])


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_warmup(event):
        return {}
    settings = get_settings()
    conn = connection(settings.database_url)
    rows = release_due(conn, datetime.now(UTC))
    queued = enqueue(None, settings, rows, conn=conn) if rows else 0
    if queued:
        logger.info("deferred notifications released", extra={"enqueued": queued})
    return {"released": len(rows), "enqueued": queued}
