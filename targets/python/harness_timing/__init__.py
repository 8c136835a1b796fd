"""Instrumentation for Python web apps measured by the capacity harness.

Drop one of the two middlewares into your app and every response carries the same headers the
harness's emulated servers send (targets/instrument.ts parses them)::

    Server-Timing: queue;dur=812.402, app;dur=2000.113
    X-Served-By: replica=2; worker=1; thread=0; pid=41233
    X-Server-Clock: accepted=5103923112; start=5104735514; end=5106735627

WSGI (Flask, Django, anything gunicorn or Werkzeug serves)::

    from harness_timing import TimingMiddleware
    app.wsgi_app = TimingMiddleware(app.wsgi_app)      # Flask
    application = TimingMiddleware(application)        # any WSGI callable

ASGI (FastAPI, Starlette, anything uvicorn serves)::

    from harness_timing import AsgiTimingMiddleware
    app = AsgiTimingMiddleware(app)

A handler that can wait inside the app before it runs (FastAPI's plain ``def`` endpoints wait
for a thread of Starlette's pool) calls ``handler_started()`` first, so that the wait counts as
queue time rather than handler time::

    from harness_timing import handler_started

    @app.get("/work")
    def work():
        handler_started()
        ...

Standard library only, Python 3.8 or later. See README.md beside this package for what each
server exposes (``queue`` needs the time the connection was accepted, which no server puts in
the request; accept_clock.py and the hooks in gunicorn_hooks.py provide it where the harness, or
you, can install them).
"""

from .asgi import AsgiTimingMiddleware
from .context import handler_started
from .wsgi import TimingMiddleware

__all__ = ["AsgiTimingMiddleware", "TimingMiddleware", "handler_started"]
