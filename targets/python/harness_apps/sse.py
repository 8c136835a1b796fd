"""Server-sent events in the bundled FastAPI app, speaking the emulated app's protocol
(targets/app/sse.ts, targets/app/protocol.ts) so that the harness observes both the same way:

    GET  /events          a text/event-stream that stays open; ": registered" once the client is
                          in this worker's registry, then "id: N" and "data: <EventPayload JSON>"
    POST /publish?id=N    publishes event N "to every client"; answers JSON with the event, its
                          `registry`, and `delivered` (memory) or `subscribers` (redis)

HARNESS_SSE_REGISTRY chooses where clients are known:
- "memory": a set in this worker process, the usual first version of a live page. The publish
  reaches only the clients of the worker that handled it; under --workers N or several replicas
  the others miss the event.
- "redis": the publishing worker PUBLISHes the event on a Redis channel (HARNESS_REDIS host:port,
  HARNESS_SSE_CHANNEL) that every worker SUBSCRIBEs to at start-up; each writes it to its own
  clients.

An event's payload carries the publisher, the instant it published, and the worker and instant
that wrote it to this stream, in microseconds of CLOCK_MONOTONIC, which the harness shares. An
async endpoint: a stream holds no thread of the pool, only a task of the worker's event loop.
"""

import asyncio
import json
import os
import sys
import time

from fastapi import Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from . import resp

REGISTRIES = ("memory", "redis")


def monotonic_us():
    return time.monotonic_ns() // 1000


def identity():
    """This worker's replica, worker number and pid, as X-Served-By gives them."""

    def number(name):
        try:
            return int(os.environ.get(name, ""))
        except ValueError:
            return None

    return {"replica": number("HARNESS_REPLICA"), "worker": number("HARNESS_WORKER"), "pid": os.getpid()}


def frame(event, via):
    """One event as the stream carries it, stamped with the instant it is written."""
    payload = dict(event, sentUs=monotonic_us(), via=via)
    return "id: %d\ndata: %s\n\n" % (event["id"], json.dumps(payload, separators=(",", ":")))


class Registry:
    """The clients of this worker process: one queue each, which its stream drains."""

    def __init__(self):
        self.clients = set()

    def add(self):
        queue = asyncio.Queue()
        self.clients.add(queue)
        return queue

    def remove(self, queue):
        self.clients.discard(queue)

    def deliver(self, event):
        for queue in self.clients:
            queue.put_nowait(event)
        return len(self.clients)


class RedisBus:
    """Every worker's subscription to one channel, and a connection to publish on."""

    def __init__(self, host, port, channel, deliver):
        self.host = host
        self.port = port
        self.channel = channel
        self.deliver = deliver
        self.publisher = None
        self.task = None

    async def start(self):
        subscriber = await resp.Connection.open(self.host, self.port)
        await subscriber.command("SUBSCRIBE", self.channel)
        self.publisher = await resp.Connection.open(self.host, self.port)
        self.task = asyncio.get_running_loop().create_task(self._listen(subscriber))

    async def _listen(self, subscriber):
        try:
            while True:
                message = await subscriber.reply()
                if not isinstance(message, list) or len(message) != 3 or message[0] != b"message":
                    continue
                try:
                    self.deliver(json.loads(message[2]))
                except ValueError as error:
                    sys.stderr.write("harness sse: a message that is not JSON: %s\n" % error)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            sys.stderr.write("harness sse: the Redis subscription ended: %s\n" % error)
        finally:
            subscriber.close()

    async def publish(self, event):
        return await self.publisher.command("PUBLISH", self.channel, json.dumps(event))


def redis_address(value):
    host, _, port = (value or "").rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit("HARNESS_REDIS must be host:port, not %r" % value)
    return host, int(port)


def mount(api, registry_kind):
    """Adds GET /events and POST /publish to the FastAPI app `api`."""
    if registry_kind not in REGISTRIES:
        raise SystemExit("HARNESS_SSE_REGISTRY must be memory or redis, not %r" % registry_kind)
    registry = Registry()
    bus = None
    if registry_kind == "redis":
        host, port = redis_address(os.environ.get("HARNESS_REDIS"))
        channel = os.environ.get("HARNESS_SSE_CHANNEL", "capacity-harness:events")
        bus = RedisBus(host, port, channel, registry.deliver)

        @api.on_event("startup")
        async def subscribe():
            await bus.start()

    @api.get("/events")
    async def events(request: Request):
        queue = registry.add()
        via = identity()

        async def stream():
            try:
                # A comment: sends the headers, and tells the client it is registered.
                yield ": registered\n\n"
                while True:
                    event = await queue.get()
                    yield frame(event, via)
            finally:
                registry.remove(queue)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )

    @api.post("/publish")
    async def publish(request: Request, id: int = Query(0)):
        event = {"id": id, "publishedUs": monotonic_us(), "publisher": identity()}
        if bus is None:
            return dict(event, registry="memory", delivered=registry.deliver(event))
        try:
            return dict(event, registry="redis", subscribers=await bus.publish(event))
        except (OSError, resp.RedisError, asyncio.IncompleteReadError) as error:
            return JSONResponse(dict(event, registry="redis", error=str(error)), status_code=502)

    return registry
