"""The unsubscribe link of every email: `GET|POST /v1/notifications/unsubscribe?token=...`, no login.

The email sender puts a signed token in `List-Unsubscribe` (and in the footer's link): claims `u` the user,
`k` the kind (or "*": every kind), `c` the channel ("email"), signed with the notification signing key
(shared/notifications/tokens.py). Whoever holds the link may turn that one preference off, nothing else;
a token tampered with, expired or made up is 400 naming `token`.

GET does not change anything: it answers a small page saying what the link turns off, with a button that
POSTs. Mail scanners and link previewers fetch every URL in a message (Outlook's Safe Links, Gmail's
proxies, corporate gateways); if GET turned email off, users would find themselves unsubscribed by a robot
and never know why. RFC 8058 is built on the same reasoning: a mail client's one-click unsubscribe is a
POST with the body `List-Unsubscribe=One-Click`, and the URL must not act on GET. So POST (from the mail
client, or the page's button) turns the preference off and answers 200; the page's POST answers a page
saying it is done, a mail client's gets JSON. Turning it back on is in the preferences, signed in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from shared.errors import DomainError
from shared.notifications.kinds import CHANNELS, kinds
from shared.notifications.model import Unsubscribed
from shared.notifications.preferences import EVERY_KIND, set_enabled, transaction

if TYPE_CHECKING:
    from shared.http.messages import Language
    from shared.settings import Settings

__all__ = ["PURPOSE", "InvalidUnsubscribeToken", "Target", "apply", "confirmation_page", "done_page", "target"]

PURPOSE = "unsubscribe"


class InvalidUnsubscribeToken(DomainError):
    status = 400
    title = "Bad request"


def _invalid() -> InvalidUnsubscribeToken:
    return InvalidUnsubscribeToken(
        "the unsubscribe link is not valid (changed, expired or incomplete): use the link of a recent email, or "
        "change notifications in your preferences",
        field="token",
        ru="Ссылка для отписки недействительна (изменена, устарела или обрезана): воспользуйтесь ссылкой из "
        "свежего письма или измените уведомления в настройках",
    )


@dataclass(frozen=True)
class Target:
    """What one unsubscribe token names: the user, the kind (or "*") and the channel."""

    user_id: str
    kind: str
    channel: str

    def label(self, language: Language) -> str:
        if self.kind == EVERY_KIND:
            return "все уведомления" if language == "ru" else "every notification"
        return kinds()[self.kind].label[language]


def target(settings: Settings, token: str | None) -> Target:
    """The token's claims, verified; 400 naming `token` for a missing, tampered, expired or unknown one."""
    from shared.notifications.tokens import InvalidToken, signing_key, verify

    if not token:
        raise _invalid()
    try:
        claims: Any = verify(signing_key(settings), PURPOSE, token)
    except InvalidToken:
        raise _invalid() from None
    try:
        found = Target(user_id=str(claims["u"]), kind=str(claims["k"]), channel=str(claims["c"]))
    except (KeyError, TypeError):
        raise _invalid() from None
    if found.channel not in CHANNELS or (found.kind != EVERY_KIND and found.kind not in kinds()):
        raise _invalid()
    return found


def apply(settings: Settings, token: str | None) -> tuple[Target, Unsubscribed]:
    """POST: the preference the token names turned off (idempotent). For "*" every kind's channel is turned
    off, including kinds the user had turned on one by one and kinds added later."""
    found = target(settings, token)
    with transaction(settings) as conn:
        db = cast(Any, conn)
        if db.execute("SELECT 1 FROM users WHERE id = %s", (found.user_id,)).fetchone() is None:
            raise _invalid()  # the account is gone: nothing to unsubscribe
        set_enabled(conn, found.user_id, found.kind, found.channel, False)
        if found.kind == EVERY_KIND:
            db.execute(
                "UPDATE notification_preferences SET enabled = FALSE, updated_at = NOW() "
                "WHERE user_id = %s AND channel = %s AND enabled",
                (found.user_id, found.channel),
            )
    return found, Unsubscribed(kind=found.kind, channel=found.channel)


# --- the pages ---------------------------------------------------------------------------------------------

_CHANNEL_NAMES = {
    "ru": {"email": "по электронной почте", "telegram": "в Telegram", "push": "push-уведомлениями", "inapp": ""},
    "en": {"email": "by email", "telegram": "on Telegram", "push": "as push notifications", "inapp": ""},
}

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#222}}
button{{font:inherit;padding:.5em 1.2em;border-radius:.4em;border:1px solid #555;background:#222;color:#fff}}
</style>
</head><body><h1>{title}</h1>{content}</body></html>"""


def _page(language: Language, title: str, content: str) -> str:
    return _PAGE.format(lang=language, title=html.escape(title), content=content)


def confirmation_page(found: Target, token: str, language: Language) -> str:
    """GET: what the link turns off, and the button that does it (a POST to the same address)."""
    what = html.escape(found.label(language))
    how = html.escape(_CHANNEL_NAMES[language].get(found.channel, found.channel))
    action = "?token=" + quote(token, safe="")
    if language == "ru":
        title, button = "Отписаться от уведомлений", "Отписаться"
        text = f"<p>Больше не присылать <strong>{what}</strong> {how}?</p>"
    else:
        title, button = "Unsubscribe", "Unsubscribe"
        text = f"<p>Stop sending <strong>{what}</strong> {how}?</p>"
    form = (
        f'<form method="post" action="{html.escape(action)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{button}</button></form>'
    )
    return _page(language, title, text + form)


def done_page(found: Target, language: Language, public_app_url: str) -> str:
    """POST from the page: it is done, and where to turn it back on."""
    what = html.escape(found.label(language))
    how = html.escape(_CHANNEL_NAMES[language].get(found.channel, found.channel))
    settings_url = html.escape(public_app_url.rstrip("/") + "/settings/notifications")
    if language == "ru":
        title = "Вы отписались"
        text = (
            f"<p>Мы больше не будем присылать <strong>{what}</strong> {how}.</p>"
            f'<p>Вернуть их можно в <a href="{settings_url}">настройках уведомлений</a>.</p>'
        )
    else:
        title = "You are unsubscribed"
        text = (
            f"<p>We will no longer send <strong>{what}</strong> {how}.</p>"
            f'<p>You can turn them back on in your <a href="{settings_url}">notification settings</a>.</p>'
        )
    return _page(language, title, text)
