"""A token bucket: how a host tells a participant's burst of lines from a flood.

A participant sends a line a question at most (and a hello, a bye), so a person never comes near
the rate; a program looping on its socket does within a second, and is dropped. The clock is
given (seconds, monotonic), so the bucket is pure and tests need not wait.
"""

from __future__ import annotations

from .wire import FLOOD_BURST, FLOOD_RATE


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `rate` a second; each line takes one."""

    def __init__(self, now: float, *, rate: float = FLOOD_RATE, burst: int = FLOOD_BURST) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = now

    def take(self, now: float) -> bool:
        """Take a token for one line received at `now`; False when none is left (a flood)."""
        if now > self._at:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
