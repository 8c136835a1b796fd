"""When each connection was accepted, for the ``queue`` part of Server-Timing.

No WSGI or ASGI server puts the accept time in the request, so this module keeps it beside the
server: a hook that wraps the listening socket's accept() calls ``stamp(peer)`` with the peer
address the moment a connection is accepted, and the middleware ``take(peer)``s it when the
request on that connection reaches the app. Only the first request on a connection gets it: a
keep-alive connection's later requests did not wait since the accept.

Hooks: gunicorn_hooks.py (gunicorn's sync, gthread and uvicorn workers), StampedSocket below
(any server that accepts on a socket object you give it: Werkzeug's make_server, uvicorn's
Server.serve(sockets=...)). Without a hook nothing is stamped and ``queue`` is left out.
"""

import collections
import socket
import threading
import time

# Connections accepted but not yet asked about; bounded so that connections that never send a
# request cannot grow it without end.
_LIMIT = 65536
_lock = threading.Lock()
_accepted = collections.OrderedDict()


def peer_key(host, port):
    try:
        return (str(host), int(port))
    except (TypeError, ValueError):
        return None


def stamp(peer, accepted_ns=None):
    """Records that the connection from `peer` ((host, port, ...)) was accepted now."""
    if accepted_ns is None:
        accepted_ns = time.monotonic_ns()
    if not isinstance(peer, tuple) or len(peer) < 2:
        return
    key = peer_key(peer[0], peer[1])
    if key is None:
        return
    with _lock:
        _accepted[key] = accepted_ns
        _accepted.move_to_end(key)
        while len(_accepted) > _LIMIT:
            _accepted.popitem(last=False)


def take(key):
    """The accept instant (monotonic ns) of the connection from `key`, once; None if unknown."""
    if key is None:
        return None
    with _lock:
        return _accepted.pop(key, None)


def stamping(accept):
    """Wraps a socket's accept method so that every accepted connection is stamped."""

    def stamped_accept():
        conn, addr = accept()
        stamp(addr)
        return conn, addr

    return stamped_accept


class StampedSocket(socket.socket):
    """A listening socket whose accept() stamps each connection; build it from a descriptor
    with ``StampedSocket(fileno=fd)`` or from a socket with ``StampedSocket.adopt(sock)``."""

    __slots__ = ()

    def accept(self):
        conn, addr = super().accept()
        stamp(addr)
        return conn, addr

    @classmethod
    def adopt(cls, sock):
        return cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
