"""POST /v1/notifications/telegram/webhook (TelegramWebhookFunction, public: Telegram calls it): a forged
call (wrong or missing X-Telegram-Bot-Api-Secret-Token) is 401; `/start <token>` from a deep link binds the
chat to the token's user once; anything else, malformed updates included, is 200 {"ok": true} so Telegram
does not retry. The reply to the chat is best effort: here the Bot API is a closed port, and the binding
stands all the same."""

from __future__ import annotations

import json
import secrets
import uuid
from types import ModuleType
from typing import Any

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, row, rows

BOT_TOKEN = f"{secrets.randbelow(10**9)}:AA{secrets.token_urlsafe(30)}"
SECRET = f"test/telegram-bot-token-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def bot_token(aws_endpoint: str) -> str:
    from localcloud.runtime import boto_session

    boto_session(aws_endpoint).client("secretsmanager").create_secret(Name=SECRET, SecretString=BOT_TOKEN)
    return BOT_TOKEN


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, bot_token: str,
    closed_port: int,
) -> ModuleType:  # fmt: skip
    return cold_start(
        monkeypatch, "notifications", "telegram_webhook", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, telegram_bot_token_secret=SECRET, telegram_api_url=f"http://127.0.0.1:{closed_port}",
    )  # fmt: skip


def _secret() -> str:
    from shared.notifications.telegram import webhook_secret

    return webhook_secret(BOT_TOKEN)


def _update(text: str, chat_id: int) -> dict[str, Any]:
    return {
        "update_id": secrets.randbelow(10**9),
        "message": {
            "message_id": 7, "date": 1795000000, "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": "Ольга"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ольга", "language_code": "ru"},
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}] if text.startswith("/start") else [],
        },
    }  # fmt: skip


def _post(fn: ModuleType, body: Any, secret: str | None) -> Any:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    ev = request("telegram_webhook", headers=headers)
    if secret is None:  # the sample event carries one
        ev["headers"].pop("x-telegram-bot-api-secret-token", None)
    ev["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return call(fn, ev)


def _link(postgres_url: str, user_id: str) -> str:
    from shared.notifications.linking import create_link
    from shared.settings import Settings

    link = create_link(Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0"), user_id)
    return link.url.split("start=", 1)[1]


def _chat_of(postgres_url: str, user_id: object) -> int | None:
    found = rows(postgres_url, "SELECT telegram_chat_id FROM notification_settings WHERE user_id = %s", user_id)
    return found[0]["telegram_chat_id"] if found else None


def test_start_binds_the_chat_once(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    token = _link(postgres_url, str(user.id))
    chat = 600_000_000 + secrets.randbelow(10**8)
    answer = _post(fn, _update(f"/start {token}", chat), _secret())
    assert answer.status == 200 and answer.body == {"ok": True}
    assert _chat_of(postgres_url, user.id) == chat
    spent = row(postgres_url, "SELECT used_at FROM telegram_link_tokens WHERE user_id = %s", user.id)
    assert spent["used_at"] is not None

    # The same link again (another chat): refused, 200 so Telegram does not retry; the first binding stands.
    again = _post(fn, _update(f"/start {token}", chat + 1), _secret())
    assert again.status == 200 and again.body == {"ok": True}
    assert _chat_of(postgres_url, user.id) == chat


@pytest.mark.parametrize("secret", [None, "", "forged-secret-token"])
def test_a_forged_call_is_401_and_binds_nothing(fn: ModuleType, postgres_url: str, secret: str | None) -> None:
    user = account(postgres_url)
    token = _link(postgres_url, str(user.id))
    answer = _post(fn, _update(f"/start {token}", 42), secret)
    assert_problem(answer, 401, "X-Telegram-Bot-Api-Secret-Token")
    assert _chat_of(postgres_url, user.id) is None


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", "{}", _update("hello", 43), _update("/start", 44), _update("/start made-up-token", 45),
     {"update_id": 1, "edited_message": {"text": "/start x"}}, {"update_id": 2, "message": {"text": 5}}],
)  # fmt: skip
def test_anything_else_is_200(fn: ModuleType, body: Any) -> None:
    answer = _post(fn, body, _secret())
    assert answer.status == 200 and answer.body == {"ok": True}


def test_it_is_public_no_signed_in_caller_needed(fn: ModuleType, postgres_url: str) -> None:
    ev = request("telegram_webhook", principal(user=account(postgres_url)))  # an authorizer context changes nothing
    ev["headers"]["x-telegram-bot-api-secret-token"] = _secret()
    ev["body"] = json.dumps(_update("hi", 46))
    assert call(fn, ev).status == 200
