"""`algoarts dead-letters`: reading dead letters, formatting them, and deciding what a redrive does.

The Kafka dead letters here are written by the real Dispatcher (localcloud/triggers.py) into a fake
SQS, so the parser reads exactly what the trigger writes; the verification ones are shaped as the
worker parks them. The redrive itself runs against an in-memory SQS and Lambda: a message is deleted
only when its redrive succeeded, and every other one is visible again afterwards.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from algoarts_ops.dead_letters import cli as dead_letters_cli
from algoarts_ops.dead_letters.cli import format_queue
from algoarts_ops.dead_letters.letters import Invoke, Send, parse_message
from algoarts_ops.dead_letters.queues import DeadLetterQueue, dead_letter_queues, find_queue
from algoarts_ops.dead_letters.redrive import invocation_failure, plan_redrive, redrive
from algoarts_ops.dead_letters.sqs import peek
from algoarts_ops.dead_letters.target import Target
from localcloud import template as tpl
from localcloud.cli import main
from localcloud.paths import TEMPLATE
from localcloud.triggers import Dispatcher, Record

QUEUE_URLS = {
    name: f"http://sqs.local/000000000000/algoarts-{name}"
    for name in (
        "CompanyVerificationQueue",
        "CompanyVerificationDeadLetters",
        "ProjectCompanyDeadLetters",
        "QueueVerificationDeadLetters",
    )
}
FUNCTIONS = {"ProjectCompanyFunction": "algoarts-project", "QueueVerificationFunction": "algoarts-queue-verification"}


def _queues() -> list[DeadLetterQueue]:
    return dead_letter_queues(tpl.load(TEMPLATE), QUEUE_URLS)


def _queue(name: str) -> DeadLetterQueue:
    return find_queue(_queues(), name)


def _envelope(event_type: str = "company.updated", version: int = 2) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "aggregate_type": "company",
        "aggregate_id": str(uuid.uuid4()),
        "version": version,
        "timestamp": "2026-11-24T10:00:00Z",
        "payload": {},
    }


class FakeSqs:
    """Enough of SQS for one queue per URL: receive with a visibility timeout, delete, visibility, send."""

    def __init__(self) -> None:
        self.queues: dict[str, list[dict[str, Any]]] = {}
        self.sent: list[tuple[str, str]] = []
        self.deleted: list[str] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, str]:
        message_id = str(uuid.uuid4())
        self.queues.setdefault(QueueUrl, []).append(
            {"MessageId": message_id, "Body": MessageBody, "hidden": False, "receipt": None, "sent": 1764000000000}
        )
        self.sent.append((QueueUrl, MessageBody))
        return {"MessageId": message_id}

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, VisibilityTimeout: int, **_: Any) -> Any:
        out: list[dict[str, Any]] = []
        for m in self.queues.get(QueueUrl, []):
            if len(out) == MaxNumberOfMessages:
                break
            if not m["hidden"]:
                m["receipt"] = str(uuid.uuid4())
                m["hidden"] = VisibilityTimeout > 0
                out.append(
                    {
                        "MessageId": m["MessageId"],
                        "ReceiptHandle": m["receipt"],
                        "Body": m["Body"],
                        "Attributes": {"SentTimestamp": str(m["sent"])},
                    }
                )
        return {"Messages": out} if out else {}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        kept = [m for m in self.queues[QueueUrl] if m["receipt"] != ReceiptHandle]
        self.deleted += [m["MessageId"] for m in self.queues[QueueUrl] if m["receipt"] == ReceiptHandle]
        self.queues[QueueUrl] = kept

    def change_message_visibility_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> None:
        assert len(Entries) <= 10
        handles = {e["ReceiptHandle"] for e in Entries if e["VisibilityTimeout"] == 0}
        for m in self.queues[QueueUrl]:
            if m["receipt"] in handles:
                m["hidden"] = False

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> Any:
        messages = self.queues.get(QueueUrl, [])
        return {
            "Attributes": {
                "ApproximateNumberOfMessages": str(sum(not m["hidden"] for m in messages)),
                "ApproximateNumberOfMessagesNotVisible": str(sum(m["hidden"] for m in messages)),
            }
        }

    def bodies(self, url: str) -> list[str]:
        return [m["Body"] for m in self.queues.get(url, [])]

    def all_visible(self, url: str) -> bool:
        return not any(m["hidden"] for m in self.queues.get(url, []))


class FakeLambda:
    """Invocations answer with `answer(function, event)`: None for success, else the function's error."""

    def __init__(self, answer: Callable[[str, dict[str, Any]], str | None]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        event = json.loads(Payload)
        self.calls.append((FunctionName, event))
        error = self.answer(FunctionName, event)
        if error is None:
            return {"StatusCode": 200, "Payload": io.BytesIO(b'{"records": 1}')}
        body = json.dumps({"errorType": "UnknownEvent", "errorMessage": error}).encode()
        return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(body)}


