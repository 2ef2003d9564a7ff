"""`bin/bench`: build the district, load every page, time the background work, print the table."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from bench import background, data, database, settings, web
from bench.settings import RESULTS, WORK
from core.app import create_app
from core.db import db

# (endpoint, minimum ratio to the baseline's requests/s, p95 limit in ms): issue 8's targets.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "landing": (0.6, None),
    "form_get": (0.6, None),
    "cases_mo": (0.25, 50.0),
    "cases_clerk": (0.25, 50.0),
    "case_timeline": (0.2, None),
}
SWEEP_SECONDS = 1.0
OUTBOX_PER_SECOND = 200.0
WORKER_MB = 150.0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bin/bench", description=__doc__)
    parser.add_argument("--councils", type=int, default=200)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--deadlines", type=int, default=300_000, help="open deadlines")
    parser.add_argument("--due", type=int, default=1000, help="open deadlines due a reminder")
    parser.add_argument("--timeline", type=int, default=200, help="entries on the long case")
    parser.add_argument("--rounds", type=int, default=3, help="figures are medians of these")
    parser.add_argument("--seconds", type=int, default=8, help="load per endpoint per round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument("--skip-background", action="store_true")
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = settings.database_url()
    app = create_app(settings.app_config(url))
    dataset = prepare(app, url, args)
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).get_backend_name(),
        "machine": {"cores": os.cpu_count(), "workers": args.workers},
        "settings": {k: v for k, v in vars(args).items()},
        "dataset": asdict(dataset),
    }
    if not args.skip_web:
        results["web"] = run_web(dataset, url, args)
    if not args.skip_background:
        results["background"] = run_background(app, dataset, args)
    if args.suite:
        results["suite_seconds"] = round(background.suite_seconds(), 1)
    results["targets"] = check_targets(results)
    path = RESULTS / f"{results['when'].replace(':', '')}-{results['database']}.json"
    path.write_text(json.dumps(results, indent=2))
    print(render(results))
    print(f"\nJSON: {path.relative_to(settings.ROOT)}")
    return 0 if all(t["met"] for t in results["targets"]) else 1


def prepare(app, url: str, args: argparse.Namespace) -> data.Dataset:
    saved = WORK / f"dataset-{make_url(url).get_backend_name()}.json"
    if args.reuse and saved.exists():
        found = data.Dataset.load(saved)
        if found.cases == args.cases and found.councils == args.councils:
            print(f"Reusing the database of {found.cases} cases ({saved.name})")
            with app.app_context():
                database.migrate()  # the code may have moved on since it was built
                db.engine.dispose()
            database.settle(url)
            return found
    print(f"Building {args.cases:,} cases over {args.councils} councils ...", flush=True)
    with app.app_context():
        db.engine.dispose()
    database.reset(url)
    with app.app_context():
        database.migrate()
        started = time.perf_counter()
        dataset = data.build(
            councils=args.councils,
            cases=args.cases,
            open_deadlines=args.deadlines,
            due=args.due,
            timeline=args.timeline,
        )
        dataset.build_seconds = round(time.perf_counter() - started, 1)
        db.engine.dispose()
    database.settle(url)
    dataset.save(saved)
    print(f"  built in {dataset.build_seconds:.0f} s", flush=True)
    return dataset


def run_web(dataset: data.Dataset, url: str, args: argparse.Namespace) -> dict:
    web.forget_used_codes(url, [dataset.monitoring_officer, dataset.clerk])
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(settings.ROOT))
    print(f"gunicorn: {args.workers} sync workers; wrk: {args.connections} connections", flush=True)
    server = web.start_server(env, args.workers)
    try:
        endpoints = web.endpoints(server.base, dataset)
        # The fewest of a few: a worker's first request also connects to the database.
        queries = {e.name: min(web.probe(server.base, e) for _ in range(4)) for e in endpoints}
        rounds = []
        for number in range(1, args.rounds + 1):
            print(f"  round {number} of {args.rounds}", flush=True)
            measured = {}
            for endpoint in endpoints:
                web.load(server.base, endpoint, seconds=1, connections=args.connections, threads=2)
                measured[endpoint.name] = web.load(
                    server.base,
                    endpoint,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=2,
                )
                # A slow page leaves requests queued in the workers after wrk stops:
                # wait for them, or the next page is measured behind them.
                web.probe(server.base, endpoints[0])
            rounds.append(measured)
        peaks = server.peak_memory_mb()
    finally:
        server.stop()
    table = {}
    for endpoint in endpoints:
        name = endpoint.name
        per_round = [r[name] for r in rounds]
        ratios = [r[name].requests_per_second / r[web.BASELINE].requests_per_second for r in rounds]
        table[name] = {
            "path": endpoint.path,
            "method": endpoint.method,
            "requests_per_second": round(
                statistics.median(m.requests_per_second for m in per_round), 1
            ),
            "ratio": round(statistics.median(ratios), 3),
            "p50_ms": round(statistics.median(m.p50_ms for m in per_round), 2),
            "p95_ms": round(statistics.median(m.p95_ms for m in per_round), 2),
            "p99_ms": round(statistics.median(m.p99_ms for m in per_round), 2),
            "errors": sum(m.errors for m in per_round),
            "queries": queries[name],
            "rounds": [asdict(m) for m in per_round],
        }
    return {"endpoints": table, "worker_peak_mb": [round(p, 1) for p in peaks]}


def run_background(app, dataset: data.Dataset, args: argparse.Namespace) -> dict:
    port = int(app.config["MAIL_PORT"])
    sink = background.start_smtp_sink(port)
    sweeps, deliveries, demo_loads = [], [], []
    try:
        for number in range(1, args.rounds + 1):
            print(f"  background round {number} of {args.rounds}", flush=True)
            first_new = background.next_message_id(app)
            sweeps.append(background.sweep(app, dataset))
            deliveries.append(background.deliver(app))
            background.undo_sweep(app, first_new)
            demo_loads.append(background.demo_load_seconds())
    finally:
        sink.terminate()
    return {
        "sweep": {
            "open_deadlines": dataset.open_deadlines,
            "due": dataset.due_deadlines,
            "seconds": round(statistics.median(s.seconds for s in sweeps), 3),
            "queries": sweeps[0].queries,
            "reminders_queued": sweeps[0].queued,
            "superseded": sweeps[0].superseded,
            "rounds": [asdict(s) for s in sweeps],
        },
        "outbox": {
            "messages": deliveries[0].messages,
            "per_second": round(statistics.median(d.per_second for d in deliveries), 1),
            "rounds": [asdict(d) | {"per_second": d.per_second} for d in deliveries],
        },
        "demo_load_seconds": round(statistics.median(demo_loads), 2),
    }


def check_targets(results: dict) -> list[dict]:
    checks = []
    endpoints = results.get("web", {}).get("endpoints", {})
    for name, (ratio, p95) in TARGETS.items():
        row = endpoints.get(name)
        if row is None:
            continue
        if ratio is not None:
            checks.append(_check(f"{name} ratio to baseline", row["ratio"], ">=", ratio))
        if p95 is not None:
            checks.append(_check(f"{name} p95 ms", row["p95_ms"], "<", p95))
    for name, row in endpoints.items():
        if row["errors"]:
            checks.append(_check(f"{name} errors", row["errors"], "<=", 0))
    for number, peak in enumerate(results.get("web", {}).get("worker_peak_mb", []), 1):
        checks.append(_check(f"worker {number} peak MB", peak, "<", WORKER_MB))
    found = results.get("background")
    if found:
        checks.append(_check("sweep seconds", found["sweep"]["seconds"], "<", SWEEP_SECONDS))
        checks.append(
            _check("outbox messages/s", found["outbox"]["per_second"], ">=", OUTBOX_PER_SECOND)
        )
    return checks


def _check(what: str, value: float, op: str, limit: float) -> dict:
    met = {">=": value >= limit, "<": value < limit, "<=": value <= limit}[op]
    return {"what": what, "value": value, "target": f"{op} {limit}", "met": met}


def render(results: dict) -> str:
    lines = [f"\nBenchmark on {results['database']}, {results['when']}"]
    found = results["dataset"]
    lines.append(
        f"{found['councils']} councils, {found['cases']:,} cases, "
        f"{found['open_deadlines']:,} open deadlines ({found['due_deadlines']} due), "
        f"a case with {found['timeline_entries']} timeline entries"
    )
    if "web" in results:
        lines.append("")
        lines.append(
            f"{'endpoint':<20} {'req/s':>8} {'x base':>7} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'p99 ms':>7} {'queries':>7} {'errors':>6}"
        )
        for name, row in results["web"]["endpoints"].items():
            lines.append(
                f"{name:<20} {row['requests_per_second']:>8.1f} {row['ratio']:>7.2f} "
                f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f} "
                f"{row['queries']:>7} {row['errors']:>6}"
            )
        lines.append(f"worker peak memory (MB): {results['web']['worker_peak_mb']}")
    if "background" in results:
        found = results["background"]
        sweep, delivery = found["sweep"], found["outbox"]
        lines.append("")
        lines.append(
            f"reminder sweep: {sweep['seconds']:.3f} s, {sweep['queries']} queries, "
            f"{sweep['reminders_queued']} reminders queued "
            f"({sweep['open_deadlines']:,} open deadlines, {sweep['due']} due)"
        )
        lines.append(
            f"outbox: {delivery['per_second']:.0f} messages/s "
            f"({delivery['messages']} to a local SMTP server)"
        )
        lines.append(f"flask demo load: {found['demo_load_seconds']:.1f} s")
    if "suite_seconds" in results:
        lines.append(f"test suite (bin/test): {results['suite_seconds']:.0f} s")
    lines.append("")
    for check in results["targets"]:
        mark = "met " if check["met"] else "MISS"
        lines.append(f"  [{mark}] {check['what']}: {check['value']} (target {check['target']})")
    return "\n".join(lines)
