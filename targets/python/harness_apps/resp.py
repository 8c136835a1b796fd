"""A small Redis client for asyncio: commands and replies in RESP2, and the messages of a
subscription. Debian's python3-redis is not a dependency of the harness's servers, and the app
needs only PUBLISH and SUBSCRIBE.

    conn = await Connection.open("127.0.0.1", 6379)
    await conn.command("PUBLISH", "channel", "text")        # -> subscribers it reached
    await conn.command("SUBSCRIBE", "channel")              # -> ["subscribe", "channel", 1]
    kind, channel, data = await conn.reply()                # each message, as it comes

RESP (https://redis.io/docs/reference/protocol-spec/): a command is an array of bulk strings;
a reply starts with its type: + simple string, - error, : integer, $ bulk string ($-1 nil),
* array (*-1 nil). Each line ends in CRLF.
"""

import asyncio


class RedisError(Exception):
    """An error reply (-ERR ...) from the server."""


def encode(*args):
    """The bytes of one command: an array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


async def read_reply(reader):
    """One reply from a StreamReader: str, int, bytes, None, a list of these, or RedisError."""
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("the Redis connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode("utf-8")
    if kind == b"-":
        return RedisError(rest.decode("utf-8"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = await reader.readexactly(size + 2)
        return data[:-2]
    if kind == b"*":
        size = int(rest)
        if size < 0:
            return None
        return [await read_reply(reader) for _ in range(size)]
    raise ConnectionError("not a RESP reply: %r" % line[:40])


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        # One command at a time: replies come back in order, and this keeps each with its own.
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, host, port):
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def command(self, *args):
        async with self._lock:
            self.writer.write(encode(*args))
            await self.writer.drain()
            reply = await read_reply(self.reader)
        if isinstance(reply, RedisError):
            raise reply
        return reply

    async def reply(self):
        """The next reply: on a subscribed connection, the next message."""
        reply = await read_reply(self.reader)
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def close(self):
        self.writer.close()