class FakeSession:
    def __init__(self, sqs: FakeSqs, lam: FakeLambda) -> None:
        self.sqs, self.lam = sqs, lam

    def client(self, service: str, **_: Any) -> Any:
        return {"sqs": self.sqs, "lambda": self.lam}[service]


def _dead_letter_from_dispatcher(sqs: FakeSqs, envelopes: list[dict[str, Any]], reason: str) -> None:
    """What the trigger writes when ProjectCompanyFunction keeps failing on a batch."""
    failing = FakeLambda(lambda function, event: reason)
    dispatcher = Dispatcher(
        FakeSession(sqs, failing), FUNCTIONS, QUEUE_URLS, "127.0.0.1:9092", retries=2, backoff_seconds=0
    )
    source = next(s for s in tpl.kafka_sources(tpl.load(TEMPLATE)) if s.function == "ProjectCompanyFunction")
    records = [
        Record("company.events", 0, 40 + i, e["aggregate_id"].encode(), json.dumps(e).encode(), 1764000000000)
        for i, e in enumerate(envelopes)
    ]
    assert dispatcher.deliver(source, records) is False
    assert len(failing.calls) == 3


def _parked(body: dict[str, Any], reason: str = "the registry refused the request: 403") -> str:
    """As VerifyCompanyFunction's park() writes it."""
    return json.dumps({"reason": reason, "message_id": "m-original", "body": json.dumps(body)}, ensure_ascii=False)


def _message(body: str, message_id: str = "m-1") -> dict[str, Any]:
    return {"MessageId": message_id, "ReceiptHandle": "r-1", "Body": body, "Attributes": {"SentTimestamp": "0"}}


REQUEST = {"company_id": str(uuid.uuid4()), "inn": "7736207543", "correlation_id": "c-1", "requested_at": "2026-11-24"}


# --- which queues ----------------------------------------------------------------------------------


def test_the_dead_letter_queues_come_from_the_template() -> None:
    queues = {q.logical_id: q for q in _queues()}
    assert set(queues) == {
        "CompanyVerificationDeadLetters",
        "ProjectCompanyDeadLetters",
        "QueueVerificationDeadLetters",
    }
    assert (queues["ProjectCompanyDeadLetters"].kind, queues["ProjectCompanyDeadLetters"].source) == (
        "kafka",
        "ProjectCompanyFunction",
    )
    assert queues["QueueVerificationDeadLetters"].source == "QueueVerificationFunction"
    verification = queues["CompanyVerificationDeadLetters"]
    assert (verification.kind, verification.source, verification.max_receive_count) == (
        "queue",
        "CompanyVerificationQueue",
        8,
    )
    assert verification.name == "algoarts-CompanyVerificationDeadLetters"


def test_a_queue_is_found_by_logical_id_name_or_url() -> None:
    queues = _queues()
    url = QUEUE_URLS["ProjectCompanyDeadLetters"]
    for key in ("ProjectCompanyDeadLetters", "projectcompanydeadletters", "algoarts-ProjectCompanyDeadLetters", url):
        assert find_queue(queues, key).url == url
    with pytest.raises(LookupError, match="CompanyVerificationDeadLetters, ProjectCompanyDeadLetters"):
        find_queue(queues, "CompanyVerificationQueue")  # a work queue, not a dead-letter one


# --- reading messages --------------------------------------------------------------------------------


