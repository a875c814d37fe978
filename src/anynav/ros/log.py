"""A node logger with rclpy's call signature (throttle_duration_sec, once, skip_first)."""

from __future__ import annotations

import os
import sys
import threading
import time

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40, "fatal": 50}


class Logger:
    """Writes `[LEVEL] [stamp] [name]: message` lines to stderr, as ROS 2 console output does."""

    def __init__(self, name: str, level: str | None = None) -> None:
        self.name = name
        level = (level or os.environ.get("ANYNAV_LOG_LEVEL", "info")).lower()
        self._threshold = LEVELS.get(level, LEVELS["info"])
        self._last: dict[tuple[str, int], float] = {}
        self._seen: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def debug(self, message: str, **kwargs: object) -> bool:
        return self._log("debug", message, **kwargs)

    def info(self, message: str, **kwargs: object) -> bool:
        return self._log("info", message, **kwargs)

    def warn(self, message: str, **kwargs: object) -> bool:
        return self._log("warn", message, **kwargs)

    warning = warn

    def error(self, message: str, **kwargs: object) -> bool:
        return self._log("error", message, **kwargs)

    def fatal(self, message: str, **kwargs: object) -> bool:
        return self._log("fatal", message, **kwargs)

    def _log(
        self,
        level: str,
        message: str,
        throttle_duration_sec: float | None = None,
        once: bool = False,
        skip_first: bool = False,
        **_: object,
    ) -> bool:
        if LEVELS[level] < self._threshold:
            return False
        caller = sys._getframe(2)
        site = (caller.f_code.co_filename, caller.f_lineno)
        now = time.monotonic()
        with self._lock:
            first = site not in self._seen
            self._seen.add(site)
            if once and not first:
                return False
            if skip_first and first:
                return False
            if throttle_duration_sec is not None:
                last = self._last.get(site)
                if last is not None and now - last < throttle_duration_sec:
                    return False
                self._last[site] = now
        sys.stderr.write(f"[{level.upper()}] [{time.time():.6f}] [{self.name}]: {message}\n")
        sys.stderr.flush()
        return True
