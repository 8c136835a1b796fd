"""uvicorn with --workers N on the listening socket at descriptor 3: what ``uvicorn --fd 3
--workers N app`` does (uvicorn.main.run: a Config, a Server, and for N > 1 the Multiprocess
supervisor spawning N worker processes that all serve the one socket). uvicorn 0.17's own
``--fd`` opens the descriptor as a Unix socket, which a TCP socket is not; this script opens it
with its real family and otherwise leaves uvicorn as it is.

    python3 -m harness_servers.uvicorn_main --fd 3 --workers 4 --app harness_apps.fastapi_app:app

Each worker accepts through asyncio's accept loop, which takes every connection waiting in the
kernel queue (up to the backlog) each time the socket becomes readable.
"""

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from harness_apps import lifecycle
from harness_timing.accept_clock import StampedSocket


class StampedServe:
    """The worker's target: serve the inherited sockets, stamping accepted connections.
    A class (not a closure) so that multiprocessing can pickle it for spawned workers."""

    def __init__(self, server):
        self.server = server

    def __call__(self, sockets=None):
        self.server.run(sockets=[StampedSocket.adopt(s) for s in sockets or []])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--app", required=True)
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--keep-alive", type=float, default=5.0)
    args = parser.parse_args()
    lifecycle.die_with_parent()
    sock = socket.socket(fileno=args.fd)
    config = uvicorn.Config(
        args.app,
        workers=args.workers,
        backlog=args.backlog,
        timeout_keep_alive=args.keep_alive,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config=config)
    if args.workers > 1:
        Multiprocess(config, target=StampedServe(server), sockets=[sock]).run()
    else:
        StampedServe(server)(sockets=[sock])


if __name__ == "__main__":
    main()