def test_a_kafka_dead_letter_shows_the_reason_and_every_event_and_redrives_the_same_event() -> None:
    sqs = FakeSqs()
    envelopes = [_envelope("company.exploded", 1), _envelope("company.updated", 3)]
    _dead_letter_from_dispatcher(sqs, envelopes, "company projection cannot apply company.exploded")
    url = QUEUE_URLS["ProjectCompanyDeadLetters"]
    (body,) = sqs.bodies(url)

    letter = parse_message(_queue("ProjectCompanyDeadLetters"), _message(body))

    assert letter.reason == "UnknownEvent: company projection cannot apply company.exploded"
    assert letter.details["attempts"] == 3 and letter.details["offsets"] == [40, 41]
    assert [(e.event_id, e.event_type, e.aggregate_id, e.version) for e in letter.events] == [
        (e["event_id"], e["event_type"], e["aggregate_id"], e["version"]) for e in envelopes
    ]
    assert letter.events[0].position == "company.events-0@40"
    assert isinstance(letter.action, Invoke) and letter.action.function == "ProjectCompanyFunction"
    assert letter.action.event == json.loads(body)["payload"]  # the MSK-shaped event, as first delivered
    assert letter.action.function_arn == "algoarts-project"
    assert letter.sent_at == "1970-01-01T00:00:00+00:00"


def test_a_record_whose_value_cannot_be_read_is_shown_and_still_redriven_as_it_was() -> None:
    event = {
        "eventSource": "SelfManagedKafka",
        "records": {
            "company.events-0": [
                {"topic": "company.events", "partition": 0, "offset": 7, "value": "not base64!"},
                {"topic": "company.events", "partition": 0, "offset": 8, "value": base64.b64encode(b"[1]").decode()},
            ]
        },
    }
    body = json.dumps({"responseContext": {"reason": "ValidationError: ..."}, "payload": event})
    letter = parse_message(_queue("ProjectCompanyDeadLetters"), _message(body))
    assert [e.error for e in letter.events] == ["unreadable value: Error", "the value is not a JSON object"]
    assert isinstance(letter.action, Invoke) and letter.action.event == event


def test_an_aws_on_failure_record_has_only_metadata_and_cannot_be_redriven_from_here() -> None:
    body = json.dumps(
        {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3},
            "responseContext": {"functionError": "Unhandled"},
            "KafkaBatchInfo": {"partitions": ["company.events-2"], "firstOffset": 10, "lastOffset": 19},
        }
    )
    letter = parse_message(_queue("ProjectCompanyDeadLetters"), _message(body))
    assert letter.reason == "RetryAttemptsExhausted"
    assert letter.action is None and letter.events == ()
    assert letter.not_redrivable is not None
    assert "offsets 10-19 of company.events-2" in letter.not_redrivable


def test_an_unreadable_dead_letter_is_listed_but_never_redriven() -> None:
    for queue in ("ProjectCompanyDeadLetters", "CompanyVerificationDeadLetters"):
        letter = parse_message(_queue(queue), _message("this is not json"))
        if queue == "ProjectCompanyDeadLetters":
            assert letter.action is None and letter.not_redrivable == "the message is not JSON"
        else:  # a verification dead letter that is not a parked one was moved as it was: it goes back as it was
            assert isinstance(letter.action, Send) and letter.action.body == "this is not json"


def test_a_parked_verification_request_shows_the_reason_and_goes_back_to_the_verification_queue() -> None:
    raw = json.dumps(REQUEST)
    letter = parse_message(_queue("CompanyVerificationDeadLetters"), _message(_parked(REQUEST)))
    assert letter.reason == "the registry refused the request: 403"
    assert letter.request == REQUEST and letter.details == {"original_message_id": "m-original"}
    assert letter.action == Send("CompanyVerificationQueue", raw)


def test_a_request_moved_by_the_redrive_policy_goes_back_unchanged() -> None:
    raw = json.dumps(REQUEST)
    letter = parse_message(_queue("CompanyVerificationDeadLetters"), _message(raw))
    assert letter.reason == "moved here by CompanyVerificationQueue's redrive policy after 8 receives"
    assert letter.action == Send("CompanyVerificationQueue", raw)


# --- deciding ----------------------------------------------------------------------------------------


def test_plan_redrive_takes_all_or_the_one_asked_for_and_says_why_it_skips() -> None:
    queue = _queue("ProjectCompanyDeadLetters")
    good = parse_message(queue, _message(json.dumps({"payload": {"records": {"t-0": [{"value": "e30="}]}}}), "a"))
    bare = parse_message(queue, _message(json.dumps({"requestContext": {"condition": "X"}}), "b"))
    plan = plan_redrive([good, bare])
    assert [(p.letter.message_id, p.action is not None) for p in plan] == [("a", True), ("b", False)]
    assert plan[1].skip and "metadata" in plan[1].skip
    assert [p.letter.message_id for p in plan_redrive([good, bare], message_id="b")] == ["b"]
    with pytest.raises(LookupError, match="no message c"):
        plan_redrive([good, bare], message_id="c")


