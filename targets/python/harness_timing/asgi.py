"""ASGI middleware: times the app and adds the harness's instrumentation headers."""

import os
import time

from . import accept_clock, context
from .headers import timing_headers


class _Slots:
    """Per process, the lowest free slot number for a request that starts: an async server has
    no thread per request, so X-Served-By's `thread` is this slot, which still shows how many
    requests one worker ran at once."""

    def __init__(self):
        self._pid = None
        self._busy = set()

    def acquire(self):
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._busy = set()
        slot = 0
        while slot in self._busy:
            slot += 1
        self._busy.add(slot)
        return slot

    def release(self, slot):
        self._busy.discard(slot)


_slots = _Slots()


class AsgiTimingMiddleware:
    """Wraps an ASGI app. `start` is when the middleware is called, or when the endpoint called
    handler_started() (a ``def`` endpoint waiting for a pool thread), `end` when the app sends
    the response's start (its status and headers), which is where the headers are added.
    `thread` is the pool thread's number when the endpoint said so, else the slot."""

    def __init__(self, app, replica=None, worker=None):
        self.app = app
        self.replica = replica
        self.worker = worker

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        called_ns = time.monotonic_ns()
        client = scope.get("client") or (None, None)
        accepted_ns = accept_clock.take(accept_clock.peer_key(client[0], client[1]))
        slot = _slots.acquire()
        timing, token = context.begin(called_ns)

        async def timed_send(message):
            if message.get("type") == "http.response.start":
                end_ns = time.monotonic_ns()
                start_ns = timing.handler_ns if timing.handler_ns is not None else called_ns
                thread = timing.thread if timing.thread is not None else slot
                extra = [
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in timing_headers(
                        accepted_ns, start_ns, end_ns, thread, self.replica, self.worker
                    )
                ]
                message = dict(message)
                message["headers"] = list(message.get("headers") or []) + extra
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            context.end(token)
            _slots.release(slot)


__all__ = ["AsgiTimingMiddleware"]
