"""The timing of the request being served, for handlers that want to say when they started.

The middleware starts the clock when the server calls it, which is when the handler starts for
most apps. Where a request still waits inside the app (FastAPI and Starlette run plain ``def``
endpoints in a thread pool, 40 threads per process by default, and a request waits there for a
free thread), the endpoint calls ``handler_started()`` first thing, and the middleware reports
that instant as the handler's start, counts the wait before it as ``queue``, and reports the
pool thread's number. The record is shared through a context variable, which asyncio tasks and
anyio's worker threads inherit.
"""

import contextvars
import time

from .headers import ThreadNumbers

_threads = ThreadNumbers()
_current = contextvars.ContextVar("harness_timing_request", default=None)


class RequestTiming:
    __slots__ = ("called_ns", "handler_ns", "thread")

    def __init__(self, called_ns):
        self.called_ns = called_ns
        self.handler_ns = None
        self.thread = None


def begin(called_ns):
    """Starts a request's record; returns it and the token to end it with."""
    timing = RequestTiming(called_ns)
    return timing, _current.set(timing)


def end(token):
    _current.reset(token)


def handler_started():
    """Call first thing in a handler that may have waited inside the app (a thread pool): the
    middleware then times the handler from here. Does nothing outside a timed request."""
    timing = _current.get()
    if timing is not None and timing.handler_ns is None:
        timing.handler_ns = time.monotonic_ns()
        timing.thread = _threads.current()


def thread_number():
    """This thread's number in its process (0, 1, ...), as the middleware reports it."""
    return _threads.current()