def test_an_invocation_counts_as_done_only_without_a_function_error() -> None:
    assert invocation_failure({"StatusCode": 200}, b"{}") is None
    error = json.dumps({"errorType": "UnknownEvent", "errorMessage": "cannot apply company.exploded"}).encode()
    assert invocation_failure({"StatusCode": 200, "FunctionError": "Unhandled"}, error) == (
        "UnknownEvent: cannot apply company.exploded"
    )
    assert invocation_failure({"StatusCode": 200, "FunctionError": "Unhandled"}, b"Task timed out") == (
        "Task timed out"
    )
    assert invocation_failure({"StatusCode": 500}, b"") == "the invocation answered 500"


# --- formatting --------------------------------------------------------------------------------------


def test_the_listing_shows_counts_reasons_and_events() -> None:
    sqs = FakeSqs()
    envelope = _envelope("company.exploded", 1)
    _dead_letter_from_dispatcher(sqs, [envelope], "company projection cannot apply company.exploded")
    queue = _queue("ProjectCompanyDeadLetters")
    letter = parse_message(queue, _message(sqs.bodies(queue.url)[0], "m-42"))
    text = "\n".join(format_queue(queue, {"visible": 3, "in_flight": 1}, [letter]))
    assert text.startswith(
        "ProjectCompanyDeadLetters (on-failure destination of ProjectCompanyFunction): 3 messages, 1 in flight"
    )
    assert "  message m-42" in text
    assert "reason: UnknownEvent: company projection cannot apply company.exploded (3 attempts)" in text
    assert f"company.events-0@40  company.exploded  event {envelope['event_id']}" in text
    assert f"aggregate {envelope['aggregate_id']} v1" in text
    assert "… 2 more (--limit)" in text

    parked = parse_message(_queue("CompanyVerificationDeadLetters"), _message(_parked(REQUEST), "m-7"))
    lines = format_queue(_queue("CompanyVerificationDeadLetters"), {"visible": 1}, [parked])
    assert lines[0] == "CompanyVerificationDeadLetters (dead letters of CompanyVerificationQueue): 1 message"
    assert f"    request: company_id={REQUEST['company_id']}  inn=7736207543" in "\n".join(lines)
    assert format_queue(queue, {"visible": 0}, [])[0].endswith(": 0 messages")
    json.dumps([letter.as_dict(), parked.as_dict()])  # --json output is plain JSON


# --- against an in-memory SQS and Lambda ---------------------------------------------------------------


def _target(sqs: FakeSqs, lam: FakeLambda) -> Target:
    return Target(FakeSession(sqs, lam), dict(QUEUE_URLS), dict(FUNCTIONS), tpl.load(TEMPLATE))


def test_listing_leaves_every_message_in_the_queue_and_visible() -> None:
    sqs = FakeSqs()
    for n in range(12):
        _dead_letter_from_dispatcher(sqs, [_envelope(version=n + 1)], "boom")
    queue = _queue("ProjectCompanyDeadLetters")
    counts, letters = peek(sqs, queue, limit=11)
    assert counts == {"visible": 12, "in_flight": 0}
    assert len(letters) == 11 and len({letter.message_id for letter in letters}) == 11  # paged past 10
    assert len(sqs.bodies(queue.url)) == 12 and sqs.all_visible(queue.url)


