"""A value loaded from the database and kept for a few seconds in this process.

Rules, journeys and policies change rarely but are read on every recorded activity: each process
keeps its copy for ``seconds`` and reloads after that, or at once after ``forget()`` (which the
code that changes them calls). Other processes catch up within ``seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Refreshed(Generic[T]):
    def __init__(self, load: Callable[[], T], seconds: float) -> None:
        self._load = load
        self.seconds = seconds
        self._lock = threading.Lock()
        self._value: tuple[float, T] | None = None

    def get(self) -> T:
        current = self._value
        if current is not None and time.monotonic() - current[0] < self.seconds:
            return current[1]
        with self._lock:
            value = self._load()
            self._value = (time.monotonic(), value)
            return value

    def forget(self) -> None:
        self._value = None
