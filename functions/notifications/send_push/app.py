"""The push queue -> the notification pushed to every browser the user subscribed (RFC 8030 with VAPID,
aes128gcm; shared.notifications.webpush): sent if any browser took it; a subscription the push service says
is gone (404/410) is removed; none left and the delivery is suppressed; a 429 or an outage is retried after
the backoff (shared.notifications.sending, deliver.deliver_push)."""

from functools import cache
from typing import Any

from shared.db import connection
from shared.notifications.deliver import Outcome, deliver_push
from shared.notifications.sender_function import sender
from shared.settings import get_settings


@cache
def vapid_key() -> str:
    from shared.secrets import read_secret

    return read_secret(get_settings().vapid_private_key_secret)


def send_one(delivery_id: str, dedup_key: str) -> Outcome:
    settings = get_settings()

    def send(subscription: dict[str, Any], payload: dict[str, Any]) -> None:
        from shared.notifications import webpush  # httpx and the crypto on the first message, not at cold start

        webpush.send(subscription, payload, vapid_private_key=vapid_key(), vapid_subject=settings.vapid_subject)

    return deliver_push(connection(settings.database_url), settings, delivery_id, send)


handler = sender("push", send_one)
