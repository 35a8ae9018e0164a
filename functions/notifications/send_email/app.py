"""The email queue -> one email per message over SMTP (shared.notifications.email): multipart text + HTML in
the recipient's language with one-click unsubscribe headers (RFC 8058), a Message-ID derived from the
delivery's dedup key. Sent once: a duplicate message finds the delivery sent and sends nothing; SMTP down or
a 4xx reply is retried with backoff, then dead-lettered (NotificationEmailDeadLetters), redrivable; a 5xx
for the recipient fails the delivery with the reason (shared.notifications.sending, deliver)."""

from email.message import EmailMessage
from typing import Any

from shared.db import connection
from shared.notifications import email
from shared.notifications.deliver import Outcome, deliver
from shared.notifications.errors import PermanentDelivery
from shared.notifications.sender_function import sender
from shared.settings import get_settings


def send_one(delivery_id: str, dedup_key: str) -> Outcome:
    settings = get_settings()

    def send(content: dict[str, Any]) -> None:
        try:
            message = _compose(settings.mail_from, dedup_key, content)
        except (KeyError, ValueError) as exc:  # a content the dispatcher should never write: not worth retrying
            raise PermanentDelivery(f"the email cannot be composed: {exc}") from None
        email.send(settings, message)

    return deliver(connection(settings.database_url), settings, delivery_id, send)


def _compose(sender: str, dedup_key: str, content: dict[str, Any]) -> EmailMessage:
    return email.compose(
        sender=sender,
        to=content["to"],
        subject=content["subject"],
        text=content["text"],
        html=content["html"],
        unsubscribe_url=content.get("unsubscribe_url"),
        message_id=dedup_key,
        language=content.get("language", "ru"),
    )


handler = sender("email", send_one)
