"""What production settings promise, checked in a fresh interpreter with DJANGO_DEBUG off."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-" + "k8s7Ww2xQ9" * 5,
        DJANGO_ALLOWED_HOSTS="rma.example.com",
        RMA_VAR_DIR=str(tmp_path),
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'session': s.SESSION_COOKIE_NAME, 'csrf': s.CSRF_COOKIE_NAME, "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
        "'session_path': s.SESSION_COOKIE_PATH, 'csrf_path': s.CSRF_COOKIE_PATH, "
        "'session_domain': s.SESSION_COOKIE_DOMAIN, 'csrf_domain': s.CSRF_COOKIE_DOMAIN, "
        "'httponly': s.SESSION_COOKIE_HTTPONLY, 'samesite': s.SESSION_COOKIE_SAMESITE, "
        "'hsts': s.SECURE_HSTS_SECONDS, 'ssl_redirect': s.SECURE_SSL_REDIRECT, 'debug': s.DEBUG}))"
    )
    result = _manage(tmp_path_factory.mktemp("prod"), "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_carry_the_host_prefix(production):
    assert production["session"] == "__Host-sessionid"
    assert production["csrf"] == "__Host-csrftoken"


def test_host_prefixed_cookies_are_secure_for_the_whole_host_only(production):
    assert production["session_secure"] and production["csrf_secure"]
    assert production["session_path"] == production["csrf_path"] == "/"
    assert production["session_domain"] is None and production["csrf_domain"] is None


def test_production_session_cookie_is_http_only_and_same_site(production):
    assert production["httponly"] is True
    assert production["samesite"] == "Lax"


def test_production_sends_hsts_and_redirects_to_https(production):
    assert production["hsts"] >= 31536000
    assert production["ssl_redirect"] is True
    assert production["debug"] is False


def test_seed_demo_with_production_settings_exits_non_zero_and_touches_nothing(tmp_path):
    result = _manage(tmp_path, "seed_demo")

    assert result.returncode != 0
    assert "seed_demo works only when DJANGO_DEBUG is on" in result.stderr
    database = tmp_path / "db.sqlite3"
    assert not database.exists() or database.stat().st_size == 0
