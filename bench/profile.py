"""One endpoint, in process: milliseconds per request and where they go.

    python -m bench.profile cases_mo [--requests 50] [--profile]

Uses the database `bin/bench` built (run it once first) and the same endpoints,
through Flask's test client rather than gunicorn and wrk: no network, no other
worker, so the figure is the page's own CPU and SQL. `--profile` prints the
functions with the most cumulative time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time

import pyotp
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench import data, settings, web
from bench.settings import WORK
from conduct.demo import totp_secret
from core.app import create_app
from core.db import db


def signed_in(app, email: str, password: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = web.USER_AGENT
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": email, "password": password, "csrf_token": web.csrf(page)})
    page = client.get("/login/code").get_data(as_text=True)
    code = pyotp.TOTP(totp_secret(email)).now()
    client.post("/login/code", data={"code": code, "csrf_token": web.csrf(page)})
    return client


def clients(app, dataset: data.Dataset) -> dict[str, object]:
    web.forget_used_codes(settings.database_url(), [dataset.monitoring_officer, dataset.clerk])
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_USER_AGENT"] = web.USER_AGENT
    return {
        "": anonymous,
        "mo": signed_in(app, dataset.monitoring_officer, dataset.password),
        "clerk": signed_in(app, dataset.clerk, dataset.password),
    }


def requests_for(dataset: data.Dataset, anonymous) -> dict[str, tuple[str, str, str, dict]]:
    """name: (client, method, path, form) — the endpoints of bench/web.py."""
    council = dataset.public_council
    form = anonymous.get(f"/{council}/complaints/new").get_data(as_text=True)
    invalid = {"csrf_token": web.csrf(form), "first_name": "", "last_name": "", "details": ""}
    return {
        "landing": ("", "GET", f"/{council}/", {}),
        "form_get": ("", "GET", f"/{council}/complaints/new", {}),
        "form_post_invalid": ("", "POST", f"/{council}/complaints/new", invalid),
        "sign_in": ("", "GET", "/login", {}),
        "cases_mo": ("mo", "GET", "/cases/?stage=open&procedure=conduct-complaint&sort=newest", {}),
        "cases_clerk": ("clerk", "GET", "/cases/?stage=open&sort=oldest", {}),
        "case_timeline": ("mo", "GET", f"/cases/{dataset.timeline_case_id}", {}),
        "notices": ("", "GET", f"/{council}/standards/notices", {}),
        "notices_host": ("", "GET", "/standards/notices", {}),
        "statistics_staff": ("mo", "GET", "/cases/statistics", {}),
        "statistics_public": ("", "GET", "/standards/statistics", {}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("endpoints", nargs="*", help="names as in bin/bench's table (all if none)")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    url = settings.database_url()
    saved = WORK / f"dataset-{make_url(url).get_backend_name()}.json"
    dataset = data.Dataset.load(saved)
    app = create_app(settings.app_config(url))
    statements = [0]

    def counted(*_args: object) -> None:
        statements[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counted)
    users = clients(app, dataset)
    wanted = requests_for(dataset, users[""])
    for name in args.endpoints or list(wanted):
        who, method, path, form = wanted[name]
        client = users[who]

        def once(client=client, method=method, path=path, form=form) -> int:
            response = client.open(path, method=method, data=form or None)
            response.get_data()
            return response.status_code

        status = [once() for _ in range(3)][-1]  # warm: templates, caches, statement cache
        statements[0] = 0
        times = []
        profiler = cProfile.Profile() if args.profile else None
        for _ in range(args.requests):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            once()
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:20} {status}  median {statistics.median(times):7.2f} ms  "
            f"min {min(times):7.2f} ms  {statements[0] / args.requests:.0f} statements"
        )
        if profiler:
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
