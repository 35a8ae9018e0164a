"""The one way to read a secret: powertools parameters (Secrets Manager on AWS and in the emulator,
the endpoint from AWS_ENDPOINT_URL when set), cached per function instance.

Powertools (and with it boto3, ~0.25 s to import) is imported on the first read, so a function that
never reads a secret never pays for it. Writes (the JWT key set's rotation, `shared.identity.keys`) are
not reads: they go through boto3 where they happen.
"""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_AGE = 300  # seconds a value is reused before it is read again (a rotation reaches us in 5 minutes)


def read_secret(name: str, *, max_age: int = DEFAULT_MAX_AGE, fresh: bool = False, client: Any = None) -> str:
    """The secret's string value, reused for `max_age` seconds. `fresh` skips the cache (after a rotation,
    or before writing it back); `client` is a Secrets Manager client of the caller's (another endpoint or
    credentials), read through a provider of its own that caches nothing across calls."""
    from aws_lambda_powertools.utilities import parameters

    if client is not None:
        value = parameters.SecretsProvider(boto3_client=client).get(name, max_age=max_age, force_fetch=fresh)
    else:
        value = parameters.get_secret(name, max_age=max_age, force_fetch=fresh)
    if isinstance(value, bytes):
        return value.decode()
    if not isinstance(value, str):
        raise TypeError(f"secret {name} is not a string")
    return value
