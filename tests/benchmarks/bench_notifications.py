"""Notifications: event -> email accepted by the SMTP server, and a fan-out of one event to 10,000 recipients
(dispatcher throughput and peak memory, then the email sender), each beside a baseline measured in the same run.

Run: .venv/bin/python tests/benchmarks/bench_notifications.py [--quick]
(default: about 2.5 minutes on 2 cores; --quick: 40 events, a 2,000-recipient fan-out, 300 sends, under a minute)

Postgres 18 (and Redis, unused) start for the run on free loopback ports as in bench_companies.py (migrated,
stopped by PID at the end). One catalog company (`generate(1)`, COPYed by bench_companies.load_catalog) and its
members are inserted with SQL in bulk (one INSERT ... SELECT generate_series: paid users with a made-up
password hash and a name). The SMTP stand-in is localcloud.servers.smtp.LocalSmtpServer on a free loopback
port (in this process, a thread with its own event loop, so it shares the GIL with the sending code, the
baseline's as much as ours; every accepted message lands in a Maildir under the temporary folder, as the
local cloud's does) and `Received.accepted_at` (time.time() when DATA was accepted)
is where an email counts as delivered. Unsubscribe links are signed for real (dispatch.default_unsubscribe_token
with a random 48-byte key in place of the Secrets Manager read). Each user has no Telegram chat and no push
subscription, so per recipient the dispatcher writes an inbox row, a queued email delivery and two suppressed
ones (telegram, push): 3 delivery rows per recipient.

SQS is left out: the dispatcher's `enqueue` and the sender function's queue poll are one SendMessageBatch and
one ReceiveMessage per batch, whose cost here would be the local emulator's, not ours (production's SQS is a
managed service with its own latency, a few ms per call); the email sender is measured from the delivery id
on: `deliver(conn, settings, delivery_id, send)` with `send` composing the content exactly as
functions/notifications/send_email/app.py does (email.compose, Message-ID from the dedup key) and sending it
with email.send over a fresh SMTP connection, as one warm Lambda does per message.

1. Latency. `--events` single events (an outreach review request for one user, as RequestReview writes it),
   each: parse_event -> dispatch() -> deliver() of its email delivery -> accepted by the SMTP server; from
   just before the dispatch to `accepted_at`, with its two parts (dispatch; deliver to accepted). Baseline,
   interleaved event by event: the same recipient's subject, text and HTML as a plain stdlib EmailMessage
   (From, To, Subject, text + HTML alternative) sent with smtplib directly (connect, EHLO, MAIL, RCPT, DATA,
   QUIT), timed to `accepted_at` the same way. p50/p95/max and the p50 ratio.
2. Fan-out. One review request naming `--recipients` users of one company, through dispatch(), `--runs`
   times (a new event each time), interleaved with a baseline that writes the very same rows (the delivery
   rows and inbox rows the first dispatch wrote, with a new event id and dedup keys) with one plain
   executemany per table and one COMMIT: the cost of the writes alone, without reading recipients and
   preferences, rendering, personalising and signing. Wall time (median of the runs), delivery rows and
   recipients per second, and the tracemalloc peak of one more run of each (tracing slows Python down, so
   the peak is taken on its own run; the baseline builds all its rows inside the trace, the dispatcher
   writes in slices of dispatch.CHUNK).
3. Senders. `--sends` of the first fan-out's queued email deliveries, one after another through deliver()
   (claim, compose, SMTP, record: two transactions per message), interleaved message by message with a raw
   smtplib send of the same content (plain EmailMessage, as in 1). Messages per second (count / summed time),
   per-message p50/p95, and what that rate means for draining the whole fan-out with one sender.
Times are wall clock measured in Python around the calls. Postgres runs as the local cloud runs it
(fsync=off, synchronous_commit=off), so a COMMIT here costs no disk flush that production would add.
"""

from __future__ import annotations

import argparse
import secrets
import smtplib
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.bench_companies import heading, load_catalog, pct, servers  # noqa: E402
from functions.notifications.notify_calls import review_requested  # noqa: E402

from localcloud.catalog.generate import generate  # noqa: E402
from localcloud.servers.smtp import LocalSmtpServer  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.events import parse_event  # noqa: E402
from shared.notifications import email  # noqa: E402
from shared.notifications.deliver import deliver  # noqa: E402
from shared.notifications.dispatch import CHUNK, UnsubscribeToken, default_unsubscribe_token, dispatch  # noqa: E402
from shared.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    import psycopg

SEED = 2026
MAIL_FROM = "ALGORITHMIC ARTS <noreply@algoarts.ru>"


