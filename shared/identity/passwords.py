"""Password hashing (argon2id) and the password policy.

Parameters: argon2id, time_cost=3, memory_cost=64 MiB, parallelism=1. That is OWASP's second
recommended configuration (m=64 MiB, t=3, p=1 is stronger than its minimum, 19 MiB/t=2) and costs
~0.15 s per hash here (8x the minimum set): slow enough to make offline guessing expensive, fast enough for
Lambda (512 MB) and the seed's 200 ms p95 on auth. Measured by tests/benchmarks/bench_identity.py.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 1
MIN_LENGTH = 10
MAX_LENGTH = 128

_COMMON = {
    "password",
    "password1",
    "qwerty123",
    "1234567890",
    "qwertyuiop",
    "iloveyou12",
    "admin12345",
    "letmein123",
    "passw0rd12",
    "welcome123",
    "йцукенгшщз",
    "пароль1234",
}


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError, ValueError):  # ValueError: a non-ASCII (damaged) hash
        return False


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def burn_time(password: str) -> None:
    """Verify against a hash of a random password: an unknown email then costs as long as a wrong
    password, so response times do not reveal which emails have accounts."""
    verify_password(_dummy_hash(), password)


def policy_violations(password: str, email: str) -> list[str]:
    """The rules a password breaks, in words a user can act on; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        problems.append("must contain both letters and digits")
    if password.lower() in _COMMON:
        problems.append("is too common")
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in password.lower():
        problems.append("must not contain your email address")
    return problems
