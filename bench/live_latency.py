"""Post-to-notification and post-to-screen latency on the embedded default (one process).

Run by hand:  .venv/bin/python bench/live_latency.py [--families 30] [--children 10] [--posts 50]

Starts `python app.py` on a scratch SQLite database, connects real Socket.IO clients as
parents, posts updates as a clinician over HTTP, and prints, per post, the time until each
granted parent's socket hears of it (notification) and until that parent has fetched the new
events (screen). Also counts notifications missed and duplicated, and any that reached a
parent of another child. Issue #3's goal: a parent sees a post within a second.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from rounds import create_app  # noqa: E402
from rounds.extensions import db  # noqa: E402
from tests.support.factories import Factory  # noqa: E402
from tests.support.live import HttpUser, SocketUser, start_server  # noqa: E402


def percentile(values, p):
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    """Run the measurement and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=30)
    parser.add_argument("--children", type=int, default=10)
    parser.add_argument("--posts", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
        make = Factory(app)
        unit = make.unit()
        clinician = make.person("clinician", (unit,))
        children = [make.patient(unit) for _ in range(args.children)]
        parents = []
        for i in range(args.families):
            person = make.person()
            child = children[i % len(children)]
            make.grant(person, child)
            parents.append((person, child))
        with app.app_context():
            db.engine.dispose()
        server = start_server(url, Path(tmp))
        try:
            run(server.url, clinician, children, parents, args.posts)
        finally:
            server.stop()


def run(base_url, clinician, children, parents, posts) -> None:
    """Connect the parents, post, and print the latencies."""
    arrivals = {}  # (parent index, patient, seq) -> [notified_at, screen_at]
    lock = threading.Lock()
    sockets = []
    for index, (person, child) in enumerate(parents):
        user = HttpUser(base_url, person.email)
        sock = SocketUser(user)

        def on_event(data, index=index, user=user, child=child):
            now = time.perf_counter()
            key = (index, data["patient"], data["seq"])
            with lock:
                arrivals.setdefault(key, []).append(now)
            if data["patient"] == child:
                user.events_after(child, data["seq"] - 1)
                with lock:
                    arrivals[key].append(time.perf_counter())

        sock.client.on("family_event", on_event)
        sock.connect()
        sockets.append(sock)
    poster = HttpUser(base_url, clinician.email)
    sent = []
    for n in range(posts):
        child = children[n % len(children)]
        started = time.perf_counter()
        poster.post_update(child, f"Benchmark update {n}")
        sent.append((child, started))
        time.sleep(0.1)
    time.sleep(2)
    notify, screen, missed, duplicated, leaked = [], [], 0, 0, 0
    seq_of = {}
    expected = {}
    for child, started in sent:
        seq_of[child] = seq_of.get(child, 0) + 1
        expected[(child, seq_of[child])] = started
    for index, (_person, child) in enumerate(parents):
        for (patient, seq), started in expected.items():
            if patient != child:
                continue
            times = arrivals.get((index, patient, seq))
            if not times:
                missed += 1
                continue
            if len(times) > 2:
                duplicated += 1
            notify.append((times[0] - started) * 1000)
            if len(times) > 1:
                screen.append((times[-1] - started) * 1000)
    leaked = sum(1 for (index, patient, _seq) in arrivals if parents[index][1] != patient)
    for sock in sockets:
        sock.close()
    print(f"families {len(parents)}, children {len(children)}, posts {posts} (one every 100 ms)")
    print(f"{'measure':<22} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (("post-to-notification", notify), ("post-to-screen", screen)):
        if values:
            print(
                f"{name:<22} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f}"
                f" {percentile(values, 99):>8.1f} {max(values):>8.1f}"
            )
    print(f"missed {missed}, duplicated {duplicated}, reached another child's family {leaked}")


if __name__ == "__main__":
    main()