@dataclass(frozen=True)
class Plan:
    events: int
    recipients: int
    runs: int
    sends: int


def plan_for(args: argparse.Namespace) -> Plan:
    quick = Plan(40, 2_000, 1, 300)
    full = Plan(200, 10_000, 2, 2_000)
    base = quick if args.quick else full
    return Plan(
        args.events or base.events, args.recipients or base.recipients, args.runs or base.runs, args.sends or base.sends
    )


# --- figures ------------------------------------------------------------------------------------


def ms_row(name: str, values: Sequence[float], base: Sequence[float] | None = None, *, width: int = 46) -> str:
    """p50/p95/max in ms of samples in seconds, and the p50 ratio to the baseline's."""
    p50 = statistics.median(values)
    ratio = f"{p50 / statistics.median(base):6.2f}x" if base else "      -"
    return (
        f"  {name:<{width}} p50 {p50 * 1000:7.2f} ms  p95 {pct(values, 95) * 1000:7.2f} ms  "
        f"max {max(values) * 1000:8.2f} ms  {ratio}"
    )


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


# --- data ---------------------------------------------------------------------------------------


def add_members(conn: psycopg.Connection, company_id: str, count: int, tag: str) -> list[str]:
    """`count` paid users of the company, in one statement; their ids."""
    found = (
        cast(Any, conn)
        .execute(
            """
        INSERT INTO users (email, password_hash, full_name, roles, company_id)
        SELECT 'bench-' || %(tag)s || '-' || g || '@example.ru', 'bench-not-a-hash', 'Участник ' || g,
               '{paid_user}', %(company)s
          FROM generate_series(1, %(n)s) AS g
        RETURNING id::text AS id
        """,
            {"tag": tag, "company": company_id, "n": count},
        )
        .fetchall()
    )
    conn.commit()
    return [row["id"] for row in found]


# --- sending ------------------------------------------------------------------------------------


def composed(content: dict[str, Any], dedup_key: str) -> EmailMessage:
    """The email of a delivery's content, as functions/notifications/send_email/app.py composes it."""
    return email.compose(
        sender=MAIL_FROM,
        to=content["to"],
        subject=content["subject"],
        text=content["text"],
        html=content["html"],
        unsubscribe_url=content.get("unsubscribe_url"),
        message_id=dedup_key,
        language=content.get("language", "ru"),
    )


def plain(content: dict[str, Any]) -> EmailMessage:
    """The baseline's email of the same content: the stdlib's defaults, no headers of our own."""
    message = EmailMessage()
    message["From"] = MAIL_FROM
    message["To"] = content["to"]
    message["Subject"] = content["subject"]
    message.set_content(content["text"])
    message.add_alternative(content["html"], subtype="html")
    return message


def raw_send(port: int, content: dict[str, Any]) -> None:
    """Baseline: compose plainly and hand it over with smtplib, one connection per message."""
    message = plain(content)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message)


class Mailbox:
    """The SMTP stand-in's accepted messages, one at a time: when the last send was accepted."""

    def __init__(self, smtp: LocalSmtpServer) -> None:
        self._smtp = smtp
        self._seen = len(smtp.received)

    def accepted(self) -> float:
        received = self._smtp.received
        if len(received) != self._seen + 1:
            raise RuntimeError(f"expected one more message at the SMTP server, it has {len(received) - self._seen}")
        self._seen += 1
        return received[-1].accepted_at


def email_sender(settings: Settings, dedup_key: str) -> Callable[[dict[str, Any]], None]:
    def send(content: dict[str, Any]) -> None:
        email.send(settings, composed(content, dedup_key))

    return send


def email_content(conn: psycopg.Connection, delivery_id: str) -> dict[str, Any]:
    row = cast(Any, conn).execute("SELECT content FROM notification_deliveries WHERE id = %s", (delivery_id,))
    content = dict(row.fetchone()["content"])
    conn.rollback()
    return content


# --- 1. latency ---------------------------------------------------------------------------------


