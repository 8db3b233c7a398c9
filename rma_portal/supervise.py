"""
Keep one process running: start it again whenever it exits, until told to stop.

``make serve`` runs the Celery worker and beat under it, as the compose file's restart
policy does for their containers, so a worker that exits (a lost broker connection it
could not recover from, a crash) comes back by itself::

    python -m rma_portal.supervise celery -A rma_portal worker --loglevel=INFO

SIGTERM and SIGINT are passed on to the process, and the supervisor exits once it has.
A process that keeps failing at once is started again after a growing pause (up to 30 s).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

RESTART_PAUSE_MAX = 30.0
# A process that ran this long is healthy again: its next restart is immediate.
STEADY_AFTER = 60.0


def supervise(command: list[str]) -> int:
    """Run ``command`` again and again until a signal stops us; return its last exit status."""
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = 0.0
    status = 0
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603  (the command line of make serve)
        status = child.wait()
        if stopping:
            break
        pause = 0.0 if time.monotonic() - started > STEADY_AFTER else min(RESTART_PAUSE_MAX, pause * 2 or 1.0)
        print(f"supervise: {command[0]} exited with {status}; starting it again in {pause:g} s", flush=True)
        time.sleep(pause)
    return status


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
