"""The bundled app's scheduled job: APScheduler started in a worker, as an app starts it at import.

Set by the harness through HARNESS_SCHEDULER (JSON, the emulated app's SchedulerConfig,
targets/app/protocol.ts); without it nothing starts:

    {"election": "none"|"file-lock"|"lease", "intervalUs": 1000000, "runsFile": "/tmp/.../runs.ndjson",
     "lockPath": "...", "leaseUs": 3000000, "renewUs": 1000000, "retryUs": 500000}

The job fires on the multiples of the interval on CLOCK_MONOTONIC, as the emulated scheduler's
do, so that every worker names the same slots. APScheduler's IntervalTrigger is set to start at
the wall-clock instant of the next multiple. At each slot the job runs when this worker leads:

- none: every worker runs it (APScheduler's own behaviour under several workers);
- file-lock: the worker holding fcntl.flock(LOCK_EX | LOCK_NB) on the replica's lock file;
- lease: the worker holding an unexpired row in a shared SQLite database (python's sqlite3),
  the same table the emulated app uses (targets/app/lease-store.ts):
  lease(name TEXT PRIMARY KEY, holder TEXT, expires_us INTEGER), taken or renewed by one UPDATE.

Each run and each change of role is one JSON line appended to the runs file (a JobEvent:
type, atUs, slotUs, replica, worker, pid, election), one os.write of an O_APPEND descriptor, so
lines of different workers never mix; harness/observe/jobs-observer.ts reads them.

`worker` is the worker's slot (HARNESS_WORKER, set by gunicorn_conf.py: the lowest number no
live worker holds when it is forked, so a replacement takes its predecessor's), as the emulated
arbiter numbers its workers; under uvicorn, 0.
"""

import datetime
import fcntl
import json
import os
import sqlite3
import threading
import time

LEASE_NAME = "scheduler"


def monotonic_us():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def config_from_env():
    raw = os.environ.get("HARNESS_SCHEDULER")
    if not raw:
        return None
    config = json.loads(raw)
    if config.get("election") not in ("none", "file-lock", "lease"):
        raise ValueError("HARNESS_SCHEDULER: unknown election %r" % config.get("election"))
    return config


class Recorder:
    def __init__(self, config):
        self.fd = os.open(config["runsFile"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.base = {
            "replica": int(os.environ.get("HARNESS_REPLICA", "0")),
            "worker": int(os.environ.get("HARNESS_WORKER", "0")),
            "pid": os.getpid(),
            "election": config["election"],
        }

    def record(self, kind, at_us, slot_us=None):
        event = {"type": kind, "atUs": at_us}
        if slot_us is not None:
            event["slotUs"] = slot_us
        event.update(self.base)
        os.write(self.fd, (json.dumps(event) + "\n").encode())


class EveryWorker:
    def leads(self, now_us):
        return True

    def stop(self):
        pass


class FileLock:
    """The worker holding the lock leads until it dies, when the kernel releases the lock."""

    def __init__(self, path, retry_us, recorder):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        self.held = False
        self.recorder = recorder
        self.stopped = threading.Event()
        if not self.attempt():
            threading.Thread(target=self.loop, args=(retry_us,), name="harness-lock", daemon=True).start()

    def attempt(self):
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.held = True
        self.recorder.record("leader", monotonic_us())
        return True

    def loop(self, retry_us):
        while not self.stopped.wait(retry_us / 1e6):
            if self.attempt():
                return

    def leads(self, now_us):
        return self.held

    def stop(self):
        self.stopped.set()


class Lease:
    """A lease row: the holder renews it every renewUs, the others try every retryUs."""

    def __init__(self, path, lease_us, renew_us, retry_us, recorder):
        self.path = path
        self.holder = "replica %s worker %s pid %d" % (
            recorder.base["replica"],
            recorder.base["worker"],
            os.getpid(),
        )
        self.lease_us, self.renew_us, self.retry_us = lease_us, renew_us, retry_us
        self.recorder = recorder
        self.until = 0
        self.stopped = threading.Event()
        db = self.connect()
        with db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS lease(name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_us INTEGER NOT NULL)"
            )
            db.execute("INSERT OR IGNORE INTO lease(name, holder, expires_us) VALUES (?, '', 0)", (LEASE_NAME,))
        db.close()
        threading.Thread(target=self.loop, name="harness-lease", daemon=True).start()

    def connect(self):
        # A writer waits for another's write lock instead of failing at once.
        return sqlite3.connect(self.path, timeout=5.0, isolation_level=None)

    def acquire(self, now_us):
        db = self.connect()
        try:
            cursor = db.execute(
                "UPDATE lease SET holder = ?, expires_us = ? WHERE name = ? AND (holder = ? OR expires_us <= ?)",
                (self.holder, now_us + self.lease_us, LEASE_NAME, self.holder, now_us),
            )
            return cursor.rowcount == 1
        finally:
            db.close()

    def loop(self):
        while not self.stopped.is_set():
            now = monotonic_us()
            try:
                held = self.acquire(now)
            except sqlite3.Error:
                # A busy database: not the leader this time, try again later.
                held = False
            if held:
                if self.until <= monotonic_us():
                    self.recorder.record("leader", monotonic_us())
                self.until = now + self.lease_us
            elif self.until > 0:
                self.until = 0
                self.recorder.record("follower", monotonic_us())
            self.stopped.wait((self.renew_us if held else self.retry_us) / 1e6)

    def leads(self, now_us):
        return now_us < self.until

    def stop(self):
        self.stopped.set()


def leadership_of(config, recorder):
    retry = config.get("retryUs") or config["intervalUs"]
    election = config["election"]
    if election == "none":
        return EveryWorker()
    if election == "file-lock":
        return FileLock(config["lockPath"], retry, recorder)
    return Lease(config["lockPath"], config["leaseUs"], config["renewUs"], retry, recorder)


_started = None


def start():
    """Starts the scheduler in this process (once); None without HARNESS_SCHEDULER."""
    global _started
    if _started is not None:
        return _started
    config = config_from_env()
    if config is None:
        return None
    from apscheduler.schedulers.background import BackgroundScheduler

    recorder = Recorder(config)
    leadership = leadership_of(config, recorder)
    interval_us = int(config["intervalUs"])

    def job():
        now = monotonic_us()
        # The slot this firing is for: the nearest multiple (APScheduler fires a little late).
        slot = int(round(now / interval_us)) * interval_us
        if leadership.leads(now):
            recorder.record("run", now, slot)

    now_us = monotonic_us()
    next_slot = (now_us // interval_us + 1) * interval_us
    start_at = datetime.datetime.now() + datetime.timedelta(microseconds=next_slot - now_us)
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(
        job,
        "interval",
        seconds=interval_us / 1e6,
        start_date=start_at,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(interval_us / 2e6)),
    )
    scheduler.start()
    _started = (scheduler, leadership)
    return _started
