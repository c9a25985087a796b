"""Production-mode load: Rounds (gunicorn + gevent, PostgreSQL, Redis) beside a Node baseline.

Run by hand:  .venv/bin/python bench/load.py [--quick]
Needs: `npm ci --prefix bench/node`, PostgreSQL on 127.0.0.1:5432 (user postgres), and the
redis-server program (the bench starts a private one on a free port, so no other Socket.IO
server hears its traffic).

For each target in turn (the app, then a minimal Node socket.io 4 server doing the same
fan-out, never both at once), on two server processes sharing one Redis:
1. unit load: 200 family sockets over one unit's 30 children, all on process 1, 10 posts/s;
2. hospital load: 2,000 family sockets over 300 children, half on each process, 10 posts/s,
   posts alternating between the processes; memory per family = growth of the socket-holding
   processes' RSS (gunicorn: the workers, not the masters; node: the process) / sockets;
3. reconnect storm: both processes are stopped (SIGQUIT for gunicorn, SIGTERM for node), one
   update per child is written while they are down, and after a fixed outage both start again;
   timed from that start command until every socket is connected and has fetched its child's
   events up to the newest seq.
The Node swarm (bench/node/swarm.js) is the families and the poster (clinicians signed in over
HTTP for the app), so post and receive times come from one clock. "Notification" is the
family_event reaching the socket; "screen" is the events fetch that follows completing.

``--rounds``: during the unit load the unit's rounds queue also changes, as from the queue
screen's tablet (a clinician of the unit, signed in apart from the posters): rounds are started
before the warm-up, then one ``POST /staff/units/<id>/rounds/done`` a second (2 in the warm-up,
up to 28 measured: 30 children, one "done" each). Each change is pushed as "rounds" to every
child's room of the unit, so it reaches all 200 families; "change-to-family" runs from just
before the POST is sent until the event reaches a family's socket (the page draws the state
the event carries, so that is its screen too), one sample per family and change as for the
posts; per change, also until its first family and until all of them had it. Which version
each change made is read back from the database. The Node baseline's /rounds emits the same
to the same rooms.
``--embedded``: the unit load on the embedded default (``python app.py``: SQLite, one process,
threading) instead of production mode, beside Node as ever.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_data import (  # noqa: E402
    World,
    app_done_versions,
    app_post_seqs,
    app_post_while_away,
    app_queue_order,
    app_seqs,
    bench_app,
    check_cookie,
    embedded_data_app,
    make_world,
    node_post_while_away,
    node_seqs,
)
from load_report import print_long_report, print_report, print_unit_report  # noqa: E402
from load_servers import (  # noqa: E402
    ROOT,
    CpuMeter,
    PrivateRedis,
    ScratchDatabase,
    Server,
    Swarm,
    embedded_server,
    free_port,
    server_settings,
)

WARMUP_POSTS = 30
# --long: a long stay's unit phase, measured a step at a time.
LONG_POSTS = 3000
LONG_STEP = 300
# How long after the last post answered a family may still get it and count as not missed.
DRAIN_SECONDS = 60
# --rounds: queue changes ("done") in each unit phase's warm-up, before the measured ones.
WARMUP_CHANGES = 2


def main() -> None:
    """Set up, run both targets, print the table, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer posts (100 per phase)")
    parser.add_argument(
        "--posts", type=int, default=None, help="measured posts per phase (300; --long 3,000)"
    )
    parser.add_argument("--rate", type=float, default=10.0, help="posts per second")
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--unit-families", type=int, default=200)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--children-per-unit", type=int, default=30)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds from stop to start")
    parser.add_argument(
        "--storm-only",
        action="store_true",
        help="the app alone: connect the 2,000, then the reconnect storm (no posts, no Node)",
    )
    parser.add_argument(
        "--long",
        action="store_true",
        help=(
            "a long stay, the app alone: 3,000 posts in the unit phase (100 updates a child), "
            "first and last 300 side by side, worker memory every 300 posts"
        ),
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="serve the app from this checkout (a worktree of an older commit, for a before)",
    )
    parser.add_argument(
        "--unit-only",
        action="store_true",
        help="the unit load alone, app then Node (with --families 200 the data takes seconds)",
    )
    parser.add_argument(
        "--rounds",
        action="store_true",
        help="the unit's rounds queue changes during the unit load (POST done, one a second)",
    )
    parser.add_argument(
        "--rounds-every", type=float, default=1.0, help="seconds between queue changes (1)"
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="the unit load on the embedded default (python app.py, SQLite), beside Node",
    )
    args = parser.parse_args()
    if args.rounds and (args.long or args.storm_only):
        parser.error("--rounds goes with the unit load of a full run or of --unit-only")
    if args.embedded and (args.long or args.storm_only):
        parser.error("--embedded measures the unit load alone (with or without --rounds)")
    if args.posts is None:
        args.posts = 100 if args.quick else LONG_POSTS if args.long else 300
    args.unit_only = args.unit_only or args.long or args.embedded
    workdir = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    started = time.monotonic()
    redis = PrivateRedis(workdir)
    database = None if args.embedded else ScratchDatabase()
    swarm = None
    try:
        ports = {name: free_port() for name in ("app1", "app2", "node1", "node2")}
        origins = [f"http://127.0.0.1:{ports[n]}" for n in ("app1", "app2")]
        embedded = None
        if args.embedded:  # Node still needs the Redis of the settings
            url = f"sqlite:///{workdir / 'embedded.db'}"
            settings = server_settings(url, redis.url, origins)
            embedded = embedded_server(url, workdir / "embedded.log", args.app_dir)
            app = embedded_data_app(url, embedded.env["SECRET_KEY"])
            migrate_sqlite(app, args.app_dir, workdir / "migrate.log")
        else:
            settings = server_settings(database.url, redis.url, origins)
            migrate(settings, args.app_dir)
            app = bench_app(settings)
        made = time.monotonic()
        world = make_world(
            app, args.units, args.children_per_unit, args.unit_families, args.families
        )
        print(
            f"data: {len(world.all_families)} families, {len(world.children)} children "
            f"in {time.monotonic() - made:.0f} s",
            flush=True,
        )
        with app.app_context():
            from rounds.extensions import db

            db.engine.dispose()
        if database is not None:
            database.settle()
        swarm = Swarm(workdir / "swarm.log")
        offer = swarm.ask({"cmd": "offer"}, timeout=15)
        results = {}
        first = "embedded" if args.embedded else "app"
        for kind in (first,) if args.storm_only or args.long else (first, "node"):
            if kind == "embedded":
                servers = [embedded]
            else:
                servers = [
                    Server(
                        kind,
                        name,
                        ports[name],
                        server_env(settings, name, ports[name]),
                        workdir / f"{name}.log",
                        root=args.app_dir if kind == "app" else ROOT,
                    )
                    for name in (f"{kind}1", f"{kind}2")
                ]
            database_name = database.name if database is not None else "no-postgresql"
            try:
                results[kind] = run_target(
                    kind, servers, swarm, app, redis, world, args, database_name
                )
            finally:
                for server in servers:
                    server.stop()
        if args.storm_only:
            print_storm(results["app"], workdir, time.monotonic() - started)
        elif args.long:
            print_long_report(results["app"], args, workdir, time.monotonic() - started)
        elif args.unit_only:
            print_unit_report(results, args, workdir, time.monotonic() - started)
        else:
            print_report(results, offer, args, workdir, time.monotonic() - started)
    finally:
        if swarm is not None:
            swarm.stop()
        if database is not None:
            database.drop()
        redis.stop()


