"""
``make bench``: throughput and latency of the customer pages under load, on PostgreSQL.

Seeds 100,000 cases over 20,000 customers (once), serves the portal with gunicorn and the
production settings (2 workers), drives it with wrk from a second process on loopback and
prints requests/s, p50 and p99 for each page with its ratio to ``/healthz`` measured in the
same run, then the SQL queries per page for customers with 3, 20 and 60 cases.
``--record`` also writes the figures to docs/performance.md.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rma_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
BASE = f"http://127.0.0.1:{PORT}"

SEND_CODE_LUA = r"""
local token = os.getenv("BENCH_CSRF")
local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "19997")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=" .. token
request = function()
  local email = "bench-customer-" .. math.random(0, customers - 1) .. "%40example.com"
  return wrk.format(nil, nil, nil, "csrfmiddlewaretoken=" .. token .. "&email=" .. email)
end
"""


def bench_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        DJANGO_SECURE_COOKIES="false",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",  # "Send Code" queues its email as in production
        LOGIN_SENDS_PER_IP_PER_HOUR="1000000000",  # every request comes from 127.0.0.1
        LOG_LEVEL="WARNING",
    )
    return env


def run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def ensure_database() -> None:
    import psycopg

    parsed = urllib.parse.urlparse(DATABASE_URL)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def csrf_token() -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{BASE}/login/", timeout=5).read()
    return next(cookie.value for cookie in jar if cookie.name == "csrftoken")


def check_page(path: str, session: str, expect: str) -> None:
    request = urllib.request.Request(f"{BASE}{path}", headers={"Cookie": f"sessionid={session}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        if response.status != 200 or expect not in body:
            raise SystemExit(f"{path} did not render the signed-in page (status {response.status})")


def check_send_code(token: str) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": "bench-customer-1@example.com"})
    request = urllib.request.Request(
        f"{BASE}/login/", data=body.encode(), headers={"Cookie": f"csrftoken={token}"}, method="POST"
    )
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=10).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status not in (200, 302, 303):
        raise SystemExit(f"Send Code answered {status}")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def wrk(url: str, *, headers: list[str] = (), script: Path | None = None, env: dict | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", str(script)]
    # A short warm-up so every worker has its connections and caches.
    subprocess.run([*args[:3], "-d2s", *args[4:], url], env=env, capture_output=True, check=True)
    output = subprocess.run([*args, url], env=env, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: .*", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(0) if errors else "",
    }


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--record", action="store_true", help="write the figures to docs/performance.md")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed for the load: apt-get install wrk")

    env = bench_env()
    ensure_database()
    print("==> migrate, seed")
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env)
    run([PYTHON, "manage.py", "createcachetable"], env)
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    run([PYTHON, "bench/seed.py"], env)
    session, number = run(
        [PYTHON, "bench/session.py", "bench@example.com"], env, capture_output=True, text=True
    ).stdout.split()

    gunicorn = [
        str(Path(PYTHON).parent / "gunicorn"), "rma_portal.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
        "--workers", "2", "--threads", "4", "--timeout", "60", "--log-level", "warning",
    ]  # fmt: skip
    print("==> gunicorn:", " ".join(gunicorn[1:]))
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    results: dict[str, dict] = {}
    try:
        wait_for(f"{BASE}/healthz")
        check_page("/rma/", session, f'data-rma="{number}"')
        check_page(f"/rma/{number}/", session, f'data-rma="{number}"')
        token = csrf_token()
        check_send_code(token)
        cookie = f"Cookie: sessionid={session}"
        script = ROOT / "var" / "bench-send-code.lua"
        script.parent.mkdir(exist_ok=True)
        script.write_text(SEND_CODE_LUA)
        plan = [
            ("/healthz", f"{BASE}/healthz", {}),
            ("/rma/", f"{BASE}/rma/", {"headers": [cookie]}),
            ("/rma/<number>/", f"{BASE}/rma/{number}/", {"headers": [cookie]}),
            (
                "Send Code (POST /login/)",
                f"{BASE}/login/",
                {"script": script, "env": {**env, "BENCH_CSRF": token}},
            ),
        ]
        for name, url, kwargs in plan:
            print(f"==> {name}: {SECONDS}s, {CONNECTIONS} connections")
            results[name] = wrk(url, **kwargs)
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], capture_output=True)  # queued emails

    queries = (
        run([PYTHON, "bench/queries.py"], env, capture_output=True, text=True).stdout.strip().splitlines()
    )

    base = results["/healthz"]["rps"]
    targets = {"/rma/": 0.5, "/rma/<number>/": 0.5, "Send Code (POST /login/)": 0.3}
    lines = [
        "| page | requests/s | p50 ms | p99 ms | ratio to /healthz | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, figures in results.items():
        ratio = figures["rps"] / base
        target = targets.get(name)
        verdict = "" if target is None else (f">= {target} met" if ratio >= target else f">= {target} MISSED")
        lines.append(
            f"| {name} | {figures['rps']:.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} | {ratio:.2f} | {verdict} |"
        )
        if figures["bad"] or figures["errors"]:
            lines.append(
                f"|   ({name}: {figures['bad']} non-2xx/3xx responses; {figures['errors']}) | | | | | |"
            )
    lines += [
        "",
        "| customer | cases | queries on /rma/ | queries on /rma/<number>/ |",
        "|---|---:|---:|---:|",
    ]
    lines += ["| " + " | ".join(row.split("\t")) + " |" for row in queries]
    report = "\n".join(lines)
    print()
    print(report)
    print()
    print("machine:", machine())

    if options.record:
        today = datetime.date.today().isoformat()
        text = (
            (ROOT / "docs" / "performance.md").read_text()
            if (ROOT / "docs" / "performance.md").exists()
            else ""
        )
        marker = "<!-- bench results -->"
        head = text.split(marker)[0] if marker in text else text
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "performance.md").write_text(
            f"{head.rstrip()}\n\n{marker}\n## Latest run ({today})\n\nMachine: {machine()}. "
            f"wrk: 2 threads, {CONNECTIONS} connections, {SECONDS} s per page after a 2 s warm-up; "
            f"gunicorn 2 workers x 4 threads, production settings, PostgreSQL and Redis on the same machine.\n\n"
            f"{report}\n"
        )
        print("written to docs/performance.md")


if __name__ == "__main__":
    main()
