"""Delivering one queued notification: what each channel's sender function does with a queue message.

Claim, send, record, in three short steps, so no row lock is held while the channel is called over the
network (an SMTP server may take its whole timeout):

1. claim, in its own transaction: `attempts + 1` and the `sending` marker (reason = 'sending',
   updated_at = now) on a row that is `queued` and not held by another sender. A second sender with a
   duplicate queue message sees the marker and backs off with `RetryableDelivery` (its message comes back
   later and then finds the row sent, or, if the first sender died mid-send, the marker older than the lease
   and claims it: at least once, as SQS is). A row in any other state is `skipped`: nothing is sent.
2. send, outside any transaction.
3. record, in a second transaction: `sent` (sent_at), `failed` (PermanentDelivery, ChannelClosed), or still
   `queued` with the reason (RetryableDelivery, which propagates so the sender function reports the batch
   item failure: SQS retries with backoff, then dead-letters; a redriven message is delivered normally).
   Every outcome is an attempt in the delivery log.

Why a marker rather than `SELECT ... FOR UPDATE SKIP LOCKED` held across the send: the lock would pin a
connection and a transaction for the channel's whole timeout, and a sender that died mid-send would leave
nothing to tell the next one. The lease (default 120 s: above every channel client's timeout) bounds how long
a dead sender blocks its row.

Push fans out: the row's payload goes to every subscription of the user; a ChannelClosed (404/410) drops that
subscription; the row is sent if any browser took it, suppressed 'no push subscription' if none is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from shared.notifications import store
from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery

if TYPE_CHECKING:
    import psycopg

    from shared.settings import Settings

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0

type Send = Callable[[dict[str, Any]], None]
type SendPush = Callable[[dict[str, Any], dict[str, Any]], None]  # (subscription, payload)


@dataclass(frozen=True)
class Outcome:
    """What became of the delivery: sent, skipped (not queued: nothing sent), failed or suppressed."""

    status: Literal["sent", "skipped", "failed", "suppressed"]
    reason: str | None = None


def deliver(
    conn: psycopg.Connection,
    settings: Settings,
    delivery_id: str,
    send: Send,
    *,
    lease_seconds: float = LEASE_SECONDS,
) -> Outcome:
    """Deliver one email or Telegram message (`send(content)` raises the errors of errors.py); see the module
    docstring. `conn` must be idle; each step commits."""
    claimed = _claim(conn, delivery_id, lease_seconds)
    if isinstance(claimed, Outcome):
        return claimed
    try:
        send(claimed["content"])
    except RetryableDelivery as exc:
        _record_retry(conn, delivery_id, exc)
        raise
    except ChannelClosed as exc:
        with conn.transaction():
            store.finish(conn, delivery_id, "failed", exc.reason)
            store.log_attempt(conn, delivery_id, "failed", exc.reason)
            if claimed["channel"] == "telegram":
                store.disable_telegram(conn, claimed["user_id"], exc.reason)
        log.warning("notification channel closed", extra={"delivery_id": delivery_id, "reason": exc.reason})
        return Outcome("failed", exc.reason)
    except PermanentDelivery as exc:
        return _record_failed(conn, delivery_id, exc.reason)
    except Exception as exc:  # a bug or an unforeseen client error: retried (then dead-lettered), not lost
        _record_retry(conn, delivery_id, RetryableDelivery(f"{type(exc).__name__}: {exc}"))
        raise
    with conn.transaction():
        store.finish(conn, delivery_id, "sent", None)
        store.log_attempt(conn, delivery_id, "sent", None)
    return Outcome("sent")


def deliver_push(
    conn: psycopg.Connection,
    settings: Settings,
    delivery_id: str,
    send_one: SendPush,
    *,
    lease_seconds: float = LEASE_SECONDS,
) -> Outcome:
    """Deliver one push row to every subscription of its user (`send_one(subscription, payload)`, with
    subscription = {id, endpoint, p256dh, auth}); see the module docstring. If no browser took it and one
    failed retryably, RetryableDelivery propagates (the ones that are gone are already dropped)."""
    claimed = _claim(conn, delivery_id, lease_seconds)
    if isinstance(claimed, Outcome):
        return claimed
    subscriptions = store.push_subscriptions(conn, claimed["user_id"])
    conn.commit()
    delivered: list[str] = []
    gone: list[str] = []
    retry: RetryableDelivery | None = None
    failures: list[str] = []
    for subscription in subscriptions:
        try:
            send_one(subscription, claimed["content"]["payload"])
        except ChannelClosed as exc:
            gone.append(subscription["id"])
            failures.append(exc.reason)
        except RetryableDelivery as exc:
            retry = retry or exc
            failures.append(exc.reason)
        except PermanentDelivery as exc:
            failures.append(exc.reason)
        else:
            delivered.append(subscription["id"])
    with conn.transaction():
        for subscription_id in gone:
            store.drop_push_subscription(conn, subscription_id)
        store.push_succeeded(conn, delivered)
    if delivered:
        reason = f"{len(delivered)} of {len(subscriptions)} browsers" if failures else None
        with conn.transaction():
            store.finish(conn, delivery_id, "sent", reason)
            store.log_attempt(conn, delivery_id, "sent", reason)
        return Outcome("sent", reason)
    if retry is not None:
        _record_retry(conn, delivery_id, retry)
        raise retry
    if len(gone) == len(subscriptions):
        reason = "no push subscription"
        logged = f"{reason} left: {failures[0]}" if gone else reason
        with conn.transaction():
            store.finish(conn, delivery_id, "suppressed", reason)
            store.log_attempt(conn, delivery_id, "failed", logged)
        return Outcome("suppressed", reason)
    return _record_failed(conn, delivery_id, "; ".join(failures))


def _claim(conn: psycopg.Connection, delivery_id: str, lease_seconds: float) -> dict[str, Any] | Outcome:
    """The claimed row, or the Outcome `skipped` (logged) when it is not queued; RetryableDelivery when
    another sender holds it."""
    with conn.transaction():
        row = store.claim(conn, delivery_id, lease_seconds)
        if row is not None:
            return row
        state = store.current(conn, delivery_id)
        if state is None:
            log.warning("notification delivery not found", extra={"delivery_id": delivery_id})
            return Outcome("skipped", "no such delivery")
        if state["status"] == "queued":  # held by another sender
            store.log_attempt(conn, delivery_id, "retry", "another sender is delivering it")
            wait = max(1.0, lease_seconds - float(state["held_for"]))
            held = RetryableDelivery("another sender is delivering it", retry_after=wait)
        else:
            reason = f"already {state['status']}"
            store.log_attempt(conn, delivery_id, "skipped", reason)
            return Outcome("skipped", reason)
    raise held


def _record_retry(conn: psycopg.Connection, delivery_id: str, exc: RetryableDelivery) -> None:
    with conn.transaction():
        store.release(conn, delivery_id, exc.reason)
        store.log_attempt(conn, delivery_id, "retry", exc.reason)
    log.info("notification delivery will be retried", extra={"delivery_id": delivery_id, "reason": exc.reason})


def _record_failed(conn: psycopg.Connection, delivery_id: str, reason: str) -> Outcome:
    with conn.transaction():
        store.finish(conn, delivery_id, "failed", reason)
        store.log_attempt(conn, delivery_id, "failed", reason)
    log.warning("notification delivery failed", extra={"delivery_id": delivery_id, "reason": reason})
    return Outcome("failed", reason)
