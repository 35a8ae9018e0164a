"""The notification kinds' data (kinds.json) against the event registry and the templates on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.events import EVENTS, TOPICS
from shared.notifications import kinds as kinds_module
from shared.notifications.kinds import CHANNELS, LANGUAGES, default_enabled, kind_for_event, kinds
from shared.notifications.render import TEMPLATES, template_names

# Event types whose producer is not written yet (the lead adds `discovery.no_match` to shared/events.py).
AWAITING_PRODUCER = {"discovery.no_match"}


def test_every_kind_event_is_registered_on_the_topic_kinds_json_names() -> None:
    for kind in kinds().values():
        for ref in kind.events:
            assert ref.topic in TOPICS, (kind.name, ref.topic)
            if ref.type in AWAITING_PRODUCER and ref.type not in EVENTS:
                assert ref.topic == "notification.events"
                continue
            assert ref.type in EVENTS, f"{kind.name}: {ref.type} is not in shared/events.py EVENTS"
            assert EVENTS[ref.type].topic == ref.topic, (kind.name, ref.type)


def test_every_notification_events_type_has_a_kind() -> None:
    """Nothing registered on notification.events would be dead-lettered as unknown."""
    on_topic = [t for t, spec in EVENTS.items() if spec.topic == "notification.events"]
    assert on_topic
    for event_type in on_topic:
        assert kind_for_event(event_type) is not None, event_type


def test_an_event_type_raises_at_most_one_kind() -> None:
    refs = [ref.type for kind in kinds().values() for ref in kind.events]
    assert len(refs) == len(set(refs))


def test_the_required_kinds_and_their_defaults() -> None:
    assert set(kinds()) >= {
        "outreach_review_requested",
        "follow_up_drafted",
        "discovery_no_match",
        "partnership_status_changed",
        "company_verified",
        "company_verification_failed",
    }
    assert all(default_enabled("outreach_review_requested", c) for c in CHANNELS)
    assert not default_enabled("partnership_status_changed", "email")
    assert default_enabled("partnership_status_changed", "telegram")
    assert default_enabled("company_verified", "email") and default_enabled("company_verified", "inapp")
    assert kinds()["partnership_status_changed"].recipients == "partnership_other_side"
    assert kinds()["company_verified"].recipients == "company_members"


def test_unknown_kind_or_channel_is_refused() -> None:
    with pytest.raises(KeyError, match="nope"):
        default_enabled("nope", "email")
    with pytest.raises(ValueError, match="sms"):
        default_enabled("company_verified", "sms")


def test_every_template_exists_for_every_kind_and_language() -> None:
    names = list(template_names())
    assert len(names) == len(kinds()) * len(LANGUAGES) * 3 + len(LANGUAGES) * 2
    missing = [name for name in names if not (TEMPLATES / name).is_file()]
    assert missing == []


def test_a_typo_in_the_data_fails_at_the_first_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(kinds_module._DATA.read_text("utf-8"))
    data["company_verified"]["channels"].pop("push")
    bad = tmp_path / "kinds.json"
    bad.write_text(json.dumps(data), "utf-8")
    monkeypatch.setattr(kinds_module, "_DATA", bad)
    kinds_module.kinds.cache_clear()
    try:
        with pytest.raises(ValueError, match="company_verified: channels"):
            kinds_module.kinds()
    finally:
        monkeypatch.undo()
        kinds_module.kinds.cache_clear()
