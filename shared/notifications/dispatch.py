"""The dispatcher: a batch of events -> inbox items and one delivery per (recipient, channel).

For each event of a known kind (kinds.json): its recipients (the kind's rule) -> the active ones -> their
settings and preferences (a preference for the exact kind beats one for '*', none means the kind's default)
-> the content, rendered once per (language, time zone) and personalised per recipient -> in ONE
transaction per event, the inbox row (when in-app is on) and a delivery per sent channel, keyed
`<event_id>:<user_id>:<channel>`, whose status says what happens next:

- `suppressed`: the preference is off, or the user has no address on the channel (reason says which);
- `digest`: email for a user who chose the daily digest (digest.py gathers them);
- `deferred` until `deliver_after`: inside the user's quiet hours (digest.py releases them);
- `queued`: to be sent now.

Both writes are ON CONFLICT DO NOTHING, so a redelivered event writes nothing new. The queued rows not yet
accepted by a queue (this call's, and any an earlier attempt left when it died before enqueueing) are
returned for `enqueue`, which marks each once SQS took it.

Faults: an unknown event type on notification.events raises `UnknownNotification` (every message there is
a request to notify: the trigger dead-letters it with that reason); on company.events and
partnership.events unknown types are ignored (those topics carry every change). A template that fails
raises `RenderFailed` before anything of that event is written.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from shared.events import EVENTS, TOPIC_BY_AGGREGATE, EventEnvelope
from shared.notifications import store
from shared.notifications.kinds import SENT_CHANNELS, STRICT_TOPICS, Kind, kind_for_event
from shared.notifications.render import RECIPIENT_SLOTS, Rendered, personalize, render
from shared.notifications.schedule import quiet_until

if TYPE_CHECKING:
    import psycopg
    from mypy_boto3_sqs import SQSClient

    from shared.settings import Settings

log = logging.getLogger(__name__)

# What a user without a name is called in a greeting.
_NAMELESS = {"ru": "коллега", "en": "there"}
# Recipients written per statement batch (one transaction per event either way).
CHUNK = 500
# Payload fields that name companies, whose names the templates show.
_COMPANY_FIELDS = ("company_id", "partner_company_id")

type UnsubscribeToken = Callable[[str, str], str]  # (user id, kind) -> a signed token


class UnknownNotification(Exception):
    """An event on notification.events that no kind handles: a producer's mistake, dead-lettered as is."""

    def __init__(self, event_type: str, event_id: str) -> None:
        super().__init__(f"{event_type} event {event_id} is not a notification kind (shared/notifications/kinds.json)")
        self.event_type = event_type
        self.event_id = event_id


@dataclass
class DispatchResult:
    """What one batch did; `to_enqueue` are the rows for `enqueue` (delivery_id, dedup_key, channel)."""

    notified: int = 0  # events of a known kind
    ignored: int = 0  # events of company/partnership topics that notify nobody
    inbox: int = 0  # inbox rows written
    deliveries: Counter[str] = field(default_factory=Counter)  # status -> rows written (for events written anew)
    to_enqueue: list[dict[str, Any]] = field(default_factory=list)


def topic_of(envelope: EventEnvelope[Any]) -> str:
    """The topic an envelope came from: its registered type's, else its aggregate's; an unregistered type of
    an aggregate without a topic of its own can only be a notification request."""
    spec = EVENTS.get(envelope.event_type)
    if spec is not None:
        return spec.topic
    return TOPIC_BY_AGGREGATE.get(envelope.aggregate_type, "notification.events")


def dispatch(
    conn: psycopg.Connection,
    settings: Settings,
    envelopes: Iterable[EventEnvelope[Any]],
    *,
    now: datetime | None = None,
    unsubscribe_token: UnsubscribeToken | None = None,
) -> DispatchResult:
    """Turn the batch into inbox items and deliveries (one committed transaction per event); see the module
    docstring. `conn` must be idle; `now` is for tests (quiet hours); `unsubscribe_token` defaults to
    shared.notifications.tokens with the key from settings."""
    result = DispatchResult()
    token = unsubscribe_token or default_unsubscribe_token(settings)
    event_ids: list[str] = []
    for envelope in envelopes:
        kind = kind_for_event(envelope.event_type)
        if kind is None:
            if topic_of(envelope) in STRICT_TOPICS:
                raise UnknownNotification(envelope.event_type, str(envelope.event_id))
            result.ignored += 1
            continue
        try:
            _one(conn, settings, envelope, kind, now or datetime.now(UTC), token, result)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        result.notified += 1
        event_ids.append(str(envelope.event_id))
    result.to_enqueue = store.unenqueued(conn, event_ids)
    conn.commit()
    return result


