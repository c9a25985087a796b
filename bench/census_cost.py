"""What open census pages cost the server per post: real browsers on /staff/, posts at 10/s.

Run by hand:  .venv/bin/python bench/census_cost.py [--seconds 30] [--app-dir PATH] [--embedded]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres), the redis-server program, and Debian's
Chromium (/usr/bin/chromium). About one to two minutes.

The server: one gunicorn process with one gevent worker, on PostgreSQL, with a private Redis
as its message queue: production mode as a hospital runs each process (nginx in front only
ends TLS), and as bench/load.py and bench/request_cost.py run it, so the figures sit beside
theirs. ``--embedded``: the embedded default instead (``python app.py``: SQLite, threading,
its access log on, as shipped).

The census pages: 5 Chromium pages (Playwright), each signed in through the sign-in page as
a different nurse of the unit, on /staff/, running the app's own static/js/staff-live.js, so
whatever a page does on a push (fetch the whole census again, or one row) is what is
measured. Their requests are counted with Playwright's request events; the socket.io
transport is counted apart. ``--pages 0``: the posts' own cost, no page open.

The posts: clinicians over HTTP, through the composer's ``POST /staff/patients/<id>/updates``
with its CSRF token (read once, as an open composer holds it; the 302 is not followed),
round-robin over the unit's 30 children, post n sent n/10 s after the start whatever the
answers before it took (4 clinicians, each in a thread, take turns: a slow answer does not
hold the next post back). A warm-up round of 30 posts, then the measured phase. Before and
after the phase the bench waits until every page shows each child's last posted status
(read from the census rows as today's template draws them: a row with the child's link
and a ``tag--<status>``) and no page has made a request for a second, so the phase holds
all the work its posts caused and none of the warm-up's.

Server CPU: user + system time of the server's processes (gunicorn's master and worker) from
/proc/<pid>/stat, before and after the phase, divided by the posts; PostgreSQL's backends of
the bench's database are shown apart.

``--app-dir PATH`` measures another checkout (default: this one), so one script measures
before and after a change: the server runs from it (its code, templates, static files and
gunicorn settings), its migrations make the database, and its services make the data
(through its tests/support/factories.py). The bench and the Python environment are this
repository's.
"""

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from census_pages import open_census_pages, pump_until, wait_until_shown  # noqa: E402
from census_posts import STATUSES, Clinician, last_statuses, post_paced, status_of  # noqa: E402
from load_report import code_version, fmt, percentile  # noqa: E402
from load_servers import (  # noqa: E402
    ROOT,
    CpuMeter,
    PrivateRedis,
    ScratchDatabase,
    Server,
    cpu_ms,
    embedded_server,
    free_port,
    server_settings,
)

UPDATES_PER_CHILD = 3
# Posts come from several clinicians at once, so a slow answer does not hold up the next post.
POSTERS = 4


def load_checkout(app_dir: Path) -> None:
    """Make ``rounds`` and the test factories come from the checkout measured, before the
    bench's helpers (which put this repository first on the path) import them."""
    sys.path.insert(0, str(app_dir))
    import rounds
    import tests.support.factories

    for module in (rounds, tests.support.factories):
        if not Path(module.__file__).resolve().is_relative_to(app_dir):
            raise SystemExit(f"{module.__name__} came from {module.__file__}, not {app_dir}")


@dataclass(frozen=True)
class Ward:
    """Who and what the bench uses: the unit's children, its clinicians who post and its
    nurses who keep the census open (sign-in addresses)."""

    children: list[int]
    clinicians: list[str]
    nurses: list[str]


def make_ward(app, children: int, posters: int, pages: int) -> Ward:
    """One unit: ``children`` admitted children with a few updates each, the clinicians who
    post, and a nurse per census page; made with the checkout's services (fictional names)."""
    from load_data import make_world

    from tests.support.factories import Factory

    make = Factory(app)
    world = make_world(app, 1, children, 0, 0)
    unit = make.get_unit_of(world.children[0])
    clinicians = [
        world.clinicians[0],
        *(make.person("clinician", (unit,)) for _ in range(1, posters)),
    ]
    nurses = [make.person("nurse", (unit,)) for _ in range(pages)]
    for n in range(UPDATES_PER_CHILD):
        for child in world.children:
            make.post(clinicians[0], child, f"Earlier update {n + 1}.", status=STATUSES[n])
    with app.app_context():
        from rounds.extensions import db

        db.engine.dispose()  # no idle connection of ours left in the database
    return Ward(world.children, [c.email for c in clinicians], [n.email for n in nurses])


