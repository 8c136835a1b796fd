"""Ties a server process the harness started to its parent, and announces a worker as ready.

Set by the harness through the environment (HARNESS_LIFECYCLE=1); without it nothing happens,
so the apps also run under a server a user starts by hand.

- die_with_parent(): PR_SET_PDEATHSIG, so that the kernel kills this process with SIGKILL when
  the process that forked it dies (a gunicorn worker when its master dies, a uvicorn worker when
  its supervisor dies). The signal does not survive fork, so each process sets its own.
- on_import() also runs the app's start-up as the scenario describes it (startup.py: the
  import-time work, the start-up work against a shared resource) and starts its scheduled job
  (jobs.py).
- announce(): prints `harness:worker-ready pid=<pid>` on stderr; the harness's launcher counts
  these lines to know that every worker has loaded the app.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def enabled():
    return os.environ.get("HARNESS_LIFECYCLE") == "1"


def die_with_parent(expected_parent=None):
    if not enabled():
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The parent may have died between our fork and the prctl: then nobody would signal us.
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)


def announce():
    if not enabled():
        return
    sys.stderr.write("harness:worker-ready pid=%d\n" % os.getpid())
    sys.stderr.flush()


def on_import():
    """Called when an app module is imported in a worker process that the harness started."""
    if not enabled():
        return
    import multiprocessing

    from . import jobs, startup

    parent = multiprocessing.parent_process()
    die_with_parent(parent.pid if parent is not None else None)
    # The app's import-time work (appLoadTime); under gunicorn --preload, in the master only.
    startup.load_app()
    if os.environ.get("HARNESS_ANNOUNCE") == "app":
        # uvicorn imports the app in each worker and has no hook after it: start-up work and
        # the scheduler start here (under gunicorn, in post_worker_init: gunicorn_conf.py).
        startup.initialise()
        jobs.start()
        announce()
