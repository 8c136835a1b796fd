"""gunicorn server hooks that give the middleware each connection's accept time.

In your gunicorn.conf.py::

    from harness_timing.gunicorn_hooks import post_worker_init

gunicorn's sync, gthread and uvicorn workers all accept through the listener objects in
``worker.sockets`` (gunicorn/sock.py), whose attribute lookups fall through to the real socket;
setting ``accept`` on each wraps it without changing how or when the worker accepts.
"""

from .accept_clock import stamping


def stamp_listeners(worker):
    for listener in worker.sockets:
        inner = getattr(listener, "sock", None)
        if inner is None:
            continue
        listener.accept = stamping(inner.accept)


def post_worker_init(worker):
    stamp_listeners(worker)