def server_env(settings: dict, name: str, port: int) -> dict:
    """The environment of one server process, as the production instructions give it."""
    return {
        **os.environ,
        **settings,
        "ROUNDS_CONFIG": "production",
        "PORT": str(port),
        "ROUNDS_PROCESS_NAME": name,
    }


def migrate(settings: dict, app_dir: Path = ROOT) -> None:
    """Run the migrations once, before any server starts."""
    env = {**os.environ, **settings, "ROUNDS_CONFIG": "production"}
    flask = str(ROOT / ".venv" / "bin" / "flask")
    subprocess.run(
        [flask, "--app", "app", "db", "upgrade"],
        cwd=app_dir,
        env=env,
        check=True,
        capture_output=True,
    )


def migrate_sqlite(app, app_dir: Path, log_path: Path) -> None:
    """Make the embedded default's SQLite database with the checkout's migrations (alembic's
    lines go to a log)."""
    import contextlib

    from flask_migrate import upgrade

    with open(log_path, "w") as log, contextlib.redirect_stderr(log), app.app_context():
        upgrade(directory=str(app_dir / "migrations"))


def client_specs(mode, families, servers, seqs, version: str = "") -> list[dict]:
    """The swarm's clients: family i on server i mod len(servers); each app client sends the
    page version a page of this code sends (or it would measure the whole-feed fallback).
    ``mode``: "app" (production or the embedded default) or "node"."""
    specs = []
    for i, family in enumerate(families):
        spec = {
            "mode": mode,
            "url": servers[i % len(servers)].url,
            "patients": [family.patient],
            "seqs": {str(family.patient): seqs.get(family.patient, 0)},
        }
        if mode == "app":
            spec.update(cookie=family.cookie, version=version, lang="en")
        specs.append(spec)
    return specs


