"""gunicorn configuration file the harness passes with -c; everything else is on the command
line (targets/real/command.ts). Hooks only: they change nothing in how workers accept or serve.

- post_fork: the worker dies with its master (PR_SET_PDEATHSIG), and knows its number.
- post_worker_init: after the app is loaded, stamp accepted connections for the middleware's
  `queue` (harness_timing.gunicorn_hooks) and announce the worker to the harness's launcher.
"""

import os

from harness_apps import lifecycle
from harness_timing.gunicorn_hooks import stamp_listeners


def post_fork(server, worker):
    lifecycle.die_with_parent(server.pid)
    # gunicorn numbers workers by age (1, 2, ... in order of spawning); the first W are 0..W-1.
    os.environ["HARNESS_WORKER"] = str(worker.age - 1)


def post_worker_init(worker):
    stamp_listeners(worker)
    lifecycle.announce()
