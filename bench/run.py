#!/usr/bin/env python
"""
``make bench``: how fast the customer's pages are, next to ``/healthz``, on PostgreSQL.

It seeds a PostgreSQL database with 100,000 cases over 20,000 customers (``bench/seed.py``),
serves the portal with gunicorn on production settings (2 workers, as deployed), and drives
it from wrk on loopback: ``/healthz``, ``/rma/``, ``/rma/<number>/`` signed in as a customer
with 20 cases, and the "Send Code" POST of ``/login/`` for random known addresses from random
client IPs (through one trusted proxy, as deployed). Each endpoint is measured right after
a run of ``/healthz``, in several rounds; it prints the medians of requests/s, p50 and p99,
and of each endpoint's ratio to the ``/healthz`` run before it. ``--write FILE`` also
records them, with the machine, as Markdown.

Needs: PostgreSQL and Redis (``BENCH_DATABASE_URL``, ``BENCH_REDIS_URL``; the Redis database
is emptied before and after), and wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rma_cases_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TARGETS = {"/rma/": 0.5, "/rma/<number>/": 0.5, "Send Code POST": 0.3}
# The same two pages from a second server with the page cache off: what every page costs
# when it has to be rendered (first visit, or right after the case changed).
RENDERED = " (rendered every time)"
GERMAN = "; django_language=de"

# Production cookies carry the __Host- prefix (rma_portal/settings.py).
# Each signed-in browser also carries its CSRF cookie, as a real one does after its first page;
# the German rows add the language cookie (the bench customers have chosen no language).
GET_SCRIPT = """
local sessions = {%(sessions)s}
request = function()
  local session = sessions[math.random(#sessions)]
  return wrk.format("GET", "%(path)s", {
    ["Cookie"] = "__Host-sessionid=" .. session[1] .. "; __Host-csrftoken=" .. session[2] .. "%(language)s",
    ["X-Forwarded-Proto"] = "https",
  })
end
"""

# Each wrk thread walks its own share of the customers in order, from where the previous
# run stopped: no address is asked for twice within its one-minute cooldown, so every
# request queues a real code. (Random draws repeat, and wrk's threads seeded alike by
# os.time() would draw the very same addresses.)
SEND_CODE_SCRIPT = """
thread_id = 0
local started = 0
setup = function(thread)
  thread:set("thread_id", started)
  started = started + 1
end
init = function(args)
  math.randomseed(os.time() * 64 + thread_id)
end
local i = 0
request = function()
  local n = (%(start)d + i * %(threads)d + thread_id) %% %(customers)d
  i = i + 1
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  local body = "csrfmiddlewaretoken=%(token)s&email=customer" .. string.format("%%05d", n) .. "%%40bench.example"
  return wrk.format("POST", "/login/", {
    ["Cookie"] = "__Host-csrftoken=%(cookie)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Referer"] = "https://%(host)s/login/",
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = ip,
  }, body)
end
"""


def production_env(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """Production settings, as deployed behind a TLS proxy on this port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS=f"127.0.0.1,127.0.0.1:{port},localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        RMA_VAR_DIR=str(ROOT / "var" / "bench"),
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="WARNING",
    )
    return env


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, check=True, text=True, **kwargs)


