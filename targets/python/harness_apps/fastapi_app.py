"""A FastAPI app for the harness, the ASGI twin of flask_app.py.

    GET /health                  200 "ok"
    GET /work?ms=200&work=cpu    sleeps or burns CPU for `ms` milliseconds, then 200 with JSON
    GET /                        the same with the defaults (HARNESS_DEFAULT_MS, _WORK)

HARNESS_ENDPOINT chooses how /work is written, which decides its concurrency under uvicorn:
- "def" (default): a plain function. Starlette runs it in a thread pool (anyio's default
  limiter, 40 threads per worker process; HARNESS_THREADS changes it), so a worker serves at
  most that many at once and queues the rest.
- "async": an ``async def`` that awaits asyncio.sleep: unlimited concurrency for sleep; CPU
  work inside it blocks the worker's event loop, so the worker serves one at a time.

HARNESS_HANDLER (a topology's `handler`, which decides HARNESS_ENDPOINT) writes it one of the
four ways the async-capacity scenario compares, whatever the request's `work`:
- "await": async def awaiting asyncio.sleep;
- "def": plain def sleeping with time.sleep in the thread pool;
- "blocking": async def calling time.sleep, a blocking call that holds the event loop;
- "cpu": async def burning CPU for the time.
Each response says how many requests were in this process's handlers when it entered
(in_handlers.py, header X-Handlers-At-Once).

HARNESS_SSE_REGISTRY (memory or redis; a topology's `registry`) adds GET /events and POST
/publish (sse.py), the emulated app's event-stream protocol.

Wrapped in harness_timing.AsgiTimingMiddleware.
"""

import asyncio
import os
import time

from fastapi import FastAPI, Query, Response
from fastapi.responses import PlainTextResponse

from harness_timing import AsgiTimingMiddleware, handler_started

from . import lifecycle, work
from .in_handlers import HEADER, counter

lifecycle.on_import()

HANDLERS = ("await", "def", "blocking", "cpu")
HANDLER = os.environ.get("HARNESS_HANDLER") or None
if HANDLER is not None and HANDLER not in HANDLERS:
    raise SystemExit("HARNESS_HANDLER must be one of %s, not %r" % (", ".join(HANDLERS), HANDLER))
ENDPOINT = "def" if HANDLER == "def" else "async" if HANDLER else os.environ.get("HARNESS_ENDPOINT", "def")
# What the handler's body does with its time: the topology's handler when it set one.
FORCED_WORK = {"await": "sleep", "def": "sleep", "blocking": "sleep", "cpu": "cpu"}.get(HANDLER)

api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@api.on_event("startup")
async def size_thread_pool():
    threads = os.environ.get("HARNESS_THREADS")
    if threads:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = int(threads)


# Server-sent events (sse.py) when a topology sets `registry`.
if os.environ.get("HARNESS_SSE_REGISTRY"):
    from . import sse

    sse.mount(api, os.environ["HARNESS_SSE_REGISTRY"])


@api.get("/health", response_class=PlainTextResponse)
async def health():
    return "ok\n"


if ENDPOINT == "async":

    @api.get("/")
    @api.get("/work")
    async def do_work(
        response: Response, ms: str = Query(None), work_kind: str = Query(None, alias="work")
    ):
        handler_started()
        response.headers[HEADER] = str(counter.enter())
        try:
            kind, millis = work.parse(ms, FORCED_WORK or work_kind)
            if kind == "cpu":
                work.burn(millis)
            elif HANDLER == "blocking":
                time.sleep(millis / 1000.0)
            else:
                await asyncio.sleep(millis / 1000.0)
        finally:
            counter.leave()
        return {"pid": os.getpid(), "work": kind, "ms": millis}

else:

    @api.get("/")
    @api.get("/work")
    def do_work(
        response: Response, ms: str = Query(None), work_kind: str = Query(None, alias="work")
    ):
        handler_started()
        response.headers[HEADER] = str(counter.enter())
        try:
            kind, millis = work.parse(ms, FORCED_WORK or work_kind)
            work.perform(kind, millis)
        finally:
            counter.leave()
        return {"pid": os.getpid(), "work": kind, "ms": millis}


app = AsgiTimingMiddleware(api)