def start_production(app_dir: Path, workdir: Path, cleanup: contextlib.ExitStack):
    """A private Redis, a scratch database, and one gunicorn process; returns the server, the
    app that makes the data, and the database's name."""
    from load import server_env
    from load_data import bench_app

    redis = PrivateRedis(workdir)
    cleanup.callback(redis.stop)
    database = ScratchDatabase(f"census_bench_{secrets.token_hex(4)}")
    cleanup.callback(database.drop)
    port = free_port()
    settings = server_settings(database.url, redis.url, [f"http://127.0.0.1:{port}"])
    app = bench_app(settings)
    env = {**server_env(settings, "app1", port), "PYTHONPATH": str(app_dir)}
    server = Server("app", "app1", port, env, workdir / "app.log", root=app_dir)
    return server, app, database.name


def start_embedded(app_dir: Path, workdir: Path, cleanup: contextlib.ExitStack):
    """The embedded default (``python app.py``: SQLite, one process, threading)."""
    from rounds import create_app

    url = f"sqlite:///{workdir / 'census.db'}"
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})  # cheap password hashes
    server = embedded_server(url, workdir / "app.log", app_dir)
    return server, app, "no-postgresql"


def migrate(app, app_dir: Path, log_path: Path) -> None:
    """Make the database with the checkout's own migrations (alembic's lines go to a log)."""
    from flask_migrate import upgrade

    with open(log_path, "w") as log, contextlib.redirect_stderr(log), app.app_context():
        upgrade(directory=str(app_dir / "migrations"))


def server_pids(server: Server) -> list[int]:
    """The server's processes: gunicorn's master and its worker, or the one process."""
    return [server.proc.pid, server.socket_pid()] if server.kind == "app" else [server.proc.pid]


def backend_cpu(database_name: str) -> dict[int, float]:
    """CPU used so far by each PostgreSQL backend serving the bench's database, in ms."""
    used = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes()
            if cmdline.startswith(b"postgres: ") and f" {database_name} ".encode() in cmdline:
                used[int(entry.name)] = cpu_ms(int(entry.name))
    return used


