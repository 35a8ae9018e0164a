"""Short-lived security state in Redis: revoked access tokens, disabled accounts, login
throttling and the per-user request rate limit.

Every key expires by itself: a revoked token's entry lives until the token would have expired, a
disabled account's until every token issued before it has expired.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.identity.lifetimes import ACCESS_TOKEN_SECONDS

if TYPE_CHECKING:
    import redis

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RequestCheck:
    revoked: bool
    disabled: bool
    count: int
    retry_after: int


class SecurityState:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    # --- access tokens and accounts ------------------------------------------------------------
    def revoke_token(self, jti: str, exp: int) -> None:
        ttl = max(1, exp - int(time.time()) + 60)
        self._redis.set(f"auth:deny:{jti}", 1, ex=ttl)

    def disable_user(self, user_id: str) -> None:
        self._redis.set(f"auth:disabled:{user_id}", 1, ex=ACCESS_TOKEN_SECONDS + 60)

    def generation(self, user_id: str) -> int:
        """The user's current token generation, embedded in every token issued now."""
        value = self._redis.get(f"auth:gen:{user_id}")
        return int(value) if value is not None else 0  # type: ignore[arg-type]

    def invalidate_tokens(self, user_id: str) -> None:
        """Every access token of this user issued so far stops working (roles or password changed).

        The counter outlives every token it judges; should it expire, older tokens mismatch and
        are refused, never accepted.
        """
        key = f"auth:gen:{user_id}"
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, 30 * 24 * 3600)
        pipe.execute()

    def check_request(self, user_id: str, jti: str, generation: int, now: float | None = None) -> RequestCheck:
        """Revocation, account state and the rate-limit count in one round trip."""
        moment = now if now is not None else time.time()
        window = int(moment // WINDOW_SECONDS)
        key = f"rl:{user_id}:{window}"
        pipe = self._redis.pipeline(transaction=False)
        pipe.exists(f"auth:deny:{jti}")
        pipe.exists(f"auth:disabled:{user_id}")
        pipe.get(f"auth:gen:{user_id}")
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        denied, disabled, current, count, _ = pipe.execute()
        stale = generation != (int(current) if current is not None else 0)
        retry_after = int((window + 1) * WINDOW_SECONDS - moment) + 1
        return RequestCheck(bool(denied) or stale, bool(disabled), int(count), retry_after)

    # --- login throttling ----------------------------------------------------------------------
    def login_blocked_for(self, email: str, ip: str | None, *, per_account: int, per_ip: int) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        keys = [f"login:fail:acct:{email.lower()}"] + ([f"login:fail:ip:{ip}"] if ip else [])
        limits = [per_account, per_ip]
        pipe = self._redis.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
            pipe.ttl(k)
        values = pipe.execute()
        wait = 0
        for i, limit in enumerate(limits[: len(keys)]):
            count, ttl = values[2 * i], values[2 * i + 1]
            if count is not None and int(count) >= limit:
                wait = max(wait, int(ttl) if ttl and ttl > 0 else 1)
        return wait

    def login_failed(self, email: str, ip: str | None, window: int) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for k in [f"login:fail:acct:{email.lower()}"] + ([f"login:fail:ip:{ip}"] if ip else []):
            pipe.set(k, 0, ex=window, nx=True)  # starts the window on the first failure (Redis 6 has no EXPIRE NX)
            pipe.incr(k)
        pipe.execute()

    def login_succeeded(self, email: str) -> None:
        self._redis.delete(f"login:fail:acct:{email.lower()}")
