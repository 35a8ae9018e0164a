"""The password policy and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import Type as ArgonType
from argon2 import extract_parameters

from shared.identity import passwords

EMAIL = "ivan.petrov@example.ru"
GOOD = "Tundra-river-4821"


def test_a_good_password_breaks_no_rule() -> None:
    assert passwords.policy_violations(GOOD, EMAIL) == []
    assert passwords.policy_violations("а" * 9 + "7", EMAIL) == []  # Cyrillic letters count as letters


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab3defghi", "must be at least 10 characters long"),
        ("Ab3" + "x" * 126, "must be at most 128 characters long"),
        ("onlyletterspassword", "must contain both letters and digits"),
        ("1234567890123", "must contain both letters and digits"),
        ("____----____1", "must contain both letters and digits"),
        ("iloveyou12", "is too common"),
        ("WELCOME123", "is too common"),
        ("пароль1234", "is too common"),
        ("my-ivan.petrov-42", "must not contain your email address"),
        ("xxIVAN.PETROVxx7", "must not contain your email address"),
    ],
)
def test_each_rule_is_named(password: str, rule: str) -> None:
    assert passwords.policy_violations(password, EMAIL) == [rule]


def test_every_broken_rule_is_listed() -> None:
    assert passwords.policy_violations("abc", EMAIL) == [
        "must be at least 10 characters long",
        "must contain both letters and digits",
    ]
    assert passwords.policy_violations("1234567890", EMAIL) == [
        "must contain both letters and digits",
        "is too common",
    ]


def test_lengths_at_the_limits_are_accepted() -> None:
    assert passwords.policy_violations("Abcdefgh1x", EMAIL) == []  # exactly 10
    assert passwords.policy_violations("Ab3" + "x" * 125, EMAIL) == []  # exactly 128


def test_short_email_local_parts_are_not_matched() -> None:
    """A local part under four characters ("bob") would forbid too many good passwords."""
    assert passwords.policy_violations("bobcat-runs-42", "bob@example.ru") == []
    assert passwords.policy_violations("my-anna-pass-42", "anna@example.ru") == ["must not contain your email address"]


def test_hash_is_argon2id_with_the_documented_cost() -> None:
    hashed = passwords.hash_password(GOOD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    params = extract_parameters(hashed)
    assert params.type is ArgonType.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 1)
    assert GOOD not in hashed


def test_hashes_are_salted() -> None:
    first, second = passwords.hash_password(GOOD), passwords.hash_password(GOOD)
    assert first != second
    assert passwords.verify_password(first, GOOD) and passwords.verify_password(second, GOOD)


def test_verify_accepts_the_password_and_refuses_others() -> None:
    hashed = passwords.hash_password(GOOD)
    assert passwords.verify_password(hashed, GOOD) is True
    assert passwords.verify_password(hashed, GOOD.lower()) is False
    assert passwords.verify_password(hashed, GOOD + " ") is False
    assert passwords.verify_password(hashed, "") is False


def test_verify_handles_non_ascii_passwords() -> None:
    password = "Зимний-вечер-2025"
    hashed = passwords.hash_password(password)
    assert passwords.verify_password(hashed, password) is True
    assert passwords.verify_password(hashed, "Зимний-вечер-2026") is False


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not-a-hash",
        "$argon2id$v=19$m=65536,t=3,p=1$garbage",
        "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaA",
        "$2b$12$abcdefghijklmnopqrstuuOZxyz0123456789abcdefghijklmno",
        "5f4dcc3b5aa765d61d8327deb882cf99",
        "$argon2id$v=19$m=65536,t=3,p=1$сольсоль$хэш",
    ],
    ids=["empty", "text", "argon2-no-hash", "argon2-wrong-hash", "bcrypt", "md5", "non-ascii"],
)
def test_verify_is_false_on_a_garbage_hash(garbage: str) -> None:
    assert passwords.verify_password(garbage, GOOD) is False


def test_burn_time_verifies_against_a_real_hash() -> None:
    """burn_time must cost an argon2 verification (timing parity for unknown emails)."""
    passwords.burn_time(GOOD)
    dummy = passwords._dummy_hash()
    assert dummy.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert passwords.verify_password(dummy, GOOD) is False
