"""The three instrumentation headers, formatted exactly as targets/instrument.ts formats them.

X-Server-Clock holds microseconds of CLOCK_MONOTONIC (time.monotonic_ns() // 1000), the clock
Node's process.hrtime reads too, so on one machine the harness can place the server's instants
on its own timeline. For a server on another machine only the durations mean anything.
"""

import os
import threading

NS_PER_MS = 1_000_000


def ms_between(from_ns, to_ns):
    """Milliseconds from one monotonic instant to another, 3 decimals, truncated (as instrument.ts)."""
    ns = to_ns - from_ns
    if ns < 0:
        ns = 0
    return "%d.%s" % (ns // NS_PER_MS, str(ns % NS_PER_MS).rjust(6, "0")[:3])


def _env_int(name):
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def served_by(thread, replica=None, worker=None):
    """The X-Served-By value: replica and worker when known (HARNESS_REPLICA, HARNESS_WORKER)."""
    if replica is None:
        replica = _env_int("HARNESS_REPLICA")
    if worker is None:
        worker = _env_int("HARNESS_WORKER")
    parts = []
    if replica is not None:
        parts.append("replica=%d" % replica)
    if worker is not None:
        parts.append("worker=%d" % worker)
    parts.append("thread=%d" % thread)
    parts.append("pid=%d" % os.getpid())
    return "; ".join(parts)


def timing_headers(accepted_ns, start_ns, end_ns, thread, replica=None, worker=None):
    """(name, value) pairs for one served request; `accepted_ns` may be None (no queue then)."""
    timing = ["app;dur=%s" % ms_between(start_ns, end_ns)]
    clock = ["start=%d" % (start_ns // 1000), "end=%d" % (end_ns // 1000)]
    if accepted_ns is not None:
        timing.insert(0, "queue;dur=%s" % ms_between(accepted_ns, start_ns))
        clock.insert(0, "accepted=%d" % (accepted_ns // 1000))
    return [
        ("Server-Timing", ", ".join(timing)),
        ("X-Served-By", served_by(thread, replica, worker)),
        ("X-Server-Clock", "; ".join(clock)),
    ]


class ThreadNumbers:
    """Small numbers for the threads of this process (0, 1, ...), in the order they first serve.

    A fork starts the numbering again: the numbers belong to one process.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._numbers = {}

    def current(self):
        ident = threading.get_ident()
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._numbers = {}
            number = self._numbers.get(ident)
            if number is None:
                number = len(self._numbers)
                self._numbers[ident] = number
            return number