def ensure_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read().decode("utf-8", "replace")
    cookies = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            cookie_name, _, rest = value.partition("=")
            cookies[cookie_name] = rest.split(";", 1)[0]
    connection.close()
    return response.status, content, cookies


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            sys.exit("gunicorn stopped while starting; see its output above.")
        try:
            if request(port, "GET", "/healthz", {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz in 20 seconds.")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * UNITS[match.group(2)]

    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "bad": int(non_ok.group(1)) if non_ok else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def worker_pids(master: subprocess.Popen) -> list[int]:
    """gunicorn's worker processes: the children of its master process."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_ticks(pid: int) -> int:
    """User and system CPU time a process has used so far, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


# wrk opens its connections all at once and keeps them; now and then one gunicorn worker
# accepts every one of them and the other idles, which halves the figure. Such a run
# measures one worker, not the server: it is run again.
FAIR_SHARE = 0.2
ATTEMPTS = 5
# wrk's threads never make quite the same number of requests: room between two runs' addresses.
SPARE_ADDRESSES = 1000


def wrk(
    port: int,
    script: str,
    *,
    server: subprocess.Popen,
    duration: int,
    connections: int,
    threads: int,
    warm_up: bool,
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    try:
        common = ["wrk", f"-t{threads}", f"-c{connections}", "--latency", "-s", script_path]
        url = f"http://127.0.0.1:{port}"
        sent = 0  # every request made, warm-up and runs made again included
        if warm_up:  # fills caches and connection pools before the first measured run
            warm = subprocess.run([*common, "-d2s", url], check=True, capture_output=True, text=True)
            sent += parse_wrk(warm.stdout)["requests"]
        for attempt in range(1, ATTEMPTS + 1):
            workers = worker_pids(server)
            before = [cpu_ticks(pid) for pid in workers]
            result = subprocess.run(
                [*common, f"-d{duration}s", url], check=True, capture_output=True, text=True
            )
            sent += parse_wrk(result.stdout)["requests"]
            used = [cpu_ticks(pid) - start for pid, start in zip(workers, before, strict=True)]
            if min(used) >= FAIR_SHARE * sum(used) / len(used):
                break
            print(f"  one worker got (almost) no connection: run again ({attempt}/{ATTEMPTS})")
    finally:
        os.unlink(script_path)
    return {**parse_wrk(result.stdout), "sent": sent}


def query_counts(env: dict[str, str], port: int) -> dict:
    """Queries one /rma/ and one detail page cost, for customers with 3, 20 and 60 cases."""
    code = r"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
from rma.cases.models import Case
counts = {}
for label, email in (("3 cases", "bench-small"), ("20 cases", "bench-customer"), ("60 cases", "bench-large")):
    user = User.objects.get(email=email + "@bench.example")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    number = Case.objects.filter(customer=user).exclude(status__in=["draft", "pending_approval"]).first().number
    for page, url in (("list", "/rma/"), ("detail", f"/rma/{number}/")):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        assert status == 200, (url, status)
        counts.setdefault(page, {})[label] = len(captured)
print(json.dumps(counts))
"""
    env = {**env, "DJANGO_ALLOWED_HOSTS": env["DJANGO_ALLOWED_HOSTS"] + ",testserver"}
    output = run([PYTHON, "-c", code], env, capture_output=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{memory_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    return {
        "load": "load average {:.1f} / {:.1f} / {:.1f} (1, 5, 15 min) at the end".format(*os.getloadavg()),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def summarize(rounds: list[dict]) -> dict:
    """
    The median of each figure over the rounds. An endpoint's ratio is the median of its
    ratios to the ``/healthz`` run just before it, so that a machine busier in one minute
    than in the next moves both sides of a ratio alike.
    """
    results = {}
    for name in rounds[0]:
        runs = [round_[name] for round_ in rounds]
        results[name] = {
            figure: statistics.median(run[figure] for run in runs) for figure in ("rps", "p50", "p99")
        }
        results[name]["ratio"] = statistics.median(run["rps"] / run["healthz_rps"] for run in runs)
    return results


def markdown(results: dict, info: dict, counts: dict, settings: dict) -> str:
    lines = [
        "| endpoint | req/s | p50 (ms) | p99 (ms) | ratio to /healthz | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, result in results.items():
        ratio = result["ratio"]
        target = TARGETS.get(name)
        verdict = "" if target is None else f"≥ {target} {'met' if ratio >= target else 'MISSED'}"
        lines.append(
            f"| `{name}` | {result['rps']:.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{ratio:.2f} | {verdict} |"
        )
    for page in ("/rma/", "/rma/<number>/"):
        english, german = results.get(page + RENDERED), results.get(f"{page} in German{RENDERED}")
        if english and german:
            lines.append(
                f"\n`{page}` rendered in German: {german['rps'] / english['rps']:.2f} x the English "
                "requests/s (target: within 10%)."
            )
    lines += [
        "",
        "Queries per page when it is rendered (a second request by the same signed-in customer,",
        "page cache off; a page served from the cache costs none):",
        "",
        "| page | " + " | ".join(counts["list"]) + " |",
        "|---|" + "---:|" * len(counts["list"]),
    ]
    for page, per_size in counts.items():
        lines.append(f"| {page} | " + " | ".join(str(n) for n in per_size.values()) + " |")
    lines += [
        "",
        f"Machine: {info['cpu']}; {info['memory']} RAM; {info['os']}; Python {info['python']}; "
        f"{info['postgres']}; Redis {info['redis']}; {info['load']}.",
        f"Load: wrk {settings['threads']} threads, {settings['connections']} connections, on the same "
        f"machine as the server; {settings['rounds']} rounds of {settings['duration']} s per endpoint, each "
        "run just after one of `/healthz`; figures are the medians over the rounds.",
        f"Server: gunicorn, {settings['workers']} workers x {settings['gunicorn_threads']} threads, "
        "production settings (DEBUG off, PostgreSQL, Redis cache and broker, sessions in PostgreSQL read through Redis).",
        f"Data: {settings['cases']} cases over {settings['customers']} customers.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the customer pages against /healthz.")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 5)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 16)))
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8099)))
    parser.add_argument("--write", type=Path, help="also write the results as Markdown to this file")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ENDPOINT",
        help='measure only this endpoint (as named in the table, e.g. "Send Code POST"), next to /healthz; repeatable',
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    env = production_env(database_url, redis_url, args.port)
    workers, gunicorn_threads = 2, 4

    print("Preparing PostgreSQL (migrate, 100,000 cases; the first run takes a few minutes)...")
    ensure_database(database_url)
    flush_redis(redis_url)
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    prepared = json.loads(
        run([PYTHON, "bench/seed.py"], env, capture_output=True).stdout.strip().splitlines()[-1]
    )
    counts = query_counts({**env, "CUSTOMER_PAGE_CACHE_SECONDS": "0"}, args.port)

    def serve(port: int, server_env: dict[str, str]) -> subprocess.Popen:
        command = [str(Path(PYTHON).parent / "gunicorn"), "rma_portal.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        command += ["--threads", str(gunicorn_threads), "--timeout", "60"]
        return subprocess.Popen(command, cwd=ROOT, env=server_env)

    rendered_port = args.port + 1
    uncached_env = {**env, "CUSTOMER_PAGE_CACHE_SECONDS": "0"}
    uncached_env["DJANGO_ALLOWED_HOSTS"] += f",127.0.0.1:{rendered_port}"
    gunicorn = serve(args.port, env)
    uncached = serve(rendered_port, uncached_env)
    try:
        wait_until_up(args.port, gunicorn)
        wait_until_up(rendered_port, uncached)
        sessions = prepared["sessions"]
        number = prepared["case_number"]
        secure = {"X-Forwarded-Proto": "https"}
        for path in ("/rma/", f"/rma/{number}/"):
            status, _content, _cookies = request(
                args.port, "GET", path, {**secure, "Cookie": f"__Host-sessionid={sessions[0]}"}
            )
            if status != 200:
                sys.exit(f"{path} answered {status}, not 200: the benchmark would measure an error.")
        status, content, cookies = request(args.port, "GET", "/login/", secure)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        host = f"127.0.0.1:{args.port}"
        probe = f"csrfmiddlewaretoken={token}&email={quote('customer00000@bench.example')}"
        status, _content, _cookies = request(
            args.port,
            "POST",
            "/login/",
            {
                **secure,
                "Cookie": f"__Host-csrftoken={cookies['__Host-csrftoken']}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{host}/login/",
                "X-Forwarded-For": "192.0.2.1",
            },
            probe,
        )
        if status != 302:
            sys.exit(f"The Send Code POST answered {status}, not 302 (code sent).")

        alphabet = string.ascii_letters + string.digits
        quoted = ", ".join(
            f'{{"{key}", "{"".join(secrets.choice(alphabet) for _ in range(32))}"}}' for key in sessions
        )
        scripts = {
            "/healthz": 'request = function() return wrk.format("GET", "/healthz") end',
            "/rma/": GET_SCRIPT % {"sessions": quoted, "path": "/rma/", "language": ""},
            "/rma/<number>/": GET_SCRIPT % {"sessions": quoted, "path": f"/rma/{number}/", "language": ""},
            "/rma/" + RENDERED: GET_SCRIPT % {"sessions": quoted, "path": "/rma/", "language": ""},
            "/rma/<number>/" + RENDERED: GET_SCRIPT
            % {"sessions": quoted, "path": f"/rma/{number}/", "language": ""},
            # Translation lookups run on every rendered page: German within 10% of English.
            "/rma/ in German" + RENDERED: GET_SCRIPT
            % {"sessions": quoted, "path": "/rma/", "language": GERMAN},
            "/rma/<number>/ in German" + RENDERED: GET_SCRIPT
            % {"sessions": quoted, "path": f"/rma/{number}/", "language": GERMAN},
            "Send Code POST": lambda start: (
                SEND_CODE_SCRIPT
                % {
                    "start": start,
                    "threads": args.threads,
                    "customers": prepared["customers"] - 3,
                    "token": token,
                    "cookie": cookies["__Host-csrftoken"],
                    "host": host,
                }
            ),
        }
        unknown = set(args.only) - set(scripts)
        if unknown:
            sys.exit(f"Unknown endpoint(s): {', '.join(sorted(unknown))}; one of: {', '.join(scripts)}")
        if args.only:
            scripts = {
                name: script for name, script in scripts.items() if name == "/healthz" or name in args.only
            }
        next_address = 1  # customer00000 was asked for by the check above
        rounds = []
        for round_number in range(1, args.rounds + 1):
            measured = {}
            for name, script in scripts.items():
                print(f"Round {round_number}/{args.rounds}: {name} for {args.duration} s...")
                port = rendered_port if name.endswith(RENDERED) else args.port
                load = {"duration": args.duration, "connections": args.connections, "threads": args.threads}
                warm_load = {**load, "duration": 2}
                if name == "/healthz":
                    measured[name] = wrk(
                        args.port, script, server=gunicorn, warm_up=round_number == 1, **load
                    )
                    measured[name]["healthz_rps"] = measured[name]["rps"]
                else:
                    server = uncached if name.endswith(RENDERED) else gunicorn
                    warm_up = round_number == 1
                    if callable(script):  # Send Code: each run, warm-up included, on addresses of its own
                        if warm_up:
                            ran = wrk(port, script(next_address), server=server, warm_up=False, **warm_load)
                            next_address += ran["sent"] + SPARE_ADDRESSES
                            warm_up = False
                        script = script(next_address)
                    healthz = wrk(args.port, scripts["/healthz"], server=gunicorn, warm_up=False, **load)
                    measured[name] = wrk(port, script, server=server, warm_up=warm_up, **load)
                    if name == "Send Code POST":
                        next_address += measured[name]["sent"] + SPARE_ADDRESSES
                    measured[name]["healthz_rps"] = healthz["rps"]
                print(
                    f"  {measured[name]['rps']:.0f} req/s "
                    f"(/healthz just before: {measured[name]['healthz_rps']:.0f} req/s)"
                )
                if measured[name]["bad"] or measured[name]["socket_errors"]:
                    print(
                        f"  warning: {measured[name]['bad']} non-2xx/3xx answers, "
                        f"{measured[name]['socket_errors']} socket errors"
                    )
            rounds.append(measured)
        results = summarize(rounds)
    finally:
        for server in (gunicorn, uncached):
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        flush_redis(redis_url)

    import psycopg
    import redis

    info = machine()
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
        info["postgres"] = connection.execute("SHOW server_version").fetchone()[0]
        info["postgres"] = "PostgreSQL " + info["postgres"].split()[0]
    info["redis"] = redis.Redis.from_url(redis_url).info()["redis_version"]
    settings = {
        "threads": args.threads,
        "connections": args.connections,
        "duration": args.duration,
        "rounds": args.rounds,
        "workers": workers,
        "gunicorn_threads": gunicorn_threads,
        "cases": f"{prepared['cases']:,}",
        "customers": f"{prepared['customers']:,}",
    }
    report = markdown(results, info, counts, settings)
    print()
    print(report)
    if args.write:
        write_report(args.write, report)


BEGIN, END = "<!-- bench results: begin -->", "<!-- bench results: end -->"


def write_report(path: Path, report: str) -> None:
    """Put the results between the markers of ``path``, keeping the prose around them."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{BEGIN}\nMeasured {stamp} by `bench/run.py`.\n\n{report}\n{END}"
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = f"# Performance\n\n{block}\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
