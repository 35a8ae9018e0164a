"""The email channel end to end over real SMTP: compose, send with smtplib, the local server's Maildir, the CLI.

Why: a notification email must arrive whole (text and HTML both decodable, a Russian subject intact, the
RFC 8058 unsubscribe headers a mail client acts on), and each way delivery can fail must come back as the
error the sender function acts on: retry later (the server is down, slow, says 4xx, or refuses our
credentials: a configuration fault that must not lose the message) or never (5xx for the recipient or
the content). The server is `localcloud.servers.smtp.LocalSmtpServer` (aiosmtpd) on 127.0.0.1, the one
`make dev` runs; faults are scripted on it. The last tests read what it stored through `algoarts mail` and
start the server as the local cloud does (a process printing READY, scripted over its admin port).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from localcloud.servers.smtp import LocalSmtpServer
from shared.notifications.email import compose, message_id_for, send
from shared.notifications.errors import PermanentDelivery, RetryableDelivery
from shared.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "algoarts-notifications"
PASSWORD = secrets.token_urlsafe(24)
SECRET_NAME = "algoarts/test-smtp-password"
SENDER = "ALGORITHMIC ARTS <noreply@algoarts.ru>"
SUBJECT = "Черновик письма ждёт вашей проверки: «Поисковые сервисы» — 3 кандидата"
TEXT = "Здравствуйте, Иван!\n\nЧерновик письма партнёру ждёт вашей проверки.\nОткройте: https://app.algoarts.ru/d/1\n"
HTML = "<html><body><p>Здравствуйте, Иван!</p><p>Черновик ждёт <a href='https://app.algoarts.ru/d/1'>проверки</a>.</p></body></html>"
UNSUBSCRIBE = "https://app.algoarts.ru/v1/notifications/unsubscribe?token=" + "eyJhbGciOiJIUzI1NiJ9." + "x" * 160


def _settings(port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "postgresql://x@127.0.0.1/x",
        "redis_url": "redis://127.0.0.1:9",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_username": USERNAME,
        "smtp_password_secret": SECRET_NAME,
        "smtp_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


def _secret(name: str) -> str:
    assert name == SECRET_NAME
    return PASSWORD


def _message(dedup_key: str = "evt-1:user-1:email", to: str = "Иван Петров <ivan@example.ru>") -> EmailMessage:
    return compose(
        sender=SENDER,
        to=to,
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
        unsubscribe_url=UNSUBSCRIBE,
        message_id=dedup_key,
        language="ru",
    )


def _stored(server: LocalSmtpServer) -> list[Path]:
    return sorted((server.maildir / "new").iterdir())


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(tmp_path_factory.mktemp("smtp") / "mail", username=USERNAME, password=PASSWORD) as server:
        yield server


@pytest.fixture
def server(smtp: LocalSmtpServer) -> LocalSmtpServer:
    smtp.reset()
    return smtp


def test_a_sent_message_lands_in_the_maildir_whole(server: LocalSmtpServer) -> None:
    before = set(_stored(server))
    message = _message()
    send(_settings(server.port), message, secret=_secret)

    [path] = set(_stored(server)) - before
    raw = path.read_bytes()
    # What is stored is exactly what smtplib sent: the message's own serialisation, CRLF line ends kept.
    assert raw == message.as_bytes()
    assert raw.isascii()  # RFC 2047 headers, base64/quoted-printable bodies: no 8BITMIME needed anywhere

    stored = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(stored, EmailMessage)
    assert stored["Subject"] == SUBJECT
    assert stored["From"] == SENDER
    assert stored["To"].addresses[0].display_name == "Иван Петров"
    assert stored.get_content_type() == "multipart/alternative"
    plain, html = stored.get_body(("plain",)), stored.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert plain.get_content_charset() == "utf-8"
    assert "Черновик ждёт <a href='https://app.algoarts.ru/d/1'>проверки</a>" in html.get_content()
    assert stored["Content-Language"] == "ru"
    assert stored["Auto-Submitted"] == "auto-generated"
    assert stored["Date"].datetime is not None
    # RFC 8058: one https URI in angle brackets, on one line (not folded into encoded words), and the POST hint.
    assert f"\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode() in raw
    assert stored["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The envelope: sender and recipient addresses, and who authenticated.
    [received] = server.received
    assert received.mail_from == "noreply@algoarts.ru" and received.rcpt_tos == ("ivan@example.ru",)
    assert received.authenticated_as == USERNAME and received.key == path.name.split(":")[0]


def test_the_message_id_is_stable_per_dedup_key(server: LocalSmtpServer) -> None:
    first, again, other = _message("evt-7:user-1:email"), _message("evt-7:user-1:email"), _message("evt-8:user-1:email")
    assert first["Message-ID"] == again["Message-ID"] == message_id_for("evt-7:user-1:email", SENDER)
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@algoarts.ru>")
    send(_settings(server.port), first, secret=_secret)
    send(_settings(server.port), again, secret=_secret)  # a retried send: the same message, recognisably
    assert [r.message_id for r in server.received] == [first["Message-ID"]] * 2


def test_auth_is_required_and_a_wrong_password_is_retryable(server: LocalSmtpServer) -> None:
    count = len(_stored(server))
    with pytest.raises(RetryableDelivery) as no_auth:
        send(_settings(server.port, smtp_username=None, smtp_password_secret=None), _message())
    assert no_auth.value.reason.startswith("smtp 530 at MAIL FROM")
    wrong = "wrong-" + secrets.token_urlsafe(8)
    with pytest.raises(RetryableDelivery) as bad_password:
        send(_settings(server.port), _message(), secret=lambda _name: wrong)
    assert bad_password.value.reason == "smtp authentication failed (535)"
    assert wrong not in bad_password.value.reason and PASSWORD not in bad_password.value.reason
    assert len(_stored(server)) == count and server.received == []


def test_scripted_4xx_is_retryable_and_5xx_is_permanent(server: LocalSmtpServer) -> None:
    count = len(_stored(server))
    settings = _settings(server.port)
    server.fail_next(1, 451, "4.7.1 Greylisted, try again in 60 seconds")
    with pytest.raises(RetryableDelivery) as greylisted:
        send(settings, _message(), secret=_secret)
    assert greylisted.value.reason == "smtp 451 at RCPT: 4.7.1 Greylisted, try again in 60 seconds"
    server.fail_next(1, 550, "5.1.1 Mailbox does not exist")
    with pytest.raises(PermanentDelivery) as unknown:
        send(settings, _message(), secret=_secret)
    assert unknown.value.reason == "smtp 550 at RCPT: 5.1.1 Mailbox does not exist"
    server.fail_next(1, 452, at="data")
    with pytest.raises(RetryableDelivery) as full:
        send(settings, _message(), secret=_secret)
    assert full.value.reason.startswith("smtp 452 at DATA")
    server.fail_next(1, 554, "5.6.0 Content rejected", at="data")
    with pytest.raises(PermanentDelivery) as rejected:
        send(settings, _message(), secret=_secret)
    assert rejected.value.reason == "smtp 554 at DATA: 5.6.0 Content rejected"
    assert len(_stored(server)) == count
    send(settings, _message(), secret=_secret)  # the faults are spent: the next one is delivered
    assert len(_stored(server)) == count + 1


def test_a_stopped_server_or_one_that_never_answers_is_retryable(tmp_path: Path) -> None:
    with LocalSmtpServer(tmp_path / "mail") as stopped:
        port = stopped.port
    with pytest.raises(RetryableDelivery) as refused:
        send(_settings(port, smtp_username=None), _message())
    assert refused.value.reason == "smtp connection failed at connect: ConnectionRefusedError"

    with socket.socket() as silent:  # accepts the connection (backlog) and never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings = _settings(silent.getsockname()[1], smtp_username=None, smtp_timeout_seconds=0.5)
        with pytest.raises(RetryableDelivery) as slow:
            send(settings, _message())
    assert slow.value.reason == "smtp timeout at connect"


def test_configuration_faults_keep_the_message(server: LocalSmtpServer) -> None:
    with pytest.raises(RetryableDelivery) as unset:
        send(_settings(server.port, smtp_host=None), _message())
    assert unset.value.reason == "smtp not configured"
    # STARTTLS required but the server offers none: never fall back to plaintext.
    with pytest.raises(RetryableDelivery) as no_tls:
        send(_settings(server.port, smtp_starttls=True), _message(), secret=_secret)
    assert no_tls.value.reason.startswith("smtp server does not support starttls")
    # Credentials in the clear to a host that is not loopback are refused before any connection.
    asked: list[str] = []

    def read(name: str) -> str:
        asked.append(name)
        return PASSWORD

    with pytest.raises(RetryableDelivery) as cleartext:
        send(_settings(25, smtp_host="smtp.example.org"), _message(), secret=read)
    assert cleartext.value.reason == "smtp credentials refused without TLS to a non-loopback host"
    assert asked == [] and server.received == []


def test_compose_refuses_a_non_https_unsubscribe_url_and_header_injection() -> None:
    base: dict[str, Any] = {"sender": SENDER, "to": "ivan@example.ru", "subject": "s", "text": "t", "html": "<p>t</p>"}
    with pytest.raises(ValueError, match="https"):
        compose(**base, unsubscribe_url="http://app.algoarts.ru/v1/notifications/unsubscribe?token=t")
    with pytest.raises(ValueError):
        compose(**{**base, "subject": "hi\r\nBcc: victim@example.org"}, unsubscribe_url=None)
    local = compose(**base, unsubscribe_url="http://127.0.0.1:8080/v1/notifications/unsubscribe?token=t")
    assert local["List-Unsubscribe"] == "<http://127.0.0.1:8080/v1/notifications/unsubscribe?token=t>"
    bare = compose(**base, unsubscribe_url=None)
    assert bare["List-Unsubscribe"] is None and bare["List-Unsubscribe-Post"] is None


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway CA-flagged certificate for 127.0.0.1 and its key (PEM files)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.crt", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_starttls_then_auth_as_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with LocalSmtpServer(tmp_path / "mail", username=USERNAME, password=PASSWORD, tls_context=context) as tls:
        settings = _settings(tls.port, smtp_starttls=True)
        # The certificate is not trusted yet: verification fails, nothing is sent, the message is kept.
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
        with pytest.raises(RetryableDelivery) as untrusted:
            send(settings, _message(), secret=_secret)
        assert untrusted.value.reason.startswith("smtp tls failed")
        # Without STARTTLS the server (like Postbox and SES on 587) refuses to go on.
        with pytest.raises(RetryableDelivery) as plaintext:
            send(_settings(tls.port, smtp_username=None), _message())
        assert plaintext.value.reason.startswith("smtp 530 at MAIL FROM")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # ssl.create_default_context() reads it
        send(settings, _message(), secret=_secret)
        [received] = tls.received
    assert received.authenticated_as == USERNAME and received.rcpt_tos == ("ivan@example.ru",)


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud.cli", "mail", *args],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "localstack"), str(ROOT / "ops"), str(ROOT)])},
        timeout=60,
        check=False,
    )


def test_the_mail_cli_lists_and_shows_what_was_sent(tmp_path: Path) -> None:
    maildir = tmp_path / "mail"
    with LocalSmtpServer(maildir) as plain:
        settings = _settings(plain.port, smtp_username=None)
        send(settings, compose(sender=SENDER, to="old@example.ru", subject="Первое", text="раз", html="<p>раз</p>",
                               unsubscribe_url=None))  # fmt: skip
        send(settings, _message())
        [newest_key] = [r.key for r in plain.received if r.rcpt_tos == ("ivan@example.ru",)]
        [older_key] = [r.key for r in plain.received if r.key != newest_key]

    listed = _cli("list", "--json", "--maildir", str(maildir))
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert [i["subject"] for i in items] == [SUBJECT, "Первое"]  # newest first
    assert items[0]["id"] == newest_key and "ivan@example.ru" in items[0]["to"]
    table = _cli("list", "--limit", "1", "--maildir", str(maildir)).stdout.decode()
    assert newest_key in table and "Первое" not in table and table.count("\n") == 1

    # Both were written within the same second or so: their ids share a leading run of characters.
    shared = newest_key[: next(i for i, (a, b) in enumerate(zip(newest_key, older_key, strict=False)) if a != b)]
    ambiguous = _cli("show", shared, "--maildir", str(maildir))
    assert ambiguous.returncode == 1 and b"names 2 messages" in ambiguous.stderr
    shown = _cli("show", newest_key[: len(shared) + 1], "--maildir", str(maildir))
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout.decode()
    assert f"Subject: {SUBJECT}\n" in out and f"From: {SENDER}\n" in out
    assert f"List-Unsubscribe: <{UNSUBSCRIBE}>\n" in out
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in out
    assert "Черновик письма партнёру ждёт вашей проверки." in out and "<p>" not in out
    html = _cli("show", newest_key, "--html", "--maildir", str(maildir)).stdout.decode()
    assert "<p>Здравствуйте, Иван!</p>" in html
    raw = _cli("show", newest_key, "--raw", "--maildir", str(maildir)).stdout
    assert raw == (maildir / "new" / newest_key).read_bytes()
    missing = _cli("show", "no-such-id", "--maildir", str(maildir))
    assert missing.returncode == 1 and b"no message" in missing.stderr


def test_the_server_runs_as_a_process_scripted_over_its_admin_port(tmp_path: Path) -> None:
    password_file = tmp_path / "smtp.password"
    password_file.write_text(PASSWORD)
    password_file.chmod(0o600)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        admin_port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud.servers.smtp", "--port", "0", "--maildir", str(tmp_path / "mail"),
         "--username", USERNAME, "--password-file", str(password_file), "--admin-port", str(admin_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "localstack"), str(ROOT)])},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        settings = _settings(int(line.split()[1]))
        admin = f"http://127.0.0.1:{admin_port}"
        assert httpx.post(f"{admin}/_fake/script", json={"fail": 421, "n": 1}).status_code == 403
        scripted = httpx.post(
            f"{admin}/_fake/script", json={"fail": 421, "n": 1}, headers={"X-Fake-Admin-Key": PASSWORD}
        )
        assert scripted.status_code == 204
        with pytest.raises(RetryableDelivery, match="smtp 421 at RCPT"):
            send(settings, _message(), secret=_secret)
        send(settings, _message(), secret=_secret)
        received = httpx.get(f"{admin}/_fake/received", headers={"X-Fake-Admin-Key": PASSWORD}).json()
        assert [r["rcpt_tos"] for r in received] == [["ivan@example.ru"]]
        assert received[0]["subject"] == SUBJECT
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert PASSWORD not in line + out + err
