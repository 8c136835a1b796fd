"""WSGI middleware: times the app and adds the harness's instrumentation headers."""

import time

from . import accept_clock, context
from .headers import timing_headers


class TimingMiddleware:
    """Wraps a WSGI app. `start` is when the middleware is called (or when the handler called
    handler_started()), `end` when the app has produced its response (returned its iterable, or
    first written through write()): for a streaming body, the time to the response's start. The
    thread number is the serving thread's, numbered per process in the order threads first
    serve."""

    def __init__(self, app, replica=None, worker=None):
        self.app = app
        self.replica = replica
        self.worker = worker

    def __call__(self, environ, start_response):
        called_ns = time.monotonic_ns()
        accepted_ns = accept_clock.take(
            accept_clock.peer_key(environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT"))
        )
        thread = context.thread_number()
        timing, token = context.begin(called_ns)
        state = {}

        def send_headers():
            if "write" in state:
                return state["write"]
            end_ns = time.monotonic_ns()
            start_ns = timing.handler_ns if timing.handler_ns is not None else called_ns
            headers = list(state["headers"]) + timing_headers(
                accepted_ns, start_ns, end_ns, thread, self.replica, self.worker
            )
            state["write"] = start_response(state["status"], headers, state.get("exc_info"))
            return state["write"]

        def write(data):
            return send_headers()(data)

        def delayed_start_response(status, headers, exc_info=None):
            if exc_info is not None and "write" in state:
                # PEP 3333: headers already sent, re-raise the app's error.
                raise exc_info[1].with_traceback(exc_info[2])
            state["status"] = status
            state["headers"] = headers
            state["exc_info"] = exc_info
            return write

        try:
            result = self.app(environ, delayed_start_response)
        finally:
            context.end(token)
        if "status" in state:
            send_headers()
            return result
        # A generator app calls start_response when first iterated.
        return _SendBeforeFirstChunk(result, send_headers, state)


class _SendBeforeFirstChunk:
    def __init__(self, result, send_headers, state):
        self._result = result
        self._send_headers = send_headers
        self._state = state

    def __iter__(self):
        for chunk in self._result:
            self._send_headers()
            yield chunk
        if "status" in self._state:
            self._send_headers()

    def close(self):
        close = getattr(self._result, "close", None)
        if close is not None:
            close()


__all__ = ["TimingMiddleware"]
