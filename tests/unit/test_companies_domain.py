"""The company domain without I/O: legal identifiers, the aggregate's fold, cursors, preconditions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.companies import aggregate
from shared.companies.aggregate import CompanyState, StoredEvent
from shared.companies.legal import inn_check_digits, is_valid_inn, is_valid_kpp, is_valid_ogrn, ogrn_check_digit
from shared.companies.listing import decode_cursor, encode_cursor
from shared.companies.model import CompanyCreate, CompanyListQuery, CompanyPatch
from shared.companies.verification import request_for_event, retry_delay
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import EventEnvelope, spec_of
from shared.http.preconditions import PreconditionMalformed, expected_version

# Public register entries: Yandex (organisation) and a sole trader's 12-digit INN / 15-digit OGRNIP.
REAL_INNS = ["7736207543", "7707083893", "6663003127", "500100732259"]
REAL_OGRNS = ["1027700229193", "1027700132195", "304500116000157"]


@pytest.mark.parametrize("inn", REAL_INNS)
def test_real_inns_pass_and_any_single_digit_change_fails(inn: str) -> None:
    assert is_valid_inn(inn)
    for position in range(len(inn)):
        changed = inn[:position] + str((int(inn[position]) + 1) % 10) + inn[position + 1 :]
        assert not is_valid_inn(changed), changed


@pytest.mark.parametrize("ogrn", REAL_OGRNS)
def test_real_ogrns_pass_and_a_wrong_control_digit_fails(ogrn: str) -> None:
    assert is_valid_ogrn(ogrn)
    assert not is_valid_ogrn(ogrn[:-1] + str((int(ogrn[-1]) + 1) % 10))


def test_check_digits_build_valid_numbers() -> None:
    assert is_valid_inn("770708389" + inn_check_digits("770708389"))
    assert is_valid_inn("5001007322" + inn_check_digits("5001007322"))
    assert is_valid_ogrn("102770013219" + ogrn_check_digit("102770013219"))
    assert not is_valid_inn("77362075") and not is_valid_inn("77362075AB") and not is_valid_ogrn("10277002291")


@pytest.mark.parametrize(
    ("kpp", "valid"), [("770401001", True), ("7704AB001", True), ("77040100", False), ("7704ab00x", False)]
)
def test_kpp_format(kpp: str, valid: bool) -> None:
    assert is_valid_kpp(kpp) is valid


def _errors(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        CompanyCreate.model_validate({"name": "Тест", "industry": "fintech", **data})
    return {".".join(map(str, e["loc"])): e["type"] for e in caught.value.errors()}


def test_create_command_checks_identifiers_and_their_pairing() -> None:
    assert _errors({"inn": "7736207544"}) == {"inn": "inn_checksum"}
    assert _errors({"inn": "12345"}) == {"inn": "inn_format"}
    assert _errors({"ogrn": "1027700229194"}) == {"ogrn": "ogrn_checksum"}
    assert _errors({"inn": "7736207543", "ogrn": "304500116000157"}) == {"ogrn": "ogrn_kind_mismatch"}
    assert _errors({"inn": "500100732259", "kpp": "500101001"}) == {"kpp": "kpp_for_individual"}
    spaced = CompanyCreate.model_validate(
        {"name": "Тест", "industry": "fintech", "inn": " 7736 207 543 ", "kpp": "7704ab001"}
    )
    assert spaced.inn == "7736207543" and spaced.kpp == "7704AB001"


def test_patch_changes_are_only_the_fields_sent() -> None:
    patch = CompanyPatch.model_validate({"description": None, "employees_count": 5})
    assert patch.changes() == {"description": None, "employees_count": 5}
    with pytest.raises(ValidationError):
        CompanyPatch.model_validate({"legal_name": "ООО Хак"})  # set by verification, never by a request


def test_list_query_reads_comma_separated_values_and_refuses_inverted_ranges() -> None:
    query = CompanyListQuery.model_validate({"industry": "fintech, hrtech", "funding_stage": "seed,series_a"})
    assert query.industry == ["fintech", "hrtech"] and query.funding_stage == ["seed", "series_a"]
    with pytest.raises(ValidationError) as caught:
        CompanyListQuery.model_validate({"employees_min": 50, "employees_max": 10})
    assert caught.value.errors()[0]["type"] == "range_inverted"
    with pytest.raises(ValidationError):
        CompanyListQuery.model_validate({"sort": "password"})


def _event(event_type: str, version: int, payload: dict[str, Any]) -> StoredEvent:
    return StoredEvent(uuid.uuid4(), event_type, version, payload, datetime(2026, 11, 24, 10, version, tzinfo=UTC))


def _created() -> StoredEvent:
    fields = {
        "name": "ПэйФлоу",
        "slug": "pejflou",
        "industry": "fintech",
        "employees_count": 12,
        "sub_industries": None,
    }
    return _event(aggregate.CREATED, 1, {"fields": fields})


def test_fold_applies_deltas_in_order() -> None:
    events = [
        _created(),
        _event(aggregate.UPDATED, 2, {"changes": {"employees_count": 700}, "previous": {"employees_count": 12}}),
        _event(aggregate.DELETED, 3, {}),
        _event(aggregate.RESTORED, 4, {}),
        _event(aggregate.VERIFIED, 5, {"legal": {"legal_name": 'ООО "ПЭЙФЛОУ"', "legal_status": "active"}}),
    ]
    state = aggregate.fold(CompanyState(id=str(uuid.uuid4())), events)
    view = state.view()
    assert view.version == 5 and not state.deleted
    assert view.employees_count == 700 and view.employees_range == "501-1000"
    assert view.sub_industries == [] and view.is_verified and view.legal_name == 'ООО "ПЭЙФЛОУ"'
    assert view.created_at == events[0].occurred_at and view.updated_at == events[-1].occurred_at
    # A snapshot round-trips to the same state.
    again = CompanyState.from_snapshot(state.id, state.version, state.to_snapshot())
    assert again.view() == view


def test_fold_refuses_gaps_and_unknown_events() -> None:
    state = aggregate.apply(CompanyState(id="x"), _created())
    with pytest.raises(ValueError, match="does not follow"):
        aggregate.apply(state, _event(aggregate.DELETED, 3, {}))
    with pytest.raises(ValueError, match="unknown"):
        aggregate.apply(state, _event("company.exploded", 2, {}))


def test_version_check_and_liveness() -> None:
    state = aggregate.apply(CompanyState(id="x"), _created())
    aggregate.check_version(state, None)
    aggregate.check_version(state, 1)
    with pytest.raises(Conflict) as caught:
        aggregate.check_version(state, 7)
    assert caught.value.extensions == {"current_version": 1} and caught.value.status == 409
    deleted = aggregate.apply(state, _event(aggregate.DELETED, 2, {}))
    with pytest.raises(NotFound):
        aggregate.require_live(deleted, "x")


@pytest.mark.parametrize(
    ("count", "label"), [(1, "1-10"), (10, "1-10"), (11, "11-50"), (5000, "1001-5000"), (5001, "5000+")]
)
def test_employee_ranges(count: int, label: str) -> None:
    assert aggregate.employees_range(count) == label


def test_cursor_round_trip_and_tampering() -> None:
    cursor = encode_cursor("-created_at", "2026-11-24 10:00:00+00:00", "abc")
    assert decode_cursor(cursor, "-created_at") == ("2026-11-24 10:00:00+00:00", "abc")
    with pytest.raises(Unprocessable):
        decode_cursor(cursor, "name")
    with pytest.raises(Unprocessable):
        decode_cursor("not-a-cursor", "name")


@pytest.mark.parametrize(("header", "version"), [('"3"', 3), ('W/"12"', 12), ("4", 4), ("*", None)])
def test_if_match_forms(header: str, version: int | None) -> None:
    assert expected_version({"If-Match": header}) == version
    assert expected_version({"if-match": header}) == version


def test_if_match_garbage_is_a_400() -> None:
    assert expected_version({}) is None
    with pytest.raises(PreconditionMalformed):
        expected_version({"if-match": '"abc"'})


# What each event's delta needs besides what a test gives (the payload models require it).
_DELTA: dict[str, dict[str, Any]] = {
    aggregate.CREATED: {"fields": {}},
    aggregate.UPDATED: {"changes": {}, "previous": {}},
    aggregate.VERIFIED: {
        "legal": {"legal_name": "ООО", "legal_address": None, "ogrn": None, "kpp": None, "legal_status": "active"},
        "source": "dadata",
    },
}


def _envelope(event_type: str, payload: dict[str, Any]) -> EventEnvelope[Any]:
    typed = spec_of(event_type).model().model_validate({**_DELTA.get(event_type, {}), **payload})
    return EventEnvelope(event_type=event_type, aggregate_type="company", aggregate_id="x", version=1, payload=typed)


def test_verification_is_requested_for_new_companies_and_changed_inns_only() -> None:
    now = "2026-11-24T10:00:00Z"
    company = {"id": str(uuid.uuid4()), "slug": "a", "name": "A", "industry": "fintech", "version": 1}
    company |= {"created_at": now, "updated_at": now}
    with_inn = {**company, "inn": "7736207543"}
    created = request_for_event(_envelope(aggregate.CREATED, {"company": with_inn}))
    assert created is not None and created["inn"] == "7736207543" and created["company_id"] == company["id"]
    assert request_for_event(_envelope(aggregate.CREATED, {"company": company})) is None
    renamed = _envelope(aggregate.UPDATED, {"changes": {"name": "B"}, "company": with_inn})
    assert request_for_event(renamed) is None
    changed = _envelope(aggregate.UPDATED, {"changes": {"inn": "7736207543"}, "company": with_inn})
    assert request_for_event(changed) is not None
    assert request_for_event(_envelope(aggregate.VERIFIED, {"company": with_inn})) is None


def test_retry_delays_grow_and_are_capped() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert retry_delay(30) == 900
