"""Start-up behaviour of the settings module, checked in a fresh interpreter each time."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _start(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_without_a_secret_key_stops_with_one_clear_sentence(tmp_path):
    result = _start(DJANGO_DEBUG="0", RMA_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_an_unparsable_database_url_stops_start_up(tmp_path):
    result = _start(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="not a url", RMA_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL could not be parsed" in result.stderr


def test_debug_mode_starts_without_any_environment(tmp_path):
    result = _start(DJANGO_DEBUG="1", RMA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def _deploy_check(tmp_path, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-" + "k8s7Ww2xQ9" * 5,
        DJANGO_ALLOWED_HOSTS="rma.example.com",
        RMA_VAR_DIR=str(tmp_path),
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _deploy_check(tmp_path, REDIS_URL="redis://127.0.0.1:6379/1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_refuses_tasks_run_inside_the_request(tmp_path):
    """Without a broker, "Send Code" would take longer for a known address than an unknown one."""
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    assert "rma_portal.E001" in result.stderr
    assert "Set REDIS_URL" in result.stderr
