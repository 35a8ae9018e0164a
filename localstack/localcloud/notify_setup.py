"""The local stand-ins the notification senders talk to, their secrets, and the demo accounts' channels.

Why: production sends email through an SMTP relay (Yandex Cloud Postbox or Amazon SES), Telegram messages
through the Bot API and web push through browsers' push services, all over the internet. Locally each is a
server on 127.0.0.1 speaking the same protocol (localcloud/servers/smtp.py, telegram.py, webpush.py), so the
same senders run unchanged and a newcomer sees everything that was sent:

* email lands in the Maildir `.state/local/mail` (`algoarts mail list|show`), through AUTH on the local SMTP
  server (no TLS on loopback: the sender allows that only for a loopback host);
* Telegram messages are appended to `.state/local/logs/telegram-messages.jsonl`; the bot's webhook is set to
  the API's `/v1/notifications/telegram/webhook` with the derived secret token, as production's is;
* push messages, decrypted by the stand-in (which also plays the browser), to `.state/local/logs/push-messages.jsonl`.

Also the local web origin (servers/app_proxy.py), which is the stack's `PublicAppUrl`: the links in messages
and the unsubscribe URLs point at it, and it forwards to the API.

The secrets (the SMTP password, the bot token, the VAPID key, the signing key) are generated once per checkout,
kept in secrets.json and written to the emulator's Secrets Manager under the names the settings default to,
where the functions read them exactly as on AWS.
"""

from __future__ import annotations

import secrets
import sys
import time
from pathlib import Path

from localcloud import paths, process
from localcloud.paths import STATE_DIR
from localcloud.runtime import CloudState, PartState, boto_session, load_secrets, save_secrets

SMTP_USER = "algoarts"
MAILDIR = STATE_DIR / "mail"
TELEGRAM_LOG = STATE_DIR / "logs" / "telegram-messages.jsonl"
PUSH_LOG = STATE_DIR / "logs" / "push-messages.jsonl"
BOT_USERNAME = "algoarts_local_bot"
SMTP_ADMIN_PORT = STATE_DIR / "notify" / "smtp-admin-port"
SECRETS = {  # secrets.json key -> the secret's name (the settings' defaults)
    "smtp_password": "algoarts/smtp-password",
    "telegram_bot_token": "algoarts/telegram-bot-token",
    "vapid_private_key": "algoarts/vapid-private-key",
    "notification_signing_key": "algoarts/notification-signing-key",
}


def _secret_values() -> dict[str, str]:
    """The notification secrets of this checkout, created on first use."""
    stored = load_secrets()
    changed = False
    for key in SECRETS:
        if key in stored:
            continue
        if key == "telegram_bot_token":  # the shape BotFather gives: <bot id>:<35 characters>
            stored[key] = f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)[:35]}"
        elif key == "vapid_private_key":
            from shared.notifications.webpush import generate_vapid_key

            stored[key] = generate_vapid_key()
        else:
            stored[key] = secrets.token_urlsafe(32)
        changed = True
    if changed:
        save_secrets(stored)
    return {key: stored[key] for key in SECRETS}


def _spawn(state: CloudState, name: str, argv: list[str], ready_port: int, what: str) -> PartState:
    log = STATE_DIR / "logs" / f"{name}.log"
    started = time.monotonic()
    pid = process.spawn(argv, log)
    part = PartState(name=name, pid=pid, port=ready_port, url=f"127.0.0.1:{ready_port}", log=str(log))
    state.parts[name] = part
    state.save()
    process.wait_ready(name, pid, log, lambda: process.port_taken(ready_port), 30.0)
    print(f"  {name:<11} 127.0.0.1:{ready_port}  ({time.monotonic() - started:.1f} s, {what})", flush=True)
    return part