def post_plan(mode, children, count, servers, world: World) -> list[dict]:
    """``count`` posts cycling over ``children``; post i goes to server i mod len(servers)."""
    return [
        {
            "mode": mode,
            "url": servers[i % len(servers)].url,
            "patient": children[i % len(children)],
            "poster": world.unit_of[children[i % len(children)]],
        }
        for i in range(count)
    ]


class QueueChanges:
    """The unit's rounds queue during the unit load (--rounds): started as the queue screen's
    tablet starts it, then one "done" at a time, each on the version the one before made."""

    def __init__(self, mode: str, server: Server, swarm: Swarm, app, world: World, children):
        self.mode, self.app, self.children = mode, app, children
        self.unit = world.unit_ids[0]
        # The tablet: the unit's clinician, signed in apart from the posters (see run_target).
        self.base = {"mode": mode, "url": server.url, "unit": self.unit}
        self.base["poster"] = len(world.clinicians)
        if mode == "node":
            self.base["patients"] = children
        started = swarm.ask({"cmd": "change", "change": {**self.base, "kind": "start"}})
        # The queue's children in order: "done" k is of the k-th child, on version 1 + k.
        self.order = app_queue_order(app, self.unit) if mode == "app" else list(children)
        if not self.order or not started["ok"]:
            raise RuntimeError(f"rounds did not start: {started}")
        self.planned = 0

    def plan(self, count: int) -> list[dict]:
        """The next ``count`` changes (fewer when the queue runs out: one "done" a child)."""
        first = self.planned
        self.planned = min(len(self.order), first + count)
        return [
            {**self.base, "kind": "done", "patient": self.order[k], "version": 1 + k}
            for k in range(first, self.planned)
        ]

    def versions(self, plan: list[dict], sent: dict) -> dict[str, int | None]:
        """Change index -> the queue version it made (None: refused or failed)."""
        if self.mode == "app":
            made = app_done_versions(self.app, self.unit)
            return {str(i): made.get(change["patient"]) for i, change in enumerate(plan)}
        return {str(c["i"]): c["version"] if c["ok"] else None for c in sent["changes"]}


