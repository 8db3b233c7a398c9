"""``make serve`` keeps its worker and beat running; compose does the same for their containers."""

import signal
import subprocess
import sys
import time

import pytest
import yaml

from tests.test_deployment import ROOT


def _supervise(*command: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rma_portal.supervise", *command], cwd=ROOT)


def _wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_process_that_exits_is_started_again(tmp_path):
    runs = tmp_path / "runs"
    supervisor = _supervise("sh", "-c", f"echo run >> {runs}; exit 1")
    try:
        assert _wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 2)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=10)


def test_a_stop_signal_is_passed_on_and_ends_the_supervisor(tmp_path):
    started = tmp_path / "started"
    supervisor = _supervise("sh", "-c", f"touch {started}; exec sleep 60")
    assert _wait_for(started.exists)

    supervisor.send_signal(signal.SIGTERM)

    assert supervisor.wait(timeout=10) != 0  # the child ended by the signal, not restarted
    assert len(started.read_text()) == 0


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_compose_starts_the_app_processes_again_when_they_exit(service):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"][service]["restart"] in ("always", "unless-stopped")


def test_the_worker_health_check_pings_the_worker_itself():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    health_check = " ".join(compose["services"]["worker"]["healthcheck"]["test"])
    assert "inspect ping -d celery@$$HOSTNAME" in health_check


def test_make_serve_supervises_the_worker_and_beat():
    serve = (ROOT / "Makefile").read_text().split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "$(SUPERVISE) $(BIN)/$(WORKER_CMD)" in serve
    assert "$(SUPERVISE) $(BIN)/$(BEAT_CMD)" in serve