def measure(args, server: Server, database_name: str, ward: Ward) -> dict:
    """Open the pages, warm up, run the measured phase; returns the figures."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        traffic = open_census_pages(browser, server.url, ward.nurses)
        pump_until(traffic, lambda: all(t.websockets for t in traffic), 30, "websockets")
        clinicians = [Clinician(server.url, email, ward.children[0]) for email in ward.clinicians]
        post_paced(traffic, clinicians, ward.children, 0, args.warmup, args.rate)
        wait_until_shown(traffic, last_statuses(ward.children, args.warmup))

        count = round(args.seconds * args.rate)
        meter = CpuMeter(server_pids(server), database_name)
        backends = backend_cpu(database_name)
        for pages in traffic:
            pages.counting = True
        meter.start()
        phase_started = time.monotonic()
        latencies, took = post_paced(
            traffic, clinicians, ward.children, args.warmup, count, args.rate
        )
        expected = last_statuses(ward.children, args.warmup + count)
        shown = wait_until_shown(traffic, expected)
        cpu = meter.stop()
        phase = time.monotonic() - phase_started
        backends = {
            pid: ms - backends.get(pid, 0.0) for pid, ms in backend_cpu(database_name).items()
        }
        for pages in traffic:
            pages.counting = False
        requests = [r for t in traffic for r in t.requests]
        sizes = [r.sizes() for r in requests]
        # From the request's start to its response's last byte, as the page waited for it.
        walls = [r.timing["responseEnd"] for r in requests if r.timing["responseEnd"] >= 0]
        browser.close()
    last = args.warmup + count - 1
    return {
        "posts": count,
        "rate": count / took,
        "cpu": cpu,
        "busy_pct": 100 * cpu["servers_ms"] / (phase * 1000),
        "postgres_ms": sum(backends.values()),
        "requests": len(requests),
        "by_path": Counter(f"{r.method} {r.url.removeprefix(server.url)}" for r in requests),
        "bytes": sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes),
        "transport": sum(t.transport for t in traffic),
        "pushes": sum(t.pushes for t in traffic),
        "latencies": latencies,
        "census_walls": walls,
        "shown": shown,
        "pages": len(traffic),
        "last": (ward.children[last % len(ward.children)], status_of(last, len(ward.children))),
        "rows": len(expected),
    }


def served_from(server: Server) -> str:
    """Where the server's ``rounds`` package is imported from: its environment and folder,
    asked of the same Python. Refuses to go on if that is not the checkout measured."""
    found = subprocess.run(
        [sys.executable, "-c", "import rounds; print(rounds.__file__)"],
        cwd=server.root,
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(server.root):
        raise SystemExit(f"the server would import rounds from {found}, not {server.root}")
    return str(Path(found).parent)


def report(args, figures: dict, load: tuple, app_dir: Path, server: Server, code: str) -> None:
    """Print the table."""
    posts = figures["posts"]
    kind = (
        "embedded default (python app.py: SQLite, threading)"
        if args.embedded
        else "production mode (one gunicorn process, one gevent worker, PostgreSQL, Redis)"
    )
    print()
    print(
        f"Census cost: {figures['pages']} census pages open (Chromium), 1 unit of "
        f"{args.children} children, {args.rate:g} posts/s for {args.seconds:g} s"
    )
    print(f"server: {kind}")
    print(f"app: {app_dir} at {code_version(app_dir)} (rounds from {code})")
    print(
        f"machine: {os.cpu_count()} cores, SHARED with other sessions: load average at start "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; during the phase this bench used "
        f"{figures['cpu']['bench_pct']:.0f} % of the machine (server, PostgreSQL, browsers, "
        f"posters), other work {figures['cpu']['others_pct']:.0f} %"
    )
    rows = [
        ("posts made (measured)", f"{posts} ({figures['rate']:.1f}/s)"),
        ("server CPU per post (ms)", fmt(figures["cpu"]["servers_ms"] / posts)),
        # One gevent worker runs on one core: near 100 % it is saturated, and then the pages'
        # refetches (one at a time each, the pushes between folded into one) take what is left.
        ("server busy during the phase (% of one core)", f"{figures['busy_pct']:.0f}"),
        (
            "PostgreSQL CPU per post (ms, bench's database)",
            "-" if args.embedded else fmt(figures["postgres_ms"] / posts),
        ),
        ("census requests per post (all pages)", fmt(figures["requests"] / posts, 2)),
        ("census bytes per post (received, all pages)", f"{figures['bytes'] / posts:,.0f}"),
        ("socket.io events received per post", fmt(figures["pushes"] / posts, 2)),
        ("socket.io HTTP requests (polling)", str(figures["transport"])),
        ("post latency p50 (ms)", fmt(percentile(figures["latencies"], 50))),
        ("post latency p99 (ms)", fmt(percentile(figures["latencies"], 99))),
        ("census request, wall p50 (ms)", fmt(percentile(figures["census_walls"], 50))),
        ("census request, wall p99 (ms)", fmt(percentile(figures["census_walls"], 99))),
    ]
    print("-" * 66)
    for label, value in rows:
        print(f"  {label:<48}{value:>16}")
    print("-" * 66)
    paths = ", ".join(f"{path} x{n}" for path, n in figures["by_path"].most_common(5))
    print(f"census requests: {paths or 'none'}")
    child, status = figures["last"]
    if figures["pages"]:
        print(
            f"live check: every page showed each child's last posted status "
            f"({figures['rows']} rows; the last post: child {child}, {status}) "
            f"{figures['shown']:.2f} s after the last post answered, in the document it first "
            "loaded (no reload)"
        )
    print(f"logs: {server.log_path.parent}")


def main() -> None:
    """Set up, measure, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured phase")
    parser.add_argument("--rate", type=float, default=10.0, help="posts per second")
    parser.add_argument("--pages", type=int, default=5, help="census pages (0: the posts alone)")
    parser.add_argument("--children", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=30, help="posts before measuring")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--embedded", action="store_true", help="python app.py on SQLite")
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()
    load_checkout(app_dir)
    load = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="rounds-census-"))
    with contextlib.ExitStack() as cleanup:
        start = start_embedded if args.embedded else start_production
        server, app, database_name = start(app_dir, workdir, cleanup)
        code = served_from(server)
        migrate(app, app_dir, workdir / "migrate.log")
        ward = make_ward(app, args.children, POSTERS, args.pages)
        server.start()
        cleanup.callback(server.stop)
        figures = measure(args, server, database_name, ward)
    report(args, figures, load, app_dir, server, code)


if __name__ == "__main__":
    main()
