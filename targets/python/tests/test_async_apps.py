"""Unit tests of the bundled app's parts for async-capacity and sse-fanout: the count of
requests in handlers, the RESP client, the event-stream registry (that one needs FastAPI,
which Debian's python3-fastapi provides; skipped without it)."""

import asyncio
import json
import os
import threading
import unittest

from harness_apps import resp
from harness_apps.in_handlers import InHandlers

try:
    from harness_apps import sse
except ImportError:  # FastAPI missing: the registry's tests are skipped
    sse = None


class CountInHandlers(unittest.TestCase):
    def test_counts_those_inside_and_keeps_the_most(self):
        c = InHandlers()
        self.assertEqual(c.enter(), 1)
        self.assertEqual(c.enter(), 2)
        c.leave()
        self.assertEqual(c.enter(), 2)
        c.leave()
        c.leave()
        self.assertEqual((c.now, c.peak), (0, 2))

    def test_threads_entering_at_once_lose_no_count(self):
        c = InHandlers()
        start = threading.Barrier(8)

        def run():
            start.wait()
            for _ in range(2000):
                c.enter()
                c.leave()

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(c.now, 0)
        self.assertGreaterEqual(c.peak, 1)
        self.assertLessEqual(c.peak, 8)


def replies(data):
    """Every reply in `data`, read as the client reads them."""

    async def read():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        out = []
        while not reader.at_eof():
            try:
                out.append(await resp.read_reply(reader))
            except ConnectionError:
                break
        return out

    return asyncio.run(read())


class Resp(unittest.TestCase):
    def test_a_command_is_an_array_of_bulk_strings(self):
        self.assertEqual(
            resp.encode("PUBLISH", "ch", '{"id":1}'),
            b'*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$8\r\n{"id":1}\r\n',
        )
        self.assertEqual(resp.encode("X", "é"), b"*2\r\n$1\r\nX\r\n$2\r\n\xc3\xa9\r\n")

    def test_every_reply_type(self):
        got = replies(b"+OK\r\n:3\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n-ERR wrong\r\n")
        self.assertEqual(got[:5], ["OK", 3, b"hello", None, None])
        self.assertIsInstance(got[5], resp.RedisError)
        self.assertEqual(str(got[5]), "ERR wrong")

    def test_a_subscription_message_is_an_array(self):
        (message,) = replies(b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\n{}\r\n")
        self.assertEqual(message, [b"message", b"ch", b"{}"])

    def test_a_bulk_string_may_hold_crlf(self):
        (value,) = replies(b"$4\r\na\r\nb\r\n")
        self.assertEqual(value, b"a\r\nb")

    def test_a_closed_connection_is_an_error(self):
        async def read():
            reader = asyncio.StreamReader()
            reader.feed_data(b"+O")
            reader.feed_eof()
            await resp.read_reply(reader)

        with self.assertRaises(ConnectionError):
            asyncio.run(read())


@unittest.skipIf(sse is None, "FastAPI is not installed (Debian: python3-fastapi)")
class EventRegistry(unittest.TestCase):
    def test_memory_reaches_the_clients_of_this_process_only(self):
        async def run():
            registry = sse.Registry()
            a, b = registry.add(), registry.add()
            self.assertEqual(registry.deliver({"id": 1}), 2)
            registry.remove(b)
            self.assertEqual(registry.deliver({"id": 2}), 1)
            return [a.get_nowait()["id"] for _ in range(a.qsize())], b.qsize()

        ids, left = asyncio.run(run())
        self.assertEqual(ids, [1, 2])
        self.assertEqual(left, 1)

    def test_a_frame_is_the_emulated_apps_event(self):
        via = {"replica": 0, "worker": 1, "pid": 7}
        event = {"id": 3, "publishedUs": 10, "publisher": {"replica": 1, "worker": 0, "pid": 8}}
        text = sse.frame(event, via)
        self.assertTrue(text.startswith("id: 3\ndata: "))
        self.assertTrue(text.endswith("\n\n"))
        payload = json.loads(text.split("data: ", 1)[1])
        self.assertEqual(payload["via"], via)
        self.assertEqual(payload["publisher"], event["publisher"])
        self.assertGreaterEqual(payload["sentUs"], 0)

    def test_identity_comes_from_the_environment(self):
        os.environ["HARNESS_REPLICA"] = "2"
        os.environ["HARNESS_WORKER"] = "3"
        try:
            self.assertEqual(sse.identity(), {"replica": 2, "worker": 3, "pid": os.getpid()})
        finally:
            del os.environ["HARNESS_REPLICA"]
            del os.environ["HARNESS_WORKER"]

    def test_a_redis_address_is_host_and_port(self):
        self.assertEqual(sse.redis_address("127.0.0.1:6379"), ("127.0.0.1", 6379))
        with self.assertRaises(SystemExit):
            sse.redis_address("6379")


if __name__ == "__main__":
    unittest.main()
