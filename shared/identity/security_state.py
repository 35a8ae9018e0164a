"""Short-lived security state in Redis: revoked access tokens, disabled accounts, login
throttling and the per-user request rate limit.

Every key expires by itself: a revoked token's entry lives until the token would have expired, a
disabled account's until every token issued before it has expired.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.identity.tokens import ACCESS_TOKEN_SECONDS

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

    def invalidate_tokens(self, user_id: str, now: float | None = None) -> None:
        """Every access token of this user issued up to now stops working (roles or password changed)."""
        moment = int(now if now is not None else time.time())
        self._redis.set(f"auth:valid_after:{user_id}", moment, ex=ACCESS_TOKEN_SECONDS + 60)

    def check_request(self, user_id: str, jti: str, issued_at: int, now: float | None = None) -> RequestCheck:
        """Revocation, account state and the rate-limit count in one round trip."""
        moment = now if now is not None else time.time()
        window = int(moment // WINDOW_SECONDS)
        key = f"rl:{user_id}:{window}"
        pipe = self._redis.pipeline(transaction=False)
        pipe.exists(f"auth:deny:{jti}")
        pipe.exists(f"auth:disabled:{user_id}")
        pipe.get(f"auth:valid_after:{user_id}")
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        denied, disabled, valid_after, count, _ = pipe.execute()
        stale = valid_after is not None and issued_at < int(valid_after)
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
