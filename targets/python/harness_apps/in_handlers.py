"""How many requests this process has inside their handlers right now, counted by the app itself.

The claim "2 workers x 100 async = 200 concurrent" is about requests in handlers at once. The
harness can work that out from each request's handler start and end, but those instants are
the middleware's; this count is the app's own, taken where the handler's body runs (for a plain
``def`` endpoint, on its pool thread, after any wait for a thread). Each response carries it in

    X-Handlers-At-Once: <in handlers when this one entered, itself included>

and the harness takes, per worker process, the highest value its responses carried.

A lock, not a plain integer: ``def`` endpoints run on anyio's pool threads, and ``+=`` on a
shared integer is a read and a write that another thread can come between.
"""

import threading

HEADER = "X-Handlers-At-Once"


class InHandlers:
    def __init__(self):
        self._lock = threading.Lock()
        self._now = 0
        self._peak = 0

    def enter(self):
        """A handler's body starts; returns how many are in handlers now, this one included."""
        with self._lock:
            self._now += 1
            if self._now > self._peak:
                self._peak = self._now
            return self._now

    def leave(self):
        with self._lock:
            self._now -= 1

    @property
    def now(self):
        return self._now

    @property
    def peak(self):
        return self._peak


counter = InHandlers()