def latency(
    conn: psycopg.Connection,
    settings: Settings,
    token: UnsubscribeToken,
    smtp: LocalSmtpServer,
    company_id: str,
    users: Sequence[str],
) -> None:
    heading(f"1. event -> email accepted by the SMTP server, {len(users)} single events (one recipient each)")
    total: list[float] = []
    dispatched: list[float] = []
    delivered: list[float] = []
    baseline: list[float] = []
    mailbox = Mailbox(smtp)
    for user in users:
        envelope = review_requested(company_id, user)
        started = time.time()
        result = dispatch(conn, settings, [parse_event(envelope)], unsubscribe_token=token)
        mid = time.time()
        (row,) = [r for r in result.to_enqueue if r["channel"] == "email"]
        outcome = deliver(conn, settings, row["delivery_id"], email_sender(settings, row["dedup_key"]))
        if outcome.status != "sent":
            raise RuntimeError(f"delivery {row['delivery_id']} was {outcome}")
        accepted = mailbox.accepted()
        total.append(accepted - started)
        dispatched.append(mid - started)
        delivered.append(accepted - mid)

        content = email_content(conn, row["delivery_id"])
        started = time.time()
        raw_send(smtp.port, content)
        baseline.append(mailbox.accepted() - started)
    print(ms_row("baseline: plain compose + smtplib send", baseline))
    print(ms_row("event -> accepted (dispatch + deliver)", total, baseline))
    print(ms_row("  dispatch() (parse, render, 1 transaction)", dispatched, baseline))
    print(ms_row("  deliver() to accepted (claim, SMTP, record)", delivered, baseline))


# --- 2. fan-out ---------------------------------------------------------------------------------


@dataclass
class Written:
    deliveries: list[dict[str, Any]]
    inbox: list[dict[str, Any]]


def written_by(conn: psycopg.Connection, event_id: str) -> Written:
    """The rows one dispatch wrote, as the baseline's templates."""
    db = cast(Any, conn)
    deliveries = db.execute(
        "SELECT event_type, kind, user_id, channel, status, reason, content, deliver_after "
        "FROM notification_deliveries WHERE event_id = %s",
        (event_id,),
    ).fetchall()
    inbox = db.execute(
        "SELECT user_id, event_type, kind, title, body, link FROM notifications WHERE event_id = %s", (event_id,)
    ).fetchall()
    conn.rollback()
    return Written(deliveries, inbox)


def plain_insert(conn: psycopg.Connection, written: Written) -> int:
    """Baseline: the same rows under a new event id, one executemany per table, one COMMIT."""
    from psycopg.types.json import Jsonb

    event_id = str(uuid.uuid4())
    deliveries = [
        {**row, "event_id": event_id, "dedup_key": f"{event_id}:{row['user_id']}:{row['channel']}"}
        for row in written.deliveries
    ]
    inbox = [{**row, "event_id": event_id} for row in written.inbox]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO notification_deliveries (dedup_key, event_id, event_type, kind, user_id, channel, status, "
            "reason, content, deliver_after) VALUES (%(dedup_key)s, %(event_id)s, %(event_type)s, %(kind)s, "
            "%(user_id)s, %(channel)s, %(status)s, %(reason)s, %(content)s, %(deliver_after)s)",
            [{**row, "content": Jsonb(row["content"])} for row in deliveries],
        )
        cur.executemany(
            "INSERT INTO notifications (user_id, event_id, event_type, kind, title, body, link) "
            "VALUES (%(user_id)s, %(event_id)s, %(event_type)s, %(kind)s, %(title)s, %(body)s, %(link)s)",
            inbox,
        )
    conn.commit()
    return len(deliveries)


def traced_peak(fn: Callable[[], object]) -> int:
    """tracemalloc's peak (bytes allocated above what was live before) while `fn` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def fan_out(
    conn: psycopg.Connection,
    settings: Settings,
    token: UnsubscribeToken,
    company_id: str,
    users: Sequence[str],
    runs: int,
) -> list[dict[str, Any]]:
    """Returns the first run's queued email deliveries (for the senders)."""
    heading(
        f"2. fan-out: one review request to {len(users):,} members of one company, {runs} run(s) of each, "
        f"interleaved (dispatch writes in slices of {CHUNK} recipients)"
    )
    times: list[float] = []
    base_times: list[float] = []
    rows = 0
    queued: list[dict[str, Any]] = []
    written: Written | None = None
    for run in range(runs):
        envelope = review_requested(company_id, *users)
        started = time.perf_counter()
        result = dispatch(conn, settings, [parse_event(envelope)], unsubscribe_token=token)
        times.append(time.perf_counter() - started)
        rows = sum(result.deliveries.values())
        if run == 0:
            queued = [r for r in result.to_enqueue if r["channel"] == "email"]
            written = written_by(conn, envelope["event_id"])
            counts = ", ".join(f"{n:,} {status}" for status, n in sorted(result.deliveries.items()))
            print(f"  each run writes {result.inbox:,} inbox rows and {rows:,} deliveries ({counts})")
        assert written is not None
        started = time.perf_counter()
        plain_insert(conn, written)
        base_times.append(time.perf_counter() - started)

    assert written is not None
    frozen = written
    peak = traced_peak(
        lambda: dispatch(conn, settings, [parse_event(review_requested(company_id, *users))], unsubscribe_token=token)
    )
    base_peak = traced_peak(lambda: plain_insert(conn, frozen))
    wall, base_wall = statistics.median(times), statistics.median(base_times)
    n = len(users)
    print(
        f"  {'baseline: executemany of the same rows':<44} {base_wall:6.2f} s  {rows / base_wall:9,.0f} deliveries/s  "
        f"{n / base_wall:8,.0f} recipients/s  peak {mib(base_peak)}"
    )
    print(
        f"  {'dispatch()':<44} {wall:6.2f} s  {rows / wall:9,.0f} deliveries/s  {n / wall:8,.0f} recipients/s  "
        f"peak {mib(peak)}   {wall / base_wall:.2f}x the time, {peak / base_peak:.2f}x the memory"
    )
    if runs > 1:
        print(
            f"  (runs: dispatch {', '.join(f'{t:.2f}' for t in times)} s; "
            f"baseline {', '.join(f'{t:.2f}' for t in base_times)} s)"
        )
    return queued