def run_target(kind, servers, swarm, app, redis, world: World, args, database_name) -> dict:
    """Unit load, hospital load with memory, and the reconnect storm, for one target ("app":
    production mode; "embedded": the embedded default, unit load only; "node")."""
    mode = "node" if kind == "node" else "app"
    redis.flush()
    print(f"{kind}: starting {', '.join(s.name for s in servers)}", flush=True)
    for server in servers:
        server.start()

    def seqs():
        if mode == "app":
            return app_seqs(app, world.children)
        return node_seqs(redis.client(), world.children)

    def post_and_score(children, posting_servers, count, tag, queue=None, changes=()):
        plan = post_plan(mode, children, count, posting_servers, world)
        common = {"cmd": "run", "rate": args.rate, "tag": tag}
        if changes:
            common.update(changes=changes, change_every_s=args.rounds_every)
        sent = swarm.ask({**common, "posts": plan})
        if mode == "app":
            saved = app_post_seqs(app, tag)
        else:
            saved = {post["i"]: post["seq"] for post in sent["posts"] if post["ok"]}
        score = {"cmd": "score", "drain_s": DRAIN_SECONDS}
        if changes:
            score.update(versions=queue.versions(changes, sent), unit_patients=queue.children)
        return swarm.ask({**score, "seqs": {str(i): saved.get(i) for i in range(count)}})

    def measure(children, posting_servers, posts, phase, queue=None):
        warm = queue.plan(WARMUP_CHANGES) if queue else []
        tag = f"Bench {kind} {phase} warm-up"
        post_and_score(children, posting_servers, WARMUP_POSTS, tag, queue, warm)
        changes = queue.plan(int(posts / args.rate / args.rounds_every)) if queue else []
        meter = CpuMeter([s.socket_pid() for s in servers], database_name)
        meter.start()
        tag = f"Bench {kind} {phase} run"
        result = post_and_score(children, posting_servers, posts, tag, queue, changes)
        result["cpu"] = meter.stop()
        return result

    def measure_long(children, posting_servers, posts):
        """The unit load for ``posts`` posts, scored and metered LONG_STEP posts at a time,
        with the socket-holding worker's memory after each step."""
        post_and_score(children, posting_servers, WARMUP_POSTS, f"Bench {kind} long warm-up")
        steps = []
        for step in range(posts // LONG_STEP):
            meter = CpuMeter([s.socket_pid() for s in servers], database_name)
            meter.start()
            result = post_and_score(
                children, posting_servers, LONG_STEP, f"Bench {kind} long {step}"
            )
            result["cpu"] = meter.stop()
            result["rss_kb"] = servers[0].rss_kb()
            print(
                f"{kind}: {(step + 1) * LONG_STEP} posts, worker {result['rss_kb'] / 1024:.1f} MB",
                flush=True,
            )
            steps.append(result)
        return steps

    out = {"servers": [s.name for s in servers]}
    if mode == "app":
        out["cookie_check"] = check_cookie(servers[0].url, world.unit_families[0])
        posters = [
            {
                "url": servers[0].url,
                "email": c.email,
                "password": "correct horse battery staple",
                "patient": world.children[u * args.children_per_unit],
            }
            for u, c in enumerate(world.clinicians)
        ]
        if args.rounds:  # the queue screen's tablet: the first unit's clinician, again
            posters.append({**posters[0]})
        swarm.ask({"cmd": "signin", "posters": posters}, timeout=120)

    if args.storm_only:
        specs = client_specs(mode, world.all_families, servers, seqs(), world.version)
        out["big_connect"] = swarm.ask({"cmd": "connect", "clients": specs, "timeout_s": 180})
        print(f"{kind}: {out['big_connect']['connected']} sockets connected", flush=True)
        return storm(kind, servers, swarm, app, redis, world, args, seqs, out)

    # 1. Unit load, one process.
    unit_children = world.children[: args.children_per_unit]
    specs = client_specs(mode, world.unit_families, servers[:1], seqs(), world.version)
    out["unit_connect"] = swarm.ask({"cmd": "connect", "clients": specs})
    print(f"{kind}: unit load, {len(specs)} sockets", flush=True)
    if args.long:
        out["long"] = measure_long(unit_children, servers[:1], args.posts)
        swarm.ask({"cmd": "close"})
        return out
    queue = None
    if args.rounds:
        queue = QueueChanges(mode, servers[0], swarm, app, world, unit_children)
    out["unit"] = measure(unit_children, servers[:1], args.posts, "unit", queue)
    swarm.ask({"cmd": "close"})
    if args.unit_only:
        return out

    # 2. Hospital load, two processes, with memory.
    time.sleep(1)
    rss_before = [s.rss_kb() for s in servers]
    specs = client_specs(mode, world.all_families, servers, seqs(), world.version)
    print(f"{kind}: hospital load, {len(specs)} sockets", flush=True)
    out["big_connect"] = swarm.ask({"cmd": "connect", "clients": specs, "timeout_s": 180})
    time.sleep(2)
    rss_connected = [s.rss_kb() for s in servers]
    out["big"] = measure(world.children, servers, args.posts, "hospital")
    rss_traffic = [s.rss_kb() for s in servers]
    n = max(1, out["big_connect"]["connected"])
    out["rss"] = {
        "before_kb": rss_before,
        "connected_kb": rss_connected,
        "traffic_kb": rss_traffic,
        "per_family_connected_kb": (sum(rss_connected) - sum(rss_before)) / n,
        "per_family_traffic_kb": (sum(rss_traffic) - sum(rss_before)) / n,
    }

    return storm(kind, servers, swarm, app, redis, world, args, seqs, out)


def storm(kind, servers, swarm, app, redis, world: World, args, seqs, out: dict) -> dict:
    """Stop both processes with every socket connected, write while they are away, start
    them again and time until every socket is back and caught up."""
    print(f"{kind}: reconnect storm", flush=True)
    stopped_at = time.monotonic()
    for server in servers:
        server.signal_stop()
    out["storm_down"] = swarm.ask({"cmd": "wait_disconnected", "timeout_s": 20}, timeout=30)
    out["down_seconds"] = time.monotonic() - stopped_at
    if kind == "app":
        app_post_while_away(app, world)
    else:
        node_post_while_away(redis.client(), world)
    out["away_posts_seconds"] = time.monotonic() - stopped_at - out["down_seconds"]
    for server in servers:
        server.proc.wait(20)
    latest = seqs()
    time.sleep(max(0.0, stopped_at + args.outage - time.monotonic()))
    out["outage_seconds"] = time.monotonic() - stopped_at
    restart_ns = time.monotonic_ns()
    swarm.send(
        {
            "cmd": "storm_watch",
            "latest": {str(k): v for k, v in latest.items()},
            "since_ns": str(restart_ns),
            "timeout_s": 60,
        }
    )
    for server in servers:
        server.start(wait=False)
    for server in servers:
        server.wait_healthy()
    out["boot_seconds"] = (time.monotonic_ns() - restart_ns) / 1e9
    out["storm"] = swarm.answer(timeout=90)
    swarm.ask({"cmd": "close"})
    return out


def print_storm(app: dict, workdir: Path, elapsed: float) -> None:
    """The storm's figures alone (--storm-only)."""
    storm = app["storm"]
    print(f"connected before the storm: {app['big_connect']['connected']}")
    print(f"outage {app['outage_seconds']:.1f} s; processes healthy {app['boot_seconds']:.2f} s")
    print(f"storm: {storm}")
    print(f"logs: {workdir}   run took {elapsed:.0f} s")


if __name__ == "__main__":
    main()
