"""The notification kinds (kinds.json): which events raise each, who is told, on which channels by default,
where its link points, and which templates render it.

The data lives in kinds.json, not here, so that a new kind is a data change plus its templates (every later
issue notifies by emitting an event, never by calling a sender). The dispatcher reads it to turn an event
into notifications; the preferences service reads it for the defaults a user sees before changing anything
(a preference row overrides a default; an absent row means the default).

Recipients rules:
- `payload_user_ids`: the users the event names (`payload.user_ids`; the producer chose them).
- `company_members`: the owner (`companies.owner_id`) and the members (`users.company_id`) of
  `payload.company.id`.
- `partnership_other_side`: the members and owners of the company in the pair that did not make the change;
  when the actor's side cannot be told, both companies' members except the acting user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

# Every channel a preference may name. `inapp` is the inbox (a `notifications` row); the other three are
# sent by their sender functions (a `notification_deliveries` row each).
type Channel = Literal["email", "telegram", "push", "inapp"]
CHANNELS: tuple[Channel, ...] = ("email", "telegram", "push", "inapp")
SENT_CHANNELS: tuple[Channel, ...] = ("email", "telegram", "push")
LANGUAGES = ("ru", "en")

type RecipientsRule = Literal["payload_user_ids", "company_members", "partnership_other_side"]
RECIPIENTS_RULES: tuple[str, ...] = get_args(RecipientsRule.__value__)

# On this topic every event type is a request to notify: one without a kind is a producer's mistake and is
# dead-lettered. company.events and partnership.events carry every change, most of which notify nobody.
STRICT_TOPICS = frozenset({"notification.events"})

_DATA = Path(__file__).with_name("kinds.json")


@dataclass(frozen=True)
class EventRef:
    """An event type that raises a kind, and the topic it arrives on."""

    type: str
    topic: str


@dataclass(frozen=True)
class Kind:
    """One notification kind (a key of kinds.json)."""

    name: str
    label: Mapping[str, str]  # per language: what the preferences page calls it
    events: tuple[EventRef, ...]
    recipients: RecipientsRule
    channels: Mapping[Channel, bool]  # the default on/off per channel
    link: str  # str.format over the payload plus `public_app_url` (e.g. `{partnership[id]}`)
    template: str  # the folder under templates/

    def default_enabled(self, channel: str) -> bool:
        """On or off for a user who never changed this kind x channel."""
        if channel not in CHANNELS:
            raise ValueError(f"{channel!r} is not a notification channel (one of {', '.join(CHANNELS)})")
        return self.channels[channel]


@cache
def kinds() -> Mapping[str, Kind]:
    """Every kind by name (read once per process)."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return MappingProxyType({name: _kind(name, entry) for name, entry in data.items()})


def default_enabled(kind: str, channel: str) -> bool:
    """The default of `kind` x `channel`; KeyError for an unknown kind, ValueError for an unknown channel."""
    try:
        spec = kinds()[kind]
    except KeyError:
        raise KeyError(f"{kind!r} is not a notification kind (shared/notifications/kinds.json)") from None
    return spec.default_enabled(channel)


def kind_for_event(event_type: str) -> Kind | None:
    """The kind an event type raises, or None when it notifies nobody."""
    return _by_event().get(event_type)


@cache
def _by_event() -> Mapping[str, Kind]:
    return MappingProxyType({ref.type: kind for kind in kinds().values() for ref in kind.events})


def _kind(name: str, entry: dict[str, object]) -> Kind:
    """One entry, checked: a typo in the data fails at the first read, not at the first event."""
    channels = entry["channels"]
    if not isinstance(channels, dict) or set(channels) != set(CHANNELS):
        raise ValueError(f"kinds.json {name}: channels must name exactly {', '.join(CHANNELS)}")
    recipients = entry["recipients"]
    if recipients not in RECIPIENTS_RULES:
        raise ValueError(f"kinds.json {name}: recipients {recipients!r} is not one of {', '.join(RECIPIENTS_RULES)}")
    label = entry["label"]
    if not isinstance(label, dict) or set(label) != set(LANGUAGES):
        raise ValueError(f"kinds.json {name}: label must have {', '.join(LANGUAGES)}")
    events = entry["events"]
    if not isinstance(events, list) or not events:
        raise ValueError(f"kinds.json {name}: events must be a non-empty list")
    return Kind(
        name=name,
        label=MappingProxyType(dict(label)),
        events=tuple(EventRef(type=str(e["type"]), topic=str(e["topic"])) for e in events),
        recipients=recipients,  # type: ignore[arg-type]
        channels=MappingProxyType({c: bool(channels[c]) for c in CHANNELS}),
        link=str(entry["link"]),
        template=str(entry["template"]),
    )