def _one(  # noqa: PLR0917 - the event's whole context
    conn: psycopg.Connection,
    settings: Settings,
    envelope: EventEnvelope[Any],
    kind: Kind,
    now: datetime,
    token: UnsubscribeToken,
    result: DispatchResult,
) -> None:
    payload = _payload(envelope.payload)
    user_ids, actor_company_id = _recipient_ids(conn, kind, payload, envelope.actor)
    people = store.recipients(conn, user_ids)
    names = _names(conn, payload)
    base = {
        "payload": payload,
        "companies": names,
        "public_app_url": settings.public_app_url.rstrip("/"),
        "actor_company_id": actor_company_id,
        **RECIPIENT_SLOTS,
    }
    # Every template renders (or fails) before anything is written: at least once, even with no recipient.
    rendered: dict[tuple[str, str], Rendered] = {}
    for language, time_zone in sorted({(p.language, p.time_zone) for p in people}) or [("ru", "Europe/Moscow")]:
        rendered[(language, time_zone)] = render(kind.name, language, {**base, "time_zone": time_zone})
    prefs = store.overrides(conn, [p.id for p in people], kind.name)
    event_id = str(envelope.event_id)
    common = {"event_id": event_id, "event_type": envelope.event_type, "kind": kind.name}
    written = 0
    for start in range(0, len(people), CHUNK):  # a large fan-out is written in slices: memory stays flat
        inbox: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        for person in people[start : start + CHUNK]:
            unsubscribe = f"{base['public_app_url']}/v1/notifications/unsubscribe?token={token(person.id, kind.name)}"
            content = personalize(
                rendered[(person.language, person.time_zone)],
                full_name=person.full_name or _NAMELESS[person.language],
                email=person.email,
                unsubscribe_url=unsubscribe,
            )
            mine = {**common, "user_id": person.id}
            if _enabled(prefs, kind, person.id, "inapp"):
                inbox.append({**mine, "title": content.inbox_title, "body": content.inbox_body, "link": content.link})
            quiet = quiet_until(now, person.time_zone, person.quiet_start, person.quiet_end)
            for channel in SENT_CHANNELS:
                status, reason, deliver_after = _decide(prefs, kind, person, channel, quiet)
                body = {} if status == "suppressed" else _content(channel, person, content, unsubscribe)
                deliveries.append(
                    {
                        **mine,
                        "dedup_key": f"{event_id}:{person.id}:{channel}",
                        "channel": channel,
                        "status": status,
                        "reason": reason,
                        "content": body,
                        "deliver_after": deliver_after,
                    }
                )
        result.inbox += store.insert_inbox(conn, inbox)
        if store.insert_deliveries(conn, deliveries):
            result.deliveries.update(row["status"] for row in deliveries)
        written += len(deliveries)
    log.info(
        "notification dispatched",
        extra={"event_id": event_id, "kind": kind.name, "recipients": len(people), "deliveries": written},
    )


def _payload(payload: Any) -> dict[str, Any]:
    """The payload as JSON (the templates' `payload`): what the producer wrote, aliases included."""
    if isinstance(payload, BaseModel):
        return dict(payload.model_dump(mode="json", by_alias=True))
    return dict(json.loads(json.dumps(payload, default=str)))


def _recipient_ids(
    conn: psycopg.Connection, kind: Kind, payload: Mapping[str, Any], actor: str | None
) -> tuple[list[str], str | None]:
    """Who the kind's rule names, and for a partnership change the company that made it (None: unknown)."""
    if kind.recipients == "payload_user_ids":
        return [str(u) for u in payload.get("user_ids") or []], None
    if kind.recipients == "company_members":
        return store.company_members(conn, [str(payload["company"]["id"])]), None
    # partnership_other_side: the actor is a user id for a person's change, `system:...` for the chain's.
    pair = [str(payload["partnership"]["company_a_id"]), str(payload["partnership"]["company_b_id"])]
    acting_user = actor if actor and _is_uuid(actor) else None
    sides = store.companies_of_user(conn, acting_user) & set(pair) if acting_user else set()
    if len(sides) == 1:
        (actor_company,) = sides
        other = [c for c in pair if c != actor_company]
        members = store.company_members(conn, other)
    else:  # the system moved it, or the actor belongs to both sides: tell both, never the actor
        actor_company = None
        members = store.company_members(conn, pair)
    return [m for m in members if m != acting_user], actor_company


def _names(conn: psycopg.Connection, payload: Mapping[str, Any]) -> dict[str, str]:
    """Company id -> name for every company the payload names; an id not found shows as itself."""
    ids = {str(payload[f]) for f in _COMPANY_FIELDS if payload.get(f)}
    partnership = payload.get("partnership")
    if isinstance(partnership, Mapping):
        ids |= {str(partnership[f]) for f in ("company_a_id", "company_b_id") if partnership.get(f)}
    company = payload.get("company")
    if isinstance(company, Mapping) and company.get("id"):
        ids.add(str(company["id"]))
    found = store.company_names(conn, ids)
    return {i: found.get(i, i) for i in ids}


