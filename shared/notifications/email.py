"""Email: compose one notification as a MIME message, and send it over SMTP.

Why SMTP and not a provider's HTTP API: Yandex Cloud Postbox and Amazon SES both take mail over their
SMTP interfaces (STARTTLS on 587, a username and a password), and locally a real SMTP server on loopback
(`localcloud.servers.smtp`) receives it, so the same code path runs everywhere.

`compose` builds multipart/alternative (text, then HTML; UTF-8) with the headers a notification needs:
Date, a Message-ID (stable when derived from the delivery's dedup key, so a retried send is recognisable
as the same message), Content-Language, ``Auto-Submitted: auto-generated`` (RFC 3834: auto-responders
must not answer it) and, with an unsubscribe URL, RFC 8058 one-click unsubscribe::

    List-Unsubscribe: <https://app.algoarts.ru/v1/notifications/unsubscribe?token=...>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

RFC 8058 wants one HTTPS URI there (a mail client POSTs ``List-Unsubscribe=One-Click`` to it without
cookies or a login, so the URL carries a signed token identifying the recipient and the kind) and a DKIM
signature covering both headers (Postbox and SES sign for the verified domain). The header is written on
one line: Python's default folding would turn a long URL into RFC 2047 encoded words that no mail client
reads as a URI.

`send` maps every failure onto shared/notifications/errors.py: what may work later (refused connection,
timeout, a 4xx reply, a dropped connection, and configuration faults such as rejected credentials, which
must not lose the message) is `RetryableDelivery`; a 5xx reply to the recipient or the data is
`PermanentDelivery`. Reasons are short and never contain the password.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shared.notifications.errors import PermanentDelivery, RetryableDelivery

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["POLICY", "compose", "message_id_for", "send"]

ONE_CLICK = "List-Unsubscribe=One-Click"
MAX_REASON = 200
_UNFOLDED = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # RFC 5646, the part we use
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class _NotificationPolicy(EmailPolicy):
    """policy.SMTP (CRLF), with 7bit-safe bodies and the List-Unsubscribe headers never refolded."""

    def _fold(self, name: str, value: Any, *args: Any, **kwargs: Any) -> str:
        if name.lower() in _UNFOLDED:
            # ASCII only (checked in compose) and far below RFC 5322's 998-character line limit.
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, *args, **kwargs)  # type: ignore[misc]
        return folded


# cte_type="7bit": bodies go out quoted-printable or base64 (whichever is shorter), so no 8BITMIME is needed
# from any relay on the way.
POLICY = _NotificationPolicy(linesep="\r\n", cte_type="7bit")


def message_id_for(dedup_key: str, sender: str) -> str:
    """``<hash-of-the-dedup-key@the-sender's-domain>``: the same delivery always gets the same Message-ID."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{_domain(sender)}>"


def compose(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str | None,
    message_id: str | None = None,
    language: str = "ru",
) -> EmailMessage:
    """The notification as multipart/alternative (text and HTML). ``message_id`` is either a ready
    Message-ID (``<local@domain>``) or the delivery's dedup key, from which a stable one is derived; None
    makes a fresh one. ``unsubscribe_url`` must be https (http only for a loopback host, the local cloud)."""
    for name, value in (("sender", sender), ("to", to), ("subject", subject)):
        if not value or "\r" in value or "\n" in value:
            raise ValueError(f"{name} must be one non-empty line")
    if not _LANGUAGE.match(language):
        raise ValueError("language must be a language tag such as 'ru' or 'en'")
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    if message_id is None:
        message["Message-ID"] = make_msgid(domain=_domain(sender))
    elif message_id.startswith("<") and message_id.endswith(">") and "@" in message_id:
        message["Message-ID"] = message_id
    else:
        message["Message-ID"] = message_id_for(message_id, sender)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url is not None:
        _check_unsubscribe_url(unsubscribe_url)
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # A boundary of our own: otherwise every serialisation (the log's, smtplib's) invents another one.
    message.set_boundary(f"=_algoarts_{secrets.token_hex(12)}")
    # After the parts: set_content drops the message's Content-* headers, add_alternative moves them down.
    message["Content-Language"] = language
    return message


