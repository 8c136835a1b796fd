"""uvicorn with --workers N on the listening socket at descriptor 3: what ``uvicorn --fd 3
--workers N app`` does (uvicorn.main.run: a Config, a Server, and for N > 1 the Multiprocess
supervisor spawning N worker processes that all serve the one socket). uvicorn 0.17's own
``--fd`` opens the descriptor as a Unix socket, which a TCP socket is not; this script opens it
with its real family and otherwise leaves uvicorn as it is.

    python3 -m harness_servers.uvicorn_main --fd 3 --workers 4 --app harness_apps.fastapi_app:app \
        [--limit-max-requests N] [--limit-concurrency N] [-- <uvicorn's own options>]

Options after ``--`` are uvicorn's own (a topology's ``app.serverArgs``), parsed by uvicorn's own
command-line parser, so they mean exactly what they mean to ``uvicorn``.

Each worker accepts through asyncio's accept loop, which takes every connection waiting in the
kernel queue (up to the backlog) each time the socket becomes readable. Log lines carry the
process id (``[%(process)d]``, gunicorn's layout), so that the harness can tell whose boot and
exit each line reports (targets/real/server-log.ts).

uvicorn 0.17's Multiprocess supervisor does not replace a worker that exits: one that reaches
--limit-max-requests is gone for good (later uvicorn versions restart it).
"""

import argparse
import copy
import os
import signal
import socket
import sys

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.subprocess import get_subprocess
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import HANDLED_SIGNALS, logger

from harness_apps import lifecycle
from harness_timing.accept_clock import StampedSocket


class StampedServe:
    """The worker's target: serve the inherited sockets, stamping accepted connections.
    A class (not a closure) so that multiprocessing can pickle it for spawned workers.
    `worker` is the worker's number, 0 to N-1, which the app reports as X-Served-By's `worker`
    (HARNESS_WORKER, as gunicorn_conf.py sets it for gunicorn's workers)."""

    def __init__(self, server, worker=0):
        self.server = server
        self.worker = worker

    def __call__(self, sockets=None):
        os.environ["HARNESS_WORKER"] = str(self.worker)
        self.server.run(sockets=[StampedSocket.adopt(s) for s in sockets or []])


class NumberedMultiprocess(Multiprocess):
    """uvicorn's supervisor, giving each spawned worker its number (Multiprocess.startup of
    uvicorn 0.17 with the target made per worker)."""

    def startup(self):
        message = "Started parent process [{}]".format(str(self.pid))
        logger.info(message, extra={"color_message": message})
        for sig in HANDLED_SIGNALS:
            signal.signal(sig, self.signal_handler)
        for idx in range(self.config.workers):
            target = StampedServe(self.target.server, worker=idx)
            process = get_subprocess(config=self.config, target=target, sockets=self.sockets)
            process.start()
            self.processes.append(process)


def log_config():
    config = copy.deepcopy(LOGGING_CONFIG)
    layout = "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"
    config["formatters"]["default"] = {"()": "logging.Formatter", "fmt": layout}
    return config


def uvicorn_options(extra):
    """uvicorn's own options given after `--`, as Config keyword arguments."""
    if not extra:
        return {}
    import click
    from click.core import ParameterSource
    from uvicorn.main import main as command

    context = command.make_context("uvicorn", ["app:app", *extra])
    out = {}
    for name, value in context.params.items():
        if name == "app" or context.get_parameter_source(name) != ParameterSource.COMMANDLINE:
            continue
        if name == "headers":
            value = [header.split(":", 1) for header in value]
        out[name] = value
    click.echo("harness: uvicorn options %s" % sorted(out), err=True)
    return out


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--app", required=True)
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--keep-alive", type=float, default=5.0)
    parser.add_argument("--limit-max-requests", type=int, default=None)
    parser.add_argument("--limit-concurrency", type=int, default=None)
    args = parser.parse_args(argv)
    lifecycle.die_with_parent()
    sys.stderr.write("harness:server uvicorn %s\n" % uvicorn.__version__)
    sys.stderr.flush()
    sock = socket.socket(fileno=args.fd)
    options = dict(
        workers=args.workers,
        backlog=args.backlog,
        timeout_keep_alive=args.keep_alive,
        limit_max_requests=args.limit_max_requests,
        limit_concurrency=args.limit_concurrency,
        log_config=log_config(),
        log_level="info",
        access_log=False,
        lifespan="on",
    )
    options.update(uvicorn_options(extra))
    config = uvicorn.Config(args.app, **options)
    server = uvicorn.Server(config=config)
    if args.workers > 1:
        NumberedMultiprocess(config, target=StampedServe(server), sockets=[sock]).run()
    else:
        StampedServe(server)(sockets=[sock])


if __name__ == "__main__":
    main()
