"""gunicorn configuration file the harness passes with -c; everything else is on the command
line (targets/real/command.ts). Hooks only: they change nothing in how workers accept or serve.

- pre_fork: the master gives the worker its slot (the lowest number no live worker holds).
- post_fork: the worker dies with its master (PR_SET_PDEATHSIG), and knows its slot.
- post_worker_init: after the app is loaded, stamp accepted connections for the middleware's
  `queue` (harness_timing.gunicorn_hooks), do the app's start-up work and start its scheduled
  job as the scenario describes them (harness_apps.startup, harness_apps.jobs; nothing without
  their variables), and announce the worker to the harness's launcher.

A user's own gunicorn.conf.py (HARNESS_USER_CONFIG, a topology's `app.config`) is read first,
as gunicorn would read it: every setting it makes stays, except those the topology's fields set
on the command line, which gunicorn lets win over the file; its hooks run before the harness's.
A setting of the file that the command line overrides with another value is said on stderr.
"""

import os
import runpy
import sys

import gunicorn

from harness_apps import jobs, lifecycle, startup
from harness_timing.gunicorn_hooks import stamp_listeners

sys.stderr.write("harness:server gunicorn %s\n" % gunicorn.__version__)
if any("UvicornWorker" in arg for arg in sys.argv):
    import uvicorn

    sys.stderr.write("harness:server uvicorn %s\n" % uvicorn.__version__)
sys.stderr.flush()

# The bundled app with start-up fields (appLoadTime, init): its libraries are imported here, in
# the master, before any worker forks, so that a worker's boot is the app's own import-time work
# and start-up work the scenario describes, not Python importing Flask or FastAPI (about a real
# second per worker on a busy 2-core machine, which a timeout of a few seconds would turn into
# kills the scenario did not ask for). The app module itself is still imported by each worker.
if "HARNESS_APP" not in os.environ and (
    "HARNESS_APP_LOAD_MS" in os.environ or "HARNESS_INIT" in os.environ
):
    import harness_timing  # noqa: F401

    if any("UvicornWorker" in arg for arg in sys.argv):
        import fastapi  # noqa: F401
        import uvicorn.workers  # noqa: F401
    else:
        import flask  # noqa: F401

_user = {}
_user_file = os.environ.get("HARNESS_USER_CONFIG")
if _user_file:
    # gunicorn reads a config file as a module and takes its globals as settings.
    _user = {
        name: value
        for name, value in runpy.run_path(_user_file).items()
        if not name.startswith("__")
    }
    globals().update(
        {
            name: value
            for name, value in _user.items()
            if name not in ("pre_fork", "post_fork", "post_worker_init")
        }
    )

# Settings the topology owns: gunicorn's option for each, as the harness passes it.
_OWNED = {
    "workers": "--workers",
    "worker_class": "--worker-class",
    "threads": "--threads",
    "worker_connections": "--worker-connections",
    "backlog": "--backlog",
    "keepalive": "--keep-alive",
    "timeout": "--timeout",
    "graceful_timeout": "--graceful-timeout",
    "max_requests": "--max-requests",
    "max_requests_jitter": "--max-requests-jitter",
    "preload_app": "--preload",
    "bind": "--bind",
}


def _overridden():
    for name, option in _OWNED.items():
        if name not in _user:
            continue
        if option == "--preload":
            ours = option in sys.argv
        elif option in sys.argv:
            ours = sys.argv[sys.argv.index(option) + 1]
        else:
            continue
        if str(_user[name]) != str(ours):
            yield name, _user[name], ours


for _name, _theirs, _ours in _overridden():
    sys.stderr.write(
        "harness: %s sets %s = %r; the topology's %r runs (set it in the scenario)\n"
        % (_user_file, _name, _theirs, _ours)
    )


def pre_fork(server, worker):
    # In the master, before the fork: the worker's slot, the lowest number no live worker holds,
    # as the launcher numbers them from the log (targets/real/worker-slots.ts) and the emulated
    # arbiter numbers its replacements. gunicorn's own number is its age (1, 2, ... in order of
    # spawning), which a replacement does not share with its predecessor.
    taken = {getattr(w, "harness_slot", None) for w in server.WORKERS.values()}
    slot = 0
    while slot in taken:
        slot += 1
    worker.harness_slot = slot
    if callable(_user.get("pre_fork")):
        _user["pre_fork"](server, worker)


def post_fork(server, worker):
    lifecycle.die_with_parent(server.pid)
    os.environ["HARNESS_WORKER"] = str(getattr(worker, "harness_slot", worker.age - 1))
    if callable(_user.get("post_fork")):
        _user["post_fork"](server, worker)


def post_worker_init(worker):
    if callable(_user.get("post_worker_init")):
        _user["post_worker_init"](worker)
    stamp_listeners(worker)
    # After the app is loaded and before the worker's loop first notifies the master: start-up
    # work longer than --timeout gets the worker killed, as it does in the real deployments.
    startup.initialise()
    jobs.start()
    lifecycle.announce()
