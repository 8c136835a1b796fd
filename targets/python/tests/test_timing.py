"""Unit tests of harness_timing, standard library only:
/usr/bin/python3 -m unittest discover -s targets/python/tests -t targets/python
(targets/python/middleware.test.ts runs them with the rest of the suite)."""

import asyncio
import os
import unittest

from harness_timing import AsgiTimingMiddleware, TimingMiddleware, accept_clock, handler_started
from harness_timing.headers import ms_between, timing_headers


def headers_dict(pairs):
    return {name.lower(): value for name, value in pairs}


class HeaderFormat(unittest.TestCase):
    def test_milliseconds_are_truncated_to_three_decimals(self):
        self.assertEqual(ms_between(0, 812_402_999), "812.402")
        self.assertEqual(ms_between(10, 10), "0.000")
        self.assertEqual(ms_between(0, 2_000_113_000), "2000.113")

    def test_headers_as_the_emulated_targets_send_them(self):
        os.environ.pop("HARNESS_WORKER", None)
        os.environ["HARNESS_REPLICA"] = "2"
        try:
            h = headers_dict(timing_headers(1_000_000_000, 1_812_402_000, 3_812_515_000, 0, worker=1))
        finally:
            del os.environ["HARNESS_REPLICA"]
        self.assertEqual(h["server-timing"], "queue;dur=812.402, app;dur=2000.113")
        self.assertEqual(h["x-served-by"], "replica=2; worker=1; thread=0; pid=%d" % os.getpid())
        self.assertEqual(h["x-server-clock"], "accepted=1000000; start=1812402; end=3812515")

    def test_without_an_accept_time_there_is_no_queue(self):
        h = headers_dict(timing_headers(None, 5_000, 9_000, 3))
        self.assertEqual(h["server-timing"], "app;dur=0.004")
        self.assertEqual(h["x-server-clock"], "start=5; end=9")
        self.assertNotIn("replica=", h["x-served-by"])


class AcceptClock(unittest.TestCase):
    def test_a_stamp_is_taken_once(self):
        accept_clock.stamp(("127.0.0.1", 5555), 42)
        key = accept_clock.peer_key("127.0.0.1", "5555")
        self.assertEqual(accept_clock.take(key), 42)
        self.assertIsNone(accept_clock.take(key))


class Wsgi(unittest.TestCase):
    def call(self, app, environ=None):
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"] = status
            seen["headers"] = headers_dict(headers)
            return lambda data: None

        body = b"".join(TimingMiddleware(app)(environ or {}, start_response))
        return seen, body

    def test_a_plain_app_gets_the_headers_with_its_own(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]

        accept_clock.stamp(("127.0.0.1", 6000))
        seen, body = self.call(app, {"REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "6000"})
        self.assertEqual(body, b"ok")
        self.assertEqual(seen["headers"]["content-type"], "text/plain")
        self.assertTrue(seen["headers"]["server-timing"].startswith("queue;dur="))

    def test_a_generator_app_is_timed_too(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            yield b"a"
            yield b"b"

        seen, body = self.call(app)
        self.assertEqual(body, b"ab")
        self.assertIn("app;dur=", seen["headers"]["server-timing"])

    def test_handler_started_moves_the_start(self):
        import time

        def app(environ, start_response):
            time.sleep(0.02)
            handler_started()
            start_response("200 OK", [])
            return [b""]

        seen, _ = self.call(app)
        clock = dict(p.split("=") for p in seen["headers"]["x-server-clock"].split("; "))
        app_ms = float(seen["headers"]["server-timing"].split("app;dur=")[1])
        self.assertLess(app_ms, 15)
        self.assertGreaterEqual(int(clock["end"]) - int(clock["start"]), 0)


class Asgi(unittest.TestCase):
    def test_headers_are_added_to_the_response_start(self):
        sent = []

        async def app(scope, receive, send):
            handler_started()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"b")]})
            await send({"type": "http.response.body", "body": b"ok"})

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request"}

        scope = {"type": "http", "client": ("127.0.0.1", 7000)}
        accept_clock.stamp(("127.0.0.1", 7000))
        asyncio.run(AsgiTimingMiddleware(app)(scope, receive, send))
        names = [name for name, _ in sent[0]["headers"]]
        self.assertEqual(names, [b"a", b"server-timing", b"x-served-by", b"x-server-clock"])
        timing = dict(sent[0]["headers"])[b"server-timing"].decode()
        self.assertTrue(timing.startswith("queue;dur="))

    def test_lifespan_passes_through(self):
        calls = []

        async def app(scope, receive, send):
            calls.append(scope["type"])

        asyncio.run(AsgiTimingMiddleware(app)({"type": "lifespan"}, None, None))
        self.assertEqual(calls, ["lifespan"])


if __name__ == "__main__":
    unittest.main()