def _enabled(prefs: Mapping[tuple[str, str, str], bool], kind: Kind, user_id: str, channel: str) -> bool:
    exact = prefs.get((user_id, kind.name, channel))
    if exact is not None:
        return exact
    every = prefs.get((user_id, "*", channel))
    return every if every is not None else kind.default_enabled(channel)


def _decide(
    prefs: Mapping[tuple[str, str, str], bool],
    kind: Kind,
    person: store.Recipient,
    channel: str,
    quiet: datetime | None,
) -> tuple[str, str | None, datetime | None]:
    """(status, reason, deliver_after) of one recipient's channel."""
    missing = _missing_address(person, channel)
    if not _enabled(prefs, kind, person.id, channel):
        return "suppressed", "turned off by preference", None
    if missing:
        return "suppressed", missing, None
    if channel == "email" and person.digest:
        return "digest", "waits for the daily digest", None
    if quiet is not None:
        return "deferred", "quiet hours", quiet
    return "queued", None, None


def _missing_address(person: store.Recipient, channel: str) -> str | None:
    """Why the user cannot be reached on the channel, or None."""
    if channel == "telegram" and person.telegram_chat_id is None:
        return "no linked Telegram chat"
    if channel == "telegram" and person.telegram_disabled_reason:
        return f"Telegram turned off: {person.telegram_disabled_reason}"
    if channel == "push" and not person.has_push:
        return "no push subscription"
    return None


def _content(channel: str, person: store.Recipient, content: Rendered, unsubscribe: str) -> dict[str, Any]:
    """What the channel's sender sends (notification_deliveries.content)."""
    if channel == "email":
        return {
            "to": person.email,
            "subject": content.email_subject,
            "text": content.email_text,
            "html": content.email_html,
            "unsubscribe_url": unsubscribe,
            "language": person.language,
            # for the daily digest, which lists each item by its inbox wording
            "summary": {"title": content.inbox_title, "body": content.inbox_body, "link": content.link},
        }
    if channel == "telegram":
        return {"chat_id": person.telegram_chat_id, "html": content.telegram_html}
    return {"payload": content.push}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def default_unsubscribe_token(settings: Settings, *, secret: Callable[[str], str] | None = None) -> UnsubscribeToken:
    """tokens.sign with the signing key read once per batch (a secret: never logged); `secret` reads a secret
    by name (default shared.secrets.read_secret)."""
    from shared.notifications import tokens

    key = tokens.signing_key(settings, secret=secret)

    def sign(user_id: str, kind: str) -> str:
        return tokens.sign(key, "unsubscribe", {"u": user_id, "k": kind, "c": "email"})

    return sign


def enqueue(
    sqs_client: SQSClient | None,
    settings: Settings,
    rows: Sequence[Mapping[str, Any]],
    *,
    conn: psycopg.Connection,
) -> int:
    """Send each queued delivery to its channel's queue as {"delivery_id", "dedup_key", "channel"}
    (standard queues: the dedup key in the database, not SQS, stops a double send) and mark it enqueued
    once SQS accepted it, committing. Raises after marking what was accepted when a queue refused some, so
    the trigger retries the batch and only the rest is sent again. Returns how many were enqueued."""
    from shared import queues

    by_channel: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_channel.setdefault(str(row["channel"]), []).append(row)
    urls = {channel: getattr(settings, f"notification_{channel}_queue_url") for channel in by_channel}
    unset = [channel for channel, url in urls.items() if not url]
    if unset:
        raise RuntimeError(", ".join(f"ALGOARTS_NOTIFICATION_{c.upper()}_QUEUE_URL" for c in unset) + " not set")
    if not rows:
        return 0
    client = sqs_client or queues.client()
    refused: list[str] = []
    sent = 0
    for channel, items in by_channel.items():
        queue_url = urls[channel]
        for start in range(0, len(items), 10):  # SendMessageBatch takes at most 10 entries
            chunk = items[start : start + 10]
            answer = client.send_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "MessageBody": json.dumps(
                            {"delivery_id": r["delivery_id"], "dedup_key": r["dedup_key"], "channel": channel},
                            ensure_ascii=False,
                        ),
                    }
                    for i, r in enumerate(chunk)
                ],
            )
            accepted = [str(chunk[int(ok["Id"])]["delivery_id"]) for ok in answer.get("Successful", [])]
            refused += [f"{chunk[int(bad['Id'])]['dedup_key']}: {bad.get('Code')}" for bad in answer.get("Failed", [])]
            store.mark_enqueued(conn, accepted)
            conn.commit()
            sent += len(accepted)
    if refused:
        raise RuntimeError(f"{len(refused)} notification message(s) refused by SQS: {'; '.join(refused[:5])}")
    return sent
