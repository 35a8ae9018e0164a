"""Telegram's flood limits on our side, shared by every sender instance through Redis.

Why: the Bot API answers 429 past about one message a second to a chat and about 30 a second in all, and
the sender runs as many function instances at once. Each instance asks this limiter for a send slot before
it calls Telegram; the slot is reserved atomically in Redis (one Lua script, Redis's own clock), so two
instances never take the same one.

* per chat: slots at least ``per_chat_interval`` apart (1.1 s: a margin under Telegram's one a second, so
  network jitter between two spaced sends does not make them look closer than a second);
* overall: at most ``per_window`` sends in each fixed ``window`` (5 per 200 ms: 25 a second on average,
  and never more than 30 in any sliding second, which a one-second fixed window of 25 could reach 50 in).

`reserve` answers how long to wait before sending (0 when a slot is free now). A slot further away than
``max_wait`` is not reserved: the caller gives the message back to the queue with that wait
(`RetryableDelivery(retry_after=...)`) instead of holding a function instance idle. After a 429, `hold`
pushes the chat's next slot past Telegram's ``retry_after`` for every instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

__all__ = ["Reservation", "TelegramLimiter"]

# KEYS: [chat key, global key prefix]; ARGV: [per-chat interval µs, window µs, per window, max wait µs, ttl ms]
# Returns {granted (0|1), wait µs}.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local per_window = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local key = nil
for _ = 1, 10000 do
  local index = math.floor(slot / window)
  key = KEYS[2] .. string.format('%d', index)
  if tonumber(redis.call('GET', key) or '0') < per_window then break end
  slot = (index + 1) * window
  if slot - now > max_wait then break end
end
local wait = slot - now
if wait > max_wait then return {0, wait} end
redis.call('INCR', key)
redis.call('PEXPIRE', key, ttl)
redis.call('SET', KEYS[1], string.format('%d', slot + interval), 'PX', ttl)
return {1, wait}
"""

# KEYS: [chat key]; ARGV: [hold µs, ttl ms]: the chat's next slot no earlier than now + hold.
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', tonumber(ARGV[2]))
end
return 1
"""

_MICRO = 1_000_000


@dataclass(frozen=True)
class Reservation:
    """``granted``: the slot is ours, send after ``wait`` seconds; else nothing was reserved and the next slot
    is ``wait`` seconds away (more than the caller would wait)."""

    granted: bool
    wait: float


class TelegramLimiter:
    """Send slots per chat and overall, in Redis (see the module docstring). One instance per process."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        per_chat_interval: float = 1.1,
        window: float = 0.2,
        per_window: int = 5,
        prefix: str = "notify:telegram:slots",
    ) -> None:
        if per_chat_interval <= 0 or window <= 0 or per_window < 1:
            raise ValueError("intervals must be positive and per_window at least 1")
        self._redis = client
        self._interval_us = int(per_chat_interval * _MICRO)
        self._window_us = int(window * _MICRO)
        self._per_window = per_window
        self._prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._hold = client.register_script(_HOLD)

    def _chat_key(self, chat_id: int | str) -> str:
        return f"{self._prefix}:chat:{chat_id}"

    def reserve(self, chat_id: int | str, *, max_wait: float = 5.0) -> Reservation:
        """The next send slot for ``chat_id``, reserved if it is at most ``max_wait`` seconds away."""
        max_wait_us = int(max(0.0, max_wait) * _MICRO)
        ttl_ms = (max_wait_us + self._interval_us + 2 * self._window_us) // 1000 + 1000
        granted, wait_us = self._reserve(
            keys=[self._chat_key(chat_id), f"{self._prefix}:all:"],
            args=[self._interval_us, self._window_us, self._per_window, max_wait_us, ttl_ms],
        )
        return Reservation(bool(int(granted)), int(wait_us) / _MICRO)

    def hold(self, chat_id: int | str, seconds: float) -> None:
        """No slot for ``chat_id`` before ``seconds`` from now (Telegram said retry_after)."""
        hold_us = int(max(0.0, seconds) * _MICRO)
        self._hold(keys=[self._chat_key(chat_id)], args=[hold_us, hold_us // 1000 + 1000])
