"""How a channel's sender says a delivery failed: retry it later, or never.

The sender functions map these to the queue's behaviour: a `RetryableDelivery` leaves the message on the
queue (retried with backoff, then dead-lettered with the reason, redrivable); a `PermanentDelivery` is
logged as failed with its reason and the message is dropped; a `ChannelClosed` (a Telegram user blocked
the bot, a push subscription is gone) also turns the channel or subscription off for that user.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """Base: `reason` is what the delivery log and the dead letter say (never a secret)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableDelivery(DeliveryError):
    """The channel may accept the message later (connection refused, timeout, 4xx SMTP reply, 5xx, 429).
    `retry_after` is the channel's own wait in seconds when it said one (Telegram's `retry_after`)."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDelivery(DeliveryError):
    """The channel refused the message for good (5xx SMTP reply to the recipient, a malformed request)."""


class ChannelClosed(PermanentDelivery):
    """The recipient closed the channel: the user blocked the bot (403), the push subscription is gone
    (404/410). The sender turns it off for that user with this reason."""
