"""Daily (09:00 Moscow): one email per user in digest mode gathering the notifications held for it since the
last digest, onto the email queue (shared.notifications.digest.build_digests, then dispatch.enqueue).
Idempotent per user and local day: a second run the same day writes and enqueues nothing new."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.db import connection
from shared.logs import logger
from shared.notifications.digest import build_digests
from shared.notifications.dispatch import enqueue
from shared.settings import get_settings

cold_start(lambda: get_settings().require("notification_email_queue_url"))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_warmup(event):
        return {}
    settings = get_settings()
    conn = connection(settings.database_url)
    rows = build_digests(conn, settings, datetime.now(UTC))
    queued = enqueue(None, settings, rows, conn=conn) if rows else 0
    logger.info("digests built", extra={"digests": len(rows), "enqueued": queued})
    return {"digests": len(rows), "enqueued": queued}
