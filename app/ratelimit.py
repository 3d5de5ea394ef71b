"""In-process rate limits: sign-in attempts and a per-link ceiling on submissions.

Counts live in this process's memory (fixed windows), which suits one service process; with
several workers each keeps its own count, so the effective limit is per worker.
"""

import threading
import time

from app.config import get_settings


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, *, limit: int, window_seconds: int) -> bool:
        """Count one attempt under `key`; False when the limit for this window is used up."""
        if not get_settings().rate_limits_on:
            return True
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window_seconds:
                started, count = now, 0
            if count >= limit:
                self._windows[key] = (started, count)
                return False
            self._windows[key] = (started, count + 1)
            if len(self._windows) > 100_000:  # never grow without bound under attack
                self._forget_expired(now, window_seconds)
            return True

    def retry_after(self, key: str, *, window_seconds: int) -> int:
        started, _ = self._windows.get(key, (time.monotonic(), 0))
        return max(1, int(window_seconds - (time.monotonic() - started)))

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._windows.clear()
            else:
                self._windows.pop(key, None)

    def _forget_expired(self, now: float, window_seconds: int) -> None:
        self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window_seconds}


limiter = RateLimiter()