# --- 3. senders ---------------------------------------------------------------------------------


def senders(
    conn: psycopg.Connection, settings: Settings, smtp: LocalSmtpServer, queued: Sequence[dict[str, Any]], total: int
) -> None:
    heading(f"3. email sender: {len(queued):,} of the fan-out's email deliveries, one after another, interleaved")
    mailbox = Mailbox(smtp)
    times: list[float] = []
    base: list[float] = []
    for row in queued:
        started = time.perf_counter()
        outcome = deliver(conn, settings, row["delivery_id"], email_sender(settings, row["dedup_key"]))
        times.append(time.perf_counter() - started)
        if outcome.status != "sent":
            raise RuntimeError(f"delivery {row['delivery_id']} was {outcome}")
        mailbox.accepted()
        content = email_content(conn, row["delivery_id"])
        started = time.perf_counter()
        raw_send(smtp.port, content)
        base.append(time.perf_counter() - started)
        mailbox.accepted()
    rate, base_rate = len(times) / sum(times), len(base) / sum(base)
    print(ms_row(f"baseline: plain compose + smtplib  {base_rate:6.0f} msg/s", base))
    print(ms_row(f"deliver()                          {rate:6.0f} msg/s", times, base))
    print(
        f"  one sender at {rate:.0f} msg/s drains the {total:,} emails of the fan-out in {total / rate:.0f} s "
        f"({base_rate / rate:.2f}x the raw sends' time)"
    )


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller numbers, under a minute")
    parser.add_argument("--events", type=int, help="single events timed to the SMTP server (default 200)")
    parser.add_argument("--recipients", type=int, help="recipients of the fan-out event (default 10000)")
    parser.add_argument("--runs", type=int, help="timed fan-out runs of dispatch and of the baseline (default 2)")
    parser.add_argument("--sends", type=int, help="fan-out email deliveries sent (default 2000)")
    args = parser.parse_args()
    plan = plan_for(args)
    began = time.monotonic()

    with (
        tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp,
        servers(Path(tmp)) as srv,
        LocalSmtpServer(Path(tmp) / "mail") as smtp,
    ):
        settings = Settings(
            database_url=srv.database_url,
            redis_url=srv.redis_url,
            public_app_url="https://app.example.ru",
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_starttls=False,
            mail_from=MAIL_FROM,
        )
        key = secrets.token_urlsafe(48)
        token = default_unsubscribe_token(settings, secret=lambda _name: key)
        conn = connect(srv.database_url)
        (company_id,) = load_catalog(conn, generate(1, SEED), SEED).ids
        started = time.monotonic()
        singles = add_members(conn, company_id, plan.events, "single")
        crowd = add_members(conn, company_id, plan.recipients, "crowd")
        conn.execute("ANALYZE users")
        conn.commit()
        print(
            f"{len(singles) + len(crowd):,} users inserted in {time.monotonic() - started:.1f} s; SMTP stand-in "
            f"on 127.0.0.1:{smtp.port}; servers up after {time.monotonic() - began:.0f} s",
            flush=True,
        )
        latency(conn, settings, token, smtp, company_id, singles)
        queued = fan_out(conn, settings, token, company_id, crowd, plan.runs)
        senders(conn, settings, smtp, queued[: plan.sends], len(queued))
        conn.close()
    print(f"\ntotal {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
