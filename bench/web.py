"""The pages under load: gunicorn (sync workers, one per core) and wrk on loopback."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
from sqlalchemy import create_engine, text

from bench.data import Dataset
from bench.queries import HEADER
from bench.settings import ROOT, WORK
from conduct.demo import totp_secret

LUA = ROOT / "bench" / "wrk" / "report.lua"
# Flask-Login's strong session protection ties a session to the browser's address and
# User-Agent: the load generator must present the one that signed in.
USER_AGENT = "conduct-bench"
BASELINE = "baseline"


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: str = ""
    cookie: str = ""
    # What the page must show, so a redirect to the sign-in page or an error
    # page is never measured by mistake.
    expect: str = ""
    expect_status: int = 200


@dataclass
class Measurement:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    queries: int | None = None


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    workers: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def peak_memory_mb(self) -> list[float]:
        """VmHWM of each worker: the most resident memory it ever held."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], workers: int) -> Server:
    port = free_port()
    log = WORK / "gunicorn.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
            "bench.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log, workers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped; see {log}")
        try:
            urllib.request.urlopen(server.base + "/_baseline/", timeout=10).read()
            if len(server.worker_pids()) == workers:
                return server
        except OSError:  # not listening yet, or its workers still importing the app
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within a minute; see {log}")


class Browser:
    """Cookies and forms over urllib, to sign in and to pick up CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        return self.send(path)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        return self.send(path, method="POST", body=urllib.parse.urlencode(data))

    def send(
        self, path: str, *, method: str = "GET", body: str = "", headers: dict | None = None
    ) -> tuple[int, str, dict[str, str]]:
        """(status, page, headers); an error status is an answer too, not an exception."""
        headers = dict(headers or {})
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path, data=body.encode() or None, headers=headers, method=method
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def sign_in(base: str, email: str, password: str) -> Browser:
    """Password, then the demo account's authenticator code, as a person does."""
    browser = Browser(base)
    _, page, _ = browser.get("/login")
    browser.post("/login", {"email": email, "password": password, "csrf_token": csrf(page)})
    _, page, _ = browser.get("/login/code")
    code = pyotp.TOTP(totp_secret(email)).now()
    status, page, _ = browser.post("/login/code", {"code": code, "csrf_token": csrf(page)})
    if "/cases" not in page and "Sign out" not in page:
        raise RuntimeError(f"could not sign in {email} (status {status})")
    return browser


def forget_used_codes(url: str, emails: list[str]) -> None:
    """A code works once per 30 s: a second run within one step would be refused."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for email in emails:
            connection.execute(
                text("UPDATE users SET totp_last_step = NULL WHERE email = :email"),
                {"email": email},
            )
    engine.dispose()


def endpoints(base: str, data: Dataset) -> list[Endpoint]:
    council = data.public_council
    mo = sign_in(base, data.monitoring_officer, data.password)
    clerk = sign_in(base, data.clerk, data.password)
    visitor = Browser(base)
    _, form, _ = visitor.get(f"/{council}/complaints/new")
    invalid = urllib.parse.urlencode(
        {"csrf_token": csrf(form), "first_name": "", "last_name": "", "details": ""}
    )
    return [
        Endpoint(BASELINE, "/_baseline/", expect="<table>"),
        Endpoint("landing", f"/{council}/", expect="app-header"),
        Endpoint("form_get", f"/{council}/complaints/new", expect="csrf_token"),
        Endpoint(
            "form_post_invalid",
            f"/{council}/complaints/new",
            method="POST",
            body=invalid,
            cookie=visitor.cookie(),
            expect="govuk-error-summary",
            expect_status=400,  # the form's answer to bad input, with the errors at the fields
        ),
        Endpoint("sign_in", "/login", expect='name="password"'),
        Endpoint(
            "cases_mo",
            "/cases/?stage=open&procedure=conduct-complaint&sort=newest",
            cookie=mo.cookie(),
            expect="govuk-table__body",
        ),
        Endpoint(
            "cases_clerk",
            "/cases/?stage=open&sort=oldest",
            cookie=clerk.cookie(),
            expect="govuk-table__body",
        ),
        Endpoint(
            "case_timeline",
            f"/cases/{data.timeline_case_id}",
            cookie=mo.cookie(),
            expect="app-timeline__item",
        ),
        Endpoint("notices", f"/{council}/standards/notices", expect="app-header"),
        Endpoint("notices_host", "/standards/notices", expect="app-header"),
        Endpoint("statistics_staff", "/cases/statistics", cookie=mo.cookie(), expect="<svg"),
        Endpoint("statistics_public", "/standards/statistics", expect="app-header"),
    ]


def probe(base: str, endpoint: Endpoint) -> int:
    """One request outside the load: checks the page and returns its SQL statement count."""
    # A browser of its own: its empty jar leaves the endpoint's Cookie header as it is.
    status, page, found = Browser(base).send(
        endpoint.path,
        method=endpoint.method,
        body=endpoint.body,
        headers={"Cookie": endpoint.cookie} if endpoint.cookie else None,
    )
    if status != endpoint.expect_status or endpoint.expect not in page:
        raise RuntimeError(
            f"{endpoint.name}: {endpoint.method} {endpoint.path} answered {status} "
            f"without {endpoint.expect!r}; the benchmark would measure the wrong page"
        )
    return int(found.get(HEADER, "0"))


def load(
    base: str, endpoint: Endpoint, *, seconds: int, connections: int, threads: int
) -> Measurement:
    env = dict(
        os.environ,
        BENCH_METHOD=endpoint.method,
        BENCH_BODY=endpoint.body,
        BENCH_COOKIE=endpoint.cookie,
        BENCH_EXPECT_STATUS=str(endpoint.expect_status),
        BENCH_USER_AGENT=USER_AGENT,
    )
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        f"--script={LUA}",
        base + endpoint.path,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH-JSON "))
    found = json.loads(line.removeprefix("BENCH-JSON "))
    # Socket errors and timeouts, and any answer but the expected one (wrk's own
    # "status" count, of 4xx and 5xx, is covered by the latter).
    errors = sum(v for k, v in found["errors"].items() if k != "status") + found["unexpected"]
    return Measurement(
        requests_per_second=found["requests"] / (found["duration_us"] / 1e6),
        p50_ms=found["p50_us"] / 1000,
        p95_ms=found["p95_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        errors=errors,
    )


@dataclass
class WebResults:
    rounds: list[dict[str, Measurement]] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)
    peak_memory_mb: list[float] = field(default_factory=list)
    workers: int = 0
