"""A Flask app for the harness: GET /work?ms=200&work=sleep|cpu spends that long in its handler.

    GET /health                  200 "ok", no work (readiness probes)
    GET /work?ms=200&work=cpu    sleeps or burns CPU for `ms` milliseconds, then 200 with JSON
    GET /                        the same with the defaults (HARNESS_DEFAULT_MS, _WORK)

Wrapped in harness_timing.TimingMiddleware, so every response carries the instrumentation.
"""

import os

from flask import Flask, jsonify, request

from harness_timing import TimingMiddleware, handler_started

from . import lifecycle, work

lifecycle.on_import()

app = Flask(__name__)


@app.get("/health")
def health():
    return "ok\n", 200, {"content-type": "text/plain"}


@app.get("/")
@app.get("/work")
def do_work():
    handler_started()
    kind, ms = work.parse(request.args.get("ms"), request.args.get("work"))
    work.perform(kind, ms)
    return jsonify(pid=os.getpid(), work=kind, ms=ms)


app.wsgi_app = TimingMiddleware(app.wsgi_app)
