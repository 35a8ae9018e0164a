"""Read the local mailbox: the Maildir the local SMTP server (`localcloud.servers.smtp`) delivers into.

Why: locally every email the platform sends ends up here instead of in someone's inbox, so a newcomer
who starts a discovery can see the review request arrive (`algoarts mail list`) and read it as the
recipient would (`algoarts mail show <id>`): the headers that matter, the text part, or the HTML, or the
raw bytes as they were sent. Nothing here changes the Maildir (messages stay in ``new/``).

A message's id is its Maildir key (the file name without the ``:2,flags`` suffix); `show` takes any
unambiguous prefix of it. The Maildir format is read directly (new/ and cur/, dot-files skipped), so the
delivery time is the file's, and listing parses headers only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TextIO

from localcloud.paths import STATE_DIR

__all__ = [
    "DEFAULT_MAILDIR",
    "SHOWN_HEADERS",
    "MailNotFound",
    "MailSummary",
    "add_arguments",
    "body",
    "list_messages",
    "read_message",
    "read_raw",
    "render_list",
    "render_show",
    "run",
]

DEFAULT_MAILDIR = STATE_DIR / "mail"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "List-Unsubscribe", "List-Unsubscribe-Post")
_INFO_SEPARATOR = ":"  # Maildir: "<key>:2,<flags>" once a reader moved the message to cur/


class MailNotFound(LookupError):
    """No message (or more than one) has that id."""


@dataclass(frozen=True)
class MailSummary:
    """One line of `algoarts mail list`."""

    id: str
    date: str | None  # the Date header, ISO 8601
    sender: str
    to: str
    subject: str
    delivered_at: str  # when the file was written, ISO 8601 (local time)


@dataclass(frozen=True)
class _Entry:
    key: str
    path: Path
    mtime_ns: int


def _entries(maildir: Path) -> list[_Entry]:
    entries = []
    for sub in ("new", "cur"):
        folder = maildir / sub
        if not folder.is_dir():
            continue
        with os.scandir(folder) as scan:
            for item in scan:
                if item.name.startswith(".") or not item.is_file():
                    continue
                key = item.name.split(_INFO_SEPARATOR, 1)[0]
                entries.append(_Entry(key, Path(item.path), item.stat().st_mtime_ns))
    entries.sort(key=lambda e: (e.mtime_ns, e.key), reverse=True)  # newest delivery first
    return entries


def list_messages(maildir: Path = DEFAULT_MAILDIR, *, limit: int | None = None) -> list[MailSummary]:
    """The messages in ``maildir``, newest delivery first, at most ``limit`` of them."""
    summaries = []
    for entry in _entries(maildir)[:limit]:
        with entry.path.open("rb") as file:
            headers = BytesHeaderParser(policy=default_policy).parse(file)
        summaries.append(
            MailSummary(
                id=entry.key,
                date=_iso_date(headers.get("Date")),
                sender=str(headers.get("From", "")),
                to=str(headers.get("To", "")),
                subject=str(headers.get("Subject", "")),
                delivered_at=datetime.fromtimestamp(entry.mtime_ns / 1e9).astimezone().isoformat(timespec="seconds"),
            )
        )
    return summaries


def _find(maildir: Path, message_id: str) -> _Entry:
    matches = [e for e in _entries(maildir) if e.key == message_id] or [
        e for e in _entries(maildir) if e.key.startswith(message_id)
    ]
    if not message_id or not matches:
        raise MailNotFound(f"no message {message_id!r} in {maildir}")
    if len(matches) > 1:
        raise MailNotFound(f"{message_id!r} names {len(matches)} messages; give more of the id")
    return matches[0]


def read_raw(maildir: Path, message_id: str) -> bytes:
    """The message's bytes exactly as the SMTP server received them."""
    return _find(maildir, message_id).path.read_bytes()


def read_message(maildir: Path, message_id: str) -> EmailMessage:
    """The message parsed (headers decoded: RFC 2047 words become text)."""
    return BytesParser(policy=default_policy).parsebytes(read_raw(maildir, message_id))


def body(message: EmailMessage, *, html: bool = False) -> str:
    """The decoded text part (or the HTML part); empty when the message has none."""
    part = message.get_body(preferencelist=("html",) if html else ("plain",))
    if part is None:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def render_list(summaries: Sequence[MailSummary]) -> str:
    """A table: date, to, subject, id."""
    if not summaries:
        return "no messages\n"
    rows = [(_short_date(s), s.to, s.subject, s.id) for s in summaries]
    widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((16, 40, 60))]
    lines = []
    for date, to, subject, key in rows:
        cells = [_fit(date, widths[0]), _fit(to, widths[1]), _fit(subject, widths[2])]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + key)
    return "\n".join(lines) + "\n"


def render_show(message: EmailMessage, message_id: str, *, html: bool = False) -> str:
    """The headers that matter, then the text (or HTML) part."""
    lines = [f"Id: {message_id}"]
    lines += [f"{name}: {message[name]}" for name in SHOWN_HEADERS if message[name] is not None]
    text = body(message, html=html)
    return "\n".join(lines) + "\n\n" + text.replace("\r\n", "\n").rstrip("\n") + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`algoarts mail list|show`: the subcommands and their options (for localcloud/cli.py)."""
    actions = parser.add_subparsers(dest="mail_action", required=True)
    listing = actions.add_parser("list", help="the messages, newest first: date, to, subject, id")
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    listing.add_argument("--json", action="store_true", help="a JSON list instead of a table")
    show = actions.add_parser("show", help="one message: its headers and text part")
    show.add_argument("id", help="the message id from `mail list` (an unambiguous prefix is enough)")
    form = show.add_mutually_exclusive_group()
    form.add_argument("--html", action="store_true", help="the HTML part instead of the text")
    form.add_argument("--raw", action="store_true", help="the message exactly as it was received")
    for sub in (listing, show):
        sub.add_argument("--maildir", type=Path, default=DEFAULT_MAILDIR, help=f"default: {DEFAULT_MAILDIR}")


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run `algoarts mail list|show` with the parsed ``args``."""
    stdout = out or sys.stdout
    maildir: Path = args.maildir
    if args.mail_action == "list":
        if args.limit < 1:
            print("error: --limit must be at least 1", file=sys.stderr)
            return 2
        summaries = list_messages(maildir, limit=args.limit)
        if args.json:
            stdout.write(json.dumps([asdict(s) for s in summaries], ensure_ascii=False, indent=2) + "\n")
        else:
            stdout.write(render_list(summaries))
        return 0
    try:
        if args.raw:
            raw = read_raw(maildir, args.id)
            if out is None:
                sys.stdout.buffer.write(raw)
            else:
                stdout.write(raw.decode("utf-8", "replace"))
            return 0
        key = _find(maildir, args.id).key
        stdout.write(render_show(read_message(maildir, key), key, html=args.html))
    except MailNotFound as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0


def _iso_date(value: object) -> str | None:
    if value is None:
        return None
    try:
        return parsedate_to_datetime(str(value)).isoformat()
    except (TypeError, ValueError):
        return None


def _short_date(summary: MailSummary) -> str:
    when = summary.date or summary.delivered_at
    try:
        return datetime.fromisoformat(when).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return when


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
