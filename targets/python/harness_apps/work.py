"""What a request's handler does: sleep (waiting on I/O, the GIL released) or burn CPU."""

import os
import time


def default_ms():
    try:
        return float(os.environ.get("HARNESS_DEFAULT_MS", "0"))
    except ValueError:
        return 0.0


def default_work():
    work = os.environ.get("HARNESS_DEFAULT_WORK", "sleep")
    return work if work in ("sleep", "cpu") else "sleep"


def parse(query_ms, query_work):
    """The request's (work, ms) from its query parameters, with the app's defaults."""
    try:
        ms = float(query_ms) if query_ms is not None else default_ms()
    except ValueError:
        ms = default_ms()
    if not ms >= 0:
        ms = default_ms()
    work = query_work if query_work in ("sleep", "cpu") else default_work()
    return work, ms


def burn(ms):
    """Burns `ms` of this thread's CPU time (not wall time: under contention it takes longer,
    and other threads of the process take turns through the GIL)."""
    deadline = time.thread_time() + ms / 1000.0
    x = 0
    while time.thread_time() < deadline:
        for i in range(2000):
            x = (x * 31 + i) & 0xFFFF
    return x


def perform(work, ms):
    if ms <= 0:
        return
    if work == "cpu":
        burn(ms)
    else:
        time.sleep(ms / 1000.0)