def _file(folder: Path, name: str, value: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.touch(mode=0o600)
    path.write_text(value, "utf-8")
    return path


def start(state: CloudState) -> None:
    """The web origin and the three stand-ins on free loopback ports; sets the stack's notification parameters."""
    values = _secret_values()
    folder = STATE_DIR / "notify"
    py = sys.executable
    app_port = process.free_port()
    _spawn(
        state,
        "app",
        [py, "-m", "localcloud.servers.app_proxy", "--port", str(app_port), "--state", str(STATE_DIR)],
        app_port,
        "web origin -> API",
    )
    smtp_port, smtp_admin = process.free_port(), process.free_port()
    password_file = _file(folder, "smtp-password", values["smtp_password"])
    smtp_argv = [py, "-m", "localcloud.servers.smtp", "--port", str(smtp_port), "--maildir", str(MAILDIR)]
    smtp_argv += ["--username", SMTP_USER, "--password-file", str(password_file), "--admin-port", str(smtp_admin)]
    _spawn(state, "smtp", smtp_argv, smtp_port, f"mail to {paths.shown(MAILDIR)}")
    SMTP_ADMIN_PORT.write_text(str(smtp_admin), "utf-8")  # for tests scripting SMTP faults
    tg_port = process.free_port()
    token_file = _file(folder, "telegram-token", values["telegram_bot_token"])
    tg_argv = [py, "-m", "localcloud.servers.telegram", "--port", str(tg_port), "--token-file", str(token_file)]
    tg_argv += ["--username", BOT_USERNAME, "--log", str(TELEGRAM_LOG)]
    _spawn(state, "telegram", tg_argv, tg_port, "Bot API stand-in")
    push_port = process.free_port()
    _spawn(
        state,
        "webpush",
        [py, "-m", "localcloud.servers.webpush", "--port", str(push_port), "--log", str(PUSH_LOG)],
        push_port,
        "push service stand-in",
    )
    state.parameters.update(
        PublicAppUrl=f"http://127.0.0.1:{app_port}",
        SmtpHost="127.0.0.1",
        SmtpPort=str(smtp_port),
        SmtpStarttls="false",
        SmtpUsername=SMTP_USER,
        SmtpPasswordSecret=SECRETS["smtp_password"],
        TelegramApiUrl=f"http://127.0.0.1:{tg_port}",
        TelegramBotUsername=BOT_USERNAME,
    )
    state.save()


def provision_secrets(state: CloudState) -> None:
    client = boto_session(state.endpoint).client("secretsmanager")
    for key, value in _secret_values().items():
        name = SECRETS[key]
        try:
            client.create_secret(Name=name, SecretString=value)
        except client.exceptions.ResourceExistsException:
            client.put_secret_value(SecretId=name, SecretString=value)


DEMO_CHAT_BASE = 7_000_000  # the demo accounts' Telegram chat ids: base + their place in the list


def telegram_script(state: CloudState, command: dict[str, object]) -> dict[str, object]:
    """One admin command to the Telegram stand-in (see localcloud/servers/telegram.py)."""
    import httpx

    port = state.parts["telegram"].port
    key = _secret_values()["telegram_bot_token"]
    answer = httpx.post(f"http://127.0.0.1:{port}/_fake/script", json=command, headers={"X-Fake-Admin-Key": key})
    answer.raise_for_status()
    result = answer.json()
    return dict(result) if isinstance(result, dict) else {"result": result}


def connect(state: CloudState, accounts: list[tuple[str, str, str]]) -> None:
    """After the deploy: the bot's webhook set to the API, as production's is (setWebhook with the derived
    secret token), and each demo account's Telegram chat linked the way a user links one: a deep link from
    POST /v1/notifications/telegram/link, then `/start <token>` written to the bot in the stand-in, which
    Telegram-like posts the update to the webhook."""
    import httpx

    from shared.notifications.telegram import BotApi, webhook_secret

    token = _secret_values()["telegram_bot_token"]
    with BotApi(state.parameters["TelegramApiUrl"], token) as bot:
        bot.set_webhook(f"{state.api_url}/v1/notifications/telegram/webhook", webhook_secret(token))
    linked = 0
    with httpx.Client(base_url=state.api_url, timeout=30) as api:
        for n, (role, email, password) in enumerate(accounts):
            login = api.post("/v1/auth/login", json={"email": email, "password": password})
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            link = api.post("/v1/notifications/telegram/link", headers=headers)
            link.raise_for_status()
            start = str(link.json()["url"]).rsplit("start=", 1)[1]
            chat = {"chat_id": DEMO_CHAT_BASE + n, "text": f"/start {start}", "first_name": f"Demo {role}"}
            result = telegram_script(state, {"write": chat})
            if result.get("webhook_status") != 200:
                raise process.PartFailed(f"linking {email}'s Telegram chat failed: {result.get('error')}")
            linked += 1
    print(f"  telegram    webhook set, {linked} demo chats linked (messages: {TELEGRAM_LOG})", flush=True)