def test_redrive_deletes_only_what_the_function_took_and_keeps_the_rest_visible() -> None:
    sqs = FakeSqs()
    good, poison = _envelope("company.updated", 2), _envelope("company.exploded", 1)
    _dead_letter_from_dispatcher(sqs, [good], "redis was down")
    _dead_letter_from_dispatcher(sqs, [poison], "company projection cannot apply company.exploded")
    queue = _queue("ProjectCompanyDeadLetters")
    sqs.send_message(queue.url, json.dumps({"requestContext": {"condition": "RetryAttemptsExhausted"}}))  # AWS-style

    def answer(function: str, event: dict[str, Any]) -> str | None:
        (record,) = next(iter(event["records"].values()))
        envelope = json.loads(base64.b64decode(record["value"]))
        return "cannot apply company.exploded" if envelope["event_type"] == "company.exploded" else None

    lam = FakeLambda(answer)
    out = io.StringIO()
    result = redrive(_target(sqs, lam), queue, out=out)

    assert len(result.redriven) == 1 and len(result.failed) == 1 and len(result.skipped) == 1
    assert [function for function, _ in lam.calls] == ["algoarts-project", "algoarts-project"]
    remaining = [json.loads(b) for b in sqs.bodies(queue.url)]
    assert len(remaining) == 2 and sqs.all_visible(queue.url)
    assert sqs.deleted == result.redriven
    assert "UnknownEvent: cannot apply company.exploded (kept)" in out.getvalue()
    assert "(deleted)" in out.getvalue() and "skipped" in out.getvalue()


def test_redrive_of_one_message_touches_no_other() -> None:
    sqs = FakeSqs()
    queue = _queue("CompanyVerificationDeadLetters")
    for n in range(3):
        sqs.send_message(queue.url, _parked({**REQUEST, "correlation_id": f"c-{n}"}))
    _, letters = peek(sqs, queue, limit=10)
    chosen = letters[1]
    lam = FakeLambda(lambda function, event: None)

    result = redrive(_target(sqs, lam), queue, message_id=chosen.message_id, out=io.StringIO())

    assert result.redriven == [chosen.message_id] and not lam.calls
    assert sqs.sent[-1] == (QUEUE_URLS["CompanyVerificationQueue"], json.dumps({**REQUEST, "correlation_id": "c-1"}))
    assert len(sqs.bodies(queue.url)) == 2 and sqs.all_visible(queue.url)
    with pytest.raises(LookupError):
        redrive(_target(sqs, lam), queue, message_id=chosen.message_id, out=io.StringIO())
    assert sqs.all_visible(queue.url)


# --- the command -------------------------------------------------------------------------------------


def test_redrive_needs_all_or_a_message_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["dead-letters", "redrive", "ProjectCompanyDeadLetters"])
    assert exit_.value.code == 2
    assert "one of the arguments --all --message-id is required" in capsys.readouterr().err


def test_without_a_cloud_the_commands_say_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from localcloud.runtime import CloudState

    monkeypatch.setattr(CloudState, "load", classmethod(lambda cls, state_dir=None: None))
    assert main(["dead-letters", "list"]) == 2
    assert "--stack-name" in capsys.readouterr().err
    assert main(["dead-letters", "redrive", "ProjectCompanyDeadLetters", "--all"]) == 2


def test_the_commands_print_and_exit_by_outcome(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = FakeSqs()
    _dead_letter_from_dispatcher(sqs, [_envelope("company.exploded", 1)], "cannot apply company.exploded")
    lam = FakeLambda(lambda function, event: "cannot apply company.exploded")
    monkeypatch.setattr(dead_letters_cli, "target", lambda stack_name, endpoint, region: _target(sqs, lam))

    assert main(["dead-letters", "list", "--json"]) == 0
    listed = {q["queue"]: q for q in json.loads(capsys.readouterr().out)}
    assert listed["ProjectCompanyDeadLetters"]["visible"] == 1
    (message,) = listed["ProjectCompanyDeadLetters"]["messages"]
    assert message["events"][0]["event_type"] == "company.exploded" and message["redrivable"] is True
    assert listed["CompanyVerificationDeadLetters"]["messages"] == []

    assert main(["dead-letters", "list", "projectcompanydeadletters", "--limit", "0"]) == 0
    assert capsys.readouterr().out.startswith("ProjectCompanyDeadLetters (on-failure destination")

    assert main(["dead-letters", "redrive", "ProjectCompanyDeadLetters", "--all"]) == 1
    assert "0 redriven, 1 failed" in capsys.readouterr().out
    lam.answer = lambda function, event: None
    assert main(["dead-letters", "redrive", "ProjectCompanyDeadLetters", "--message-id", message["message_id"]]) == 0
    assert "1 redriven, 0 failed" in capsys.readouterr().out
    assert main(["dead-letters", "redrive", "QueueVerificationDeadLetters", "--all"]) == 0
    assert "nothing to redrive" in capsys.readouterr().out
    assert main(["dead-letters", "redrive", "NoSuchQueue", "--all"]) == 2