def send(settings: Settings, message: EmailMessage, *, secret: Callable[[str], str] | None = None) -> None:
    """Hand ``message`` to the SMTP server of ``settings`` (to its To address, from its From address).
    ``secret`` reads a secret by name (default `shared.secrets.read_secret`, cached 5 minutes)."""
    host = settings.smtp_host
    if not host:
        raise RetryableDelivery("smtp not configured")
    password: str | None = None
    if settings.smtp_username:
        if not settings.smtp_password_secret:
            raise RetryableDelivery("smtp username without a password secret")
        if not settings.smtp_starttls and not _is_loopback(host):
            raise RetryableDelivery("smtp credentials refused without TLS to a non-loopback host")
        if secret is None:
            from shared.secrets import read_secret

            secret = read_secret
        password = secret(settings.smtp_password_secret)
    try:
        _transmit(settings, host, message, password)
    except (RetryableDelivery, PermanentDelivery) as exc:
        raise type(exc)(_scrub(exc.reason, password)) from None


def _transmit(settings: Settings, host: str, message: EmailMessage, password: str | None) -> None:
    stage = ["connect"]  # how far the session got, for the reason
    try:
        with smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as client:
            stage[0] = "ehlo"
            client.ehlo()
            if settings.smtp_starttls:
                stage[0] = "starttls"
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if password is not None and settings.smtp_username:
                stage[0] = "auth"
                client.login(settings.smtp_username, password)
            stage[0] = "send"
            refused = client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise _failure(exc, stage[0]) from None
    if refused:  # some recipients refused and others accepted: not with one recipient, but never silently
        raise _refusal("RCPT", *next(iter(refused.values())))


def _failure(exc: smtplib.SMTPException | OSError, stage: str) -> RetryableDelivery | PermanentDelivery:
    """What a failed SMTP session means for the message: only a 5xx for the recipient or the data is final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return _refusal("RCPT", code, reply)
    if isinstance(exc, smtplib.SMTPDataError):
        return _refusal("DATA", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Wrong or rotated credentials: a configuration fault; keep the message until it is fixed.
        reason = f"smtp authentication failed ({exc.smtp_code})"
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        # Our own From refused (an unverified domain in SES/Postbox): configuration, not the recipient's.
        reason = f"smtp {exc.smtp_code} at MAIL FROM: {_text(exc.smtp_error)}"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        reason = f"smtp server does not support {stage}: {_text(str(exc))}"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        # smtplib reports a reply that timed out as a disconnection; the timeout is its context.
        timed_out = isinstance(exc.__context__, TimeoutError)
        reason = f"smtp {'timeout' if timed_out else 'server disconnected'} at {stage}"
    elif isinstance(exc, smtplib.SMTPResponseException):  # the greeting, HELO or STARTTLS refused
        reason = f"smtp {exc.smtp_code} at {stage}: {_text(exc.smtp_error)}"
    elif isinstance(exc, smtplib.SMTPException):
        reason = f"smtp error at {stage}: {type(exc).__name__}"
    elif isinstance(exc, ssl.SSLError):
        reason = f"smtp tls failed: {exc.reason or type(exc).__name__}"
    elif isinstance(exc, TimeoutError):
        reason = f"smtp timeout at {stage}"
    else:  # refused, unreachable, reset, DNS
        reason = f"smtp connection failed at {stage}: {type(exc).__name__}"
    return RetryableDelivery(reason)


def _refusal(command: str, code: int, reply: bytes | str) -> RetryableDelivery | PermanentDelivery:
    reason = f"smtp {code} at {command}: {_text(reply)}"
    return PermanentDelivery(reason) if 500 <= code <= 599 else RetryableDelivery(reason)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:MAX_REASON]


def _scrub(reason: str, password: str | None) -> str:
    """A server may echo what it got; the password never reaches the delivery log."""
    return reason.replace(password, "***") if password else reason


def _domain(sender: str) -> str:
    _name, address = parseaddr(sender)
    domain = address.rpartition("@")[2]
    return domain or "algoarts.ru"


def _check_unsubscribe_url(url: str) -> None:
    if not url.isascii() or any(c.isspace() for c in url) or ">" in url or "," in url:
        raise ValueError("the unsubscribe URL must be an ASCII URI without spaces, '>' or ','")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return  # the local cloud: no TLS on loopback
    raise ValueError("RFC 8058 one-click unsubscribe needs an https URL")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
