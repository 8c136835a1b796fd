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

Wrapped in harness_timing.AsgiTimingMiddleware.
"""

import asyncio
import os

from fastapi import FastAPI, Query
from fastapi.responses import PlainTextResponse

from harness_timing import AsgiTimingMiddleware, handler_started

from . import lifecycle, work

lifecycle.on_import()

ENDPOINT = os.environ.get("HARNESS_ENDPOINT", "def")

api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@api.on_event("startup")
async def size_thread_pool():
    threads = os.environ.get("HARNESS_THREADS")
    if threads:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = int(threads)


@api.get("/health", response_class=PlainTextResponse)
async def health():
    return "ok\n"


if ENDPOINT == "async":

    @api.get("/")
    @api.get("/work")
    async def do_work(ms: str = Query(None), work_kind: str = Query(None, alias="work")):
        handler_started()
        kind, millis = work.parse(ms, work_kind)
        if kind == "cpu":
            work.burn(millis)
        else:
            await asyncio.sleep(millis / 1000.0)
        return {"pid": os.getpid(), "work": kind, "ms": millis}

else:

    @api.get("/")
    @api.get("/work")
    def do_work(ms: str = Query(None), work_kind: str = Query(None, alias="work")):
        handler_started()
        kind, millis = work.parse(ms, work_kind)
        work.perform(kind, millis)
        return {"pid": os.getpid(), "work": kind, "ms": millis}


app = AsgiTimingMiddleware(api)
