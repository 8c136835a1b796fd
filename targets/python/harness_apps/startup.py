"""What the bundled app does while a worker starts, as a scenario's lifecycle fields describe it.

Set by the harness through the environment (targets/real/command.ts); without these variables
nothing happens:

- HARNESS_APP_LOAD_MS: import-time work (`appLoadTime`, real ms). The import waits that long
  without taking a core, as the emulated worker's app load does. Under gunicorn --preload the
  master imports the app once before forking, so only the master waits.
- HARNESS_INIT: start-up work against a shared resource (`init`), JSON
  {"ms": 1500, "mode": "every-worker"|"one-worker"|"background", "port": 41234}. The resource is
  the harness's own (targets/init-resource.ts, the one the emulated workers use): it serves
  `capacity` initialisations at full speed at once and shares itself among more. One TCP
  connection, one JSON line each way:

      worker -> {"op":"work","ms":1500}  the resource works 1500 ms (alone) for it, then
             <- {"done":true}
      worker -> {"op":"once","ms":1500}  the first claimant works; every other one skips
             <- {"skipped":true}

  `every-worker` and `one-worker` do it in gunicorn's post_worker_init, after the app is loaded
  and before the worker's loop first notifies the master: a start-up longer than --timeout gets
  the worker killed (WORKER TIMEOUT, then SIGKILL), as the real failure does. `background`
  starts it on a thread and lets the worker serve at once.

When the work is done the worker prints `harness:worker-initialised pid=<pid> skipped=<0|1>` on
stderr; the launcher reads it as the emulated arbiter's worker-initialised message.
"""

import json
import os
import socket
import sys
import threading
import time


def app_load_ms():
    try:
        return max(0.0, float(os.environ.get("HARNESS_APP_LOAD_MS", "0")))
    except ValueError:
        return 0.0


def load_app():
    """Import-time work: called when the app module is imported."""
    ms = app_load_ms()
    if ms > 0:
        time.sleep(ms / 1000.0)


def init_config():
    raw = os.environ.get("HARNESS_INIT")
    if not raw:
        return None
    config = json.loads(raw)
    if config.get("mode") not in ("every-worker", "one-worker", "background"):
        raise ValueError("HARNESS_INIT: unknown mode %r" % config.get("mode"))
    return config


def ask_resource(port, op, ms):
    """Asks the shared resource for `ms` of work and blocks until it answers; True if skipped."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall((json.dumps({"op": op, "ms": ms}) + "\n").encode())
        reply = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    answer = json.loads(reply.decode().strip() or "{}")
    if not (answer.get("done") or answer.get("skipped")):
        raise RuntimeError("the init resource closed without an answer: %r" % reply)
    return bool(answer.get("skipped"))


def report_initialised(skipped):
    sys.stderr.write("harness:worker-initialised pid=%d skipped=%d\n" % (os.getpid(), 1 if skipped else 0))
    sys.stderr.flush()


def initialise():
    """The start-up work of one worker: blocks for every-worker and one-worker."""
    config = init_config()
    if config is None:
        return
    mode = config["mode"]
    op = "once" if mode == "one-worker" else "work"

    def work():
        skipped = ask_resource(int(config["port"]), op, float(config["ms"]))
        report_initialised(skipped)

    if mode == "background":
        threading.Thread(target=work, name="harness-init", daemon=True).start()
    else:
        work()
