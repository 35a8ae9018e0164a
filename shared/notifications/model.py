"""The shapes of the notification endpoints a user calls: the inbox, preferences, Telegram linking, push
subscriptions and the unsubscribe link.

Models are declared with `defer_build` (a function builds only the ones its route names). What a field
may hold is said here; what depends on the deployment or on the data (a time zone zoneinfo knows, a
kind of kinds.json, a push endpoint allowed on this stage, a key that is a point on P-256) is checked by
the services, which answer 422 naming the field in both languages.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"  # a wall-clock time of day, "22:00"

__all__ = [
    "HHMM",
    "ChannelSwitches",
    "ChannelSwitchesPatch",
    "Channels",
    "EmailChannel",
    "InboxQuery",
    "Notification",
    "NotificationPage",
    "Preferences",
    "PreferencesPatch",
    "PushChannel",
    "PushKey",
    "PushKeys",
    "PushSubscriptionIn",
    "PushSubscriptionOut",
    "PushUnsubscribe",
    "QuietHours",
    "ReadAll",
    "TelegramChannel",
    "TelegramLink",
    "Unsubscribed",
]


# --- the inbox ---------------------------------------------------------------------------------------------


class InboxQuery(BaseModel):
    """`GET /v1/notifications`: a page of the caller's inbox, newest first."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    unread_only: bool = False
    cursor: str | None = Field(default=None, min_length=1, max_length=500)


class Notification(BaseModel):
    """One inbox item: what the bell icon lists."""

    model_config = ConfigDict(defer_build=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None = None
    created_at: datetime
    read_at: datetime | None = None


class NotificationPage(BaseModel):
    """A page of the inbox; `next_cursor` is None on the last page, `unread_count` counts the whole inbox."""

    model_config = ConfigDict(defer_build=True)

    items: list[Notification]
    next_cursor: str | None = None
    limit: int
    unread_count: int


class ReadAll(BaseModel):
    """How many unread items `POST /v1/notifications/read-all` marked read (0 when none were unread)."""

    model_config = ConfigDict(defer_build=True)

    marked: int


# --- preferences -------------------------------------------------------------------------------------------


class QuietHours(BaseModel):
    """A daily window in the user's time zone when nothing is sent (messages wait until it ends). It may
    span midnight ("22:00" to "08:00")."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    start: str = Field(pattern=HHMM, description='"HH:MM"')
    end: str = Field(pattern=HHMM, description='"HH:MM"')


class ChannelSwitches(BaseModel):
    """One kind's on/off per channel, defaults and the user's overrides combined."""

    model_config = ConfigDict(defer_build=True)

    email: bool
    telegram: bool
    push: bool
    inapp: bool


class ChannelSwitchesPatch(BaseModel):
    """The channels of one kind a PUT changes; the others keep their value. An unknown channel is 422."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    email: bool | None = None
    telegram: bool | None = None
    push: bool | None = None
    inapp: bool | None = None


class EmailChannel(BaseModel):
    model_config = ConfigDict(defer_build=True)

    address: str  # the account's email (read-only here: it changes with the account)


class TelegramChannel(BaseModel):
    """`linked`: a chat is bound (POST .../telegram/link); `enabled`: messages go to it (linked and not
    turned off by Telegram itself, e.g. the user blocked the bot: then `disabled_reason` says so)."""

    model_config = ConfigDict(defer_build=True)

    linked: bool
    enabled: bool
    disabled_reason: str | None = None


class PushChannel(BaseModel):
    model_config = ConfigDict(defer_build=True)

    subscriptions: int  # the browsers subscribed (POST .../push/subscriptions)


class Channels(BaseModel):
    model_config = ConfigDict(defer_build=True)

    email: EmailChannel
    telegram: TelegramChannel
    push: PushChannel


class Preferences(BaseModel):
    """The whole picture `GET|PUT /v1/notifications/preferences` answer: every kind of kinds.json with its
    channels, the language and time zone messages use, quiet hours and the daily digest."""

    model_config = ConfigDict(defer_build=True)

    language: Literal["ru", "en"]
    time_zone: str
    quiet_hours: QuietHours | None = None
    digest: bool
    channels: Channels
    events: dict[str, ChannelSwitches]


class PreferencesPatch(BaseModel):
    """A PUT: the fields given change, the others stay. `quiet_hours: null` turns quiet hours off.
    `channels` is accepted so a client may send back what GET answered, and is not changed here (the address
    is the account's, Telegram changes by linking, push by subscribing)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    language: Literal["ru", "en"] | None = None
    time_zone: str | None = Field(default=None, min_length=1, max_length=64)
    quiet_hours: QuietHours | None = None
    digest: bool | None = None
    channels: dict[str, object] | None = None
    events: dict[str, ChannelSwitchesPatch] | None = None


# --- Telegram ----------------------------------------------------------------------------------------------


class TelegramLink(BaseModel):
    """The deep link that binds a Telegram chat: open it, press Start (valid once, until `expires_at`)."""

    model_config = ConfigDict(defer_build=True)

    url: str
    expires_at: datetime


# --- web push ----------------------------------------------------------------------------------------------


class PushKeys(BaseModel):
    """The browser's keys (base64url): p256dh its ECDH public key, auth the 16-byte authentication secret."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class PushSubscriptionIn(BaseModel):
    """A browser's `PushSubscription.toJSON()`: endpoint, expirationTime (ignored) and keys."""

    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True)

    endpoint: str = Field(min_length=1, max_length=2000)
    expiration_time: int | float | None = Field(default=None, alias="expirationTime")
    keys: PushKeys


class PushSubscriptionOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: uuid.UUID
    endpoint: str
    created_at: datetime


class PushUnsubscribe(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    endpoint: str = Field(min_length=1, max_length=2000)


class PushKey(BaseModel):
    """The VAPID public key a page passes to `pushManager.subscribe({applicationServerKey})` (base64url of
    the uncompressed P-256 point)."""

    model_config = ConfigDict(defer_build=True)

    application_server_key: str


# --- unsubscribe -------------------------------------------------------------------------------------------


class Unsubscribed(BaseModel):
    """What a one-click unsubscribe turned off: `kind` a kind of kinds.json or "*" (every kind)."""

    model_config = ConfigDict(defer_build=True)

    unsubscribed: bool = True
    kind: str
    channel: str
