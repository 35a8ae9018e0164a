"""`algoarts dead-letters list|redrive`: what is printed (text or JSON) and the exit codes.

list: 0 listed (empty or not), 2 no cloud or no such queue. redrive: 0 every chosen message redriven
(or none there), 1 some failed or could not be redriven (they stay in the queue), 2 no cloud, no such
queue or no such message.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence

from algoarts_ops.dead_letters.letters import DeadLetter, EventRef
from algoarts_ops.dead_letters.queues import DeadLetterQueue, find_queue
from algoarts_ops.dead_letters.redrive import redrive
from algoarts_ops.dead_letters.sqs import peek
from algoarts_ops.dead_letters.target import target


def format_event(ref: EventRef) -> str:
    if ref.error:
        return f"{ref.position}  {ref.error}"
    parts = [ref.position, ref.event_type or "?", f"event {ref.event_id or '?'}"]
    if ref.aggregate_id:
        parts.append(f"aggregate {ref.aggregate_id}" + (f" v{ref.version}" if ref.version is not None else ""))
    return "  ".join(parts)


def format_letter(letter: DeadLetter) -> list[str]:
    when = f"  {letter.sent_at}" if letter.sent_at else ""
    lines = [f"  message {letter.message_id}{when}", f"    reason: {letter.reason}"]
    attempts = letter.details.get("attempts")
    if attempts is not None:
        lines[-1] += f" ({attempts} attempts)"
    lines += [f"    {format_event(ref)}" for ref in letter.events]
    if letter.request is not None:
        fields = "  ".join(f"{k}={v}" for k, v in letter.request.items() if v is not None)
        lines.append(f"    request: {fields}")
    if letter.not_redrivable:
        lines.append(f"    cannot redrive: {letter.not_redrivable}")
    return lines


def format_queue(queue: DeadLetterQueue, counts: Mapping[str, int], letters: Sequence[DeadLetter]) -> list[str]:
    visible, hidden = counts.get("visible", 0), counts.get("in_flight", 0)
    state = f"{visible} message{'s' if visible != 1 else ''}"
    if hidden:
        state += f", {hidden} in flight"
    lines = [f"{queue.logical_id} ({queue.describe()}): {state}"]
    for letter in letters:
        lines += format_letter(letter)
    if visible > len(letters) and letters:
        lines.append(f"  … {visible - len(letters)} more (--limit)")
    return lines


def list_command(
    queue_name: str | None,
    *,
    limit: int = 10,
    as_json: bool = False,
    stack_name: str | None = None,
    endpoint: str | None = None,
    region: str | None = None,
) -> int:
    """`algoarts dead-letters list`: 0 listed (empty or not), 2 no cloud or no such queue."""
    try:
        t = target(stack_name, endpoint, region)
        queues = t.dead_letter_queues()
        if queue_name:
            queues = [find_queue(queues, queue_name)]
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    sqs = t.session.client("sqs")
    listed = []
    for queue in queues:
        counts, letters = peek(sqs, queue, limit)
        if as_json:
            listed.append(
                {
                    "queue": queue.logical_id,
                    "url": queue.url,
                    "kind": queue.kind,
                    "source": queue.source,
                    **counts,
                    "messages": [letter.as_dict() for letter in letters],
                }
            )
        else:
            print("\n".join(format_queue(queue, counts, letters)))
    if as_json:
        print(json.dumps(listed, ensure_ascii=False, indent=2))
    elif not queues:
        print("no dead-letter queues in this deployment")
    return 0


def redrive_command(
    queue_name: str,
    *,
    message_id: str | None = None,
    stack_name: str | None = None,
    endpoint: str | None = None,
    region: str | None = None,
) -> int:
    """`algoarts dead-letters redrive`: 0 every chosen message redriven (or none there), 1 some failed or could
    not be redriven (they stay in the queue), 2 no cloud, no such queue or no such message."""
    try:
        t = target(stack_name, endpoint, region)
        queue = find_queue(t.dead_letter_queues(), queue_name)
        result = redrive(t, queue, message_id=message_id)
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    total = len(result.redriven) + len(result.failed) + len(result.skipped)
    if not total:
        print(f"{queue.logical_id}: nothing to redrive")
        return 0
    print(
        f"{queue.logical_id}: {len(result.redriven)} redriven, {len(result.failed)} failed, "
        f"{len(result.skipped)} cannot be redriven"
    )
    return 0 if not result.failed and not result.skipped else 1
