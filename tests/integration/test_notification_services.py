"""The services behind the notification endpoints on a real Postgres: inbox pages that neither repeat nor
skip while items arrive (ties on created_at broken by id), read scoped to the owner, preference precedence
(exact kind over "*" over the default, as the dispatcher reads it), Telegram binding (one use, expiry, a
chat moving between users, a blocked bot turned back on) and push subscriptions moving between accounts."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import NotFound
from shared.notifications import inbox, linking, preferences, push_subscriptions
from shared.notifications.model import InboxQuery, PreferencesPatch, PushSubscriptionIn
from shared.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0", stage="dev")


def _conn(postgres_url: str) -> Any:
    from shared.db import connect

    return connect(postgres_url)


def _user(postgres_url: str) -> str:
    with _conn(postgres_url) as conn:
        found = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id::text AS id",
            (f"n.{uuid.uuid4().hex[:12]}@example.ru",),
        ).fetchone()
        conn.commit()
    assert found is not None
    return str(found["id"])


def _item(postgres_url: str, user_id: str, at: datetime, title: str = "t") -> str:
    with _conn(postgres_url) as conn:
        found = conn.execute(
            "INSERT INTO notifications (user_id, event_id, event_type, kind, title, body, created_at) "
            "VALUES (%s, %s, 'company.verified', 'company_verified', %s, 'b', %s) RETURNING id::text AS id",
            (user_id, uuid.uuid4(), title, at),
        ).fetchone()
        conn.commit()
    assert found is not None
    return str(found["id"])


def test_pages_neither_repeat_nor_skip_while_items_arrive(settings: Settings, postgres_url: str) -> None:
    user = _user(postgres_url)
    same = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    ids = [_item(postgres_url, user, same) for _ in range(5)]  # one instant: the id breaks the tie
    seen: list[str] = []
    page = inbox.list_inbox(settings, user, InboxQuery(limit=2))
    seen += [str(i.id) for i in page.items]
    _item(postgres_url, user, same + timedelta(minutes=1))  # newer: on a new first page, not in this walk
    while page.next_cursor:
        page = inbox.list_inbox(settings, user, InboxQuery(limit=2, cursor=page.next_cursor))
        seen += [str(i.id) for i in page.items]
    assert seen == sorted(ids, reverse=True)
    assert page.unread_count == 6


def test_reading_is_the_owners_only(settings: Settings, postgres_url: str) -> None:
    owner, other = _user(postgres_url), _user(postgres_url)
    item = _item(postgres_url, owner, datetime.now(UTC))
    with pytest.raises(NotFound):
        inbox.mark_read(settings, other, item)
    first = inbox.mark_read(settings, owner, item)
    assert first.read_at is not None
    assert inbox.mark_read(settings, owner, item).read_at == first.read_at
    assert inbox.mark_all_read(settings, owner).marked == 0


def test_exact_kind_beats_every_kind_beats_the_default(settings: Settings, postgres_url: str) -> None:
    user = _user(postgres_url)
    assert preferences.get_preferences(settings, user).events["company_verified"].email is True  # the default
    with _conn(postgres_url) as conn:
        preferences.set_enabled(conn, user, "*", "email", False)
        conn.commit()
        stored = preferences.overrides(conn, user)
    assert preferences.enabled_for(stored, "company_verified", "email") is False
    assert preferences.enabled_for(stored, "company_verified", "inapp") is True
    picture = preferences.put_preferences(
        settings, user, PreferencesPatch.model_validate({"events": {"company_verified": {"email": True}}})
    )
    assert picture.events["company_verified"].email is True  # the exact kind wins
    assert picture.events["outreach_review_requested"].email is False  # "*" still holds for the others


def test_a_failed_put_changes_nothing(settings: Settings, postgres_url: str) -> None:
    from shared.errors import Unprocessable

    user = _user(postgres_url)
    patch = PreferencesPatch.model_validate({"digest": True, "events": {"company_verified": {"email": False},
                                                                        "nope": {"email": False}}})  # fmt: skip
    with pytest.raises(Unprocessable):
        preferences.put_preferences(settings, user, patch)
    assert preferences.get_preferences(settings, user).digest is False


def _start(settings: Settings, token: str, chat_id: int) -> str | None:
    with preferences.transaction(settings) as conn:
        return linking.bind_chat(conn, token, chat_id)


def _token(link_url: str) -> str:
    return link_url.split("start=", 1)[1]


def _settings_row(postgres_url: str, user: str) -> dict[str, Any]:
    with _conn(postgres_url) as conn:
        found = conn.execute("SELECT * FROM notification_settings WHERE user_id = %s", (user,)).fetchone()
    assert found is not None
    return dict(found)


def test_a_link_binds_once_and_a_chat_moves_to_whoever_links_it(settings: Settings, postgres_url: str) -> None:
    first, second = _user(postgres_url), _user(postgres_url)
    chat = 500_000_000 + secrets.randbelow(10**8)
    token = _token(linking.create_link(settings, first).url)
    assert _start(settings, token, chat) == first
    assert _start(settings, token, chat) is None  # spent
    assert _settings_row(postgres_url, first)["telegram_chat_id"] == chat

    with _conn(postgres_url) as conn:  # Telegram said the user blocked the bot; linking again turns it back on
        conn.execute("UPDATE notification_settings SET telegram_disabled_reason = 'blocked' WHERE user_id = %s",
                     (first,))  # fmt: skip
        conn.commit()
    assert _start(settings, _token(linking.create_link(settings, first).url), chat) == first
    assert _settings_row(postgres_url, first)["telegram_disabled_reason"] is None

    assert _start(settings, _token(linking.create_link(settings, second).url), chat) == second
    assert _settings_row(postgres_url, second)["telegram_chat_id"] == chat
    assert _settings_row(postgres_url, first)["telegram_chat_id"] is None
    assert preferences.get_preferences(settings, second).channels.telegram.enabled is True


def test_an_expired_or_unknown_link_binds_nothing(settings: Settings, postgres_url: str) -> None:
    user = _user(postgres_url)
    old = linking.create_link(settings, user, now=datetime.now(UTC) - timedelta(minutes=16))
    assert _start(settings, _token(old.url), 1) is None
    assert _start(settings, secrets.token_urlsafe(24), 1) is None
    assert preferences.get_preferences(settings, user).channels.telegram.linked is False


def test_a_browser_moves_between_accounts_and_is_removed_by_its_owner_only(
    settings: Settings, postgres_url: str
) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    endpoint = f"https://web.push.apple.com/{uuid.uuid4().hex}"
    sub = PushSubscriptionIn.model_validate(
        {"endpoint": endpoint, "keys": {"p256dh": b64(point), "auth": b64(secrets.token_bytes(16))}}
    )
    a, b = _user(postgres_url), _user(postgres_url)
    made, created = push_subscriptions.subscribe(settings, a, sub)
    assert created
    moved, created = push_subscriptions.subscribe(settings, b, sub)
    assert not created and moved.id == made.id
    assert preferences.get_preferences(settings, a).channels.push.subscriptions == 0
    assert preferences.get_preferences(settings, b).channels.push.subscriptions == 1
    with pytest.raises(NotFound):
        push_subscriptions.unsubscribe(settings, a, endpoint)
    push_subscriptions.unsubscribe(settings, b, endpoint)
    assert preferences.get_preferences(settings, b).channels.push.subscriptions == 0
