"""The Maildir reader behind `algoarts mail`: order, ids, prefixes, and messages a mail client already read.

Why: the integration test sends through the SMTP server and reads back the newest message; these cover
the Maildir cases it does not reach: a message moved to cur/ with its ``:2,S`` flags (a mail client opened
the folder), an ambiguous or unknown id, a limit, newest-first by delivery time rather than by name, and a
message without an HTML part.
"""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

import pytest

from localcloud.mail import MailNotFound, body, list_messages, read_message, read_raw, render_list, render_show

RAW = (
    "From: ALGORITHMIC ARTS <noreply@algoarts.ru>\r\n"
    "To: ivan@example.ru\r\n"
    "Subject: =?utf-8?b?{subject}?=\r\n"
    "Date: Mon, 06 Oct 2025 09:30:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: text/plain; charset="utf-8"\r\n'
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "{text}\r\n"
)


def _raw(subject: str, text: str) -> bytes:
    import base64

    encoded = base64.b64encode(subject.encode()).decode()
    return RAW.format(subject=encoded, text=text).encode()


def _deliver(box: mailbox.Maildir, root: Path, subject: str, mtime: int) -> str:
    key = box.add(_raw(subject, f"Текст: {subject}"))
    os.utime(root / "new" / key, (mtime, mtime))
    return key


def test_newest_delivery_first_with_a_limit_and_messages_in_cur(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    box = mailbox.Maildir(root, create=True)
    old = _deliver(box, root, "Старое", 1_700_000_000)
    new = _deliver(box, root, "Новое", 1_700_000_900)
    mid = _deliver(box, root, "Среднее", 1_700_000_500)
    # A mail client read "Среднее": it moves to cur/ with the info suffix, keeping its key.
    os.rename(root / "new" / mid, root / "cur" / f"{mid}:2,S")
    (root / "new" / ".hidden").write_bytes(b"not a message")

    listed = list_messages(root)
    assert [m.subject for m in listed] == ["Новое", "Среднее", "Старое"]
    assert [m.id for m in listed] == [new, mid, old]
    assert listed[0].date == "2025-10-06T09:30:00+00:00" and listed[0].to == "ivan@example.ru"
    assert [m.subject for m in list_messages(root, limit=1)] == ["Новое"]
    table = render_list(listed)
    assert table.splitlines()[0].startswith("2025-10-06") and table.splitlines()[0].endswith(new)

    assert body(read_message(root, mid)).strip() == "Текст: Среднее"
    assert read_raw(root, mid) == _raw("Среднее", "Текст: Среднее")


def test_ids_resolve_by_unambiguous_prefix_only(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    box = mailbox.Maildir(root, create=True)
    first = _deliver(box, root, "Первое", 1_700_000_000)
    second = _deliver(box, root, "Второе", 1_700_000_100)
    common = next(first[:i] for i in range(len(first)) if first[i] != second[i])  # keys share a time prefix
    assert common
    with pytest.raises(MailNotFound, match="names 2 messages"):
        read_raw(root, common)
    with pytest.raises(MailNotFound, match="no message"):
        read_raw(root, "zzz")
    with pytest.raises(MailNotFound):
        read_raw(root, "")
    unique = first[: len(common) + 1]
    assert read_raw(root, unique) == (root / "new" / first).read_bytes()


def test_show_prints_the_headers_that_matter_and_no_html_when_there_is_none(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    key = _deliver(mailbox.Maildir(root, create=True), root, "Тема", 1_700_000_000)
    message = read_message(root, key)
    shown = render_show(message, key)
    assert shown.startswith(f"Id: {key}\nFrom: ALGORITHMIC ARTS <noreply@algoarts.ru>\nTo: ivan@example.ru\n")
    assert "Subject: Тема\n" in shown and "List-Unsubscribe" not in shown
    assert shown.endswith("\n\nТекст: Тема\n")
    assert body(message, html=True) == ""


def test_a_missing_maildir_lists_nothing(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "absent") == []
    assert render_list([]) == "no messages\n"
