"""What one request costs a production process: a clinician's post, a family's events fetch.

Run by hand:  .venv/bin/python bench/request_cost.py [--posts N]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and the redis-server program.

One gunicorn process in production mode (gevent, PostgreSQL, a private Redis), one unit of
30 children and 200 family members, kept-alive connections as the swarm of bench/load.py
uses. Each post is followed by one events fetch from each family member of that child (about
7, ``after`` the event before the post), all sent at once as a push makes them
(``--one-by-one``: one after another). Then 1,000 ``GET /health`` (the stack's floor) and the
200 family sockets connected and closed one at a time. The server's CPU is read from /proc
around each kind, so the numbers are what the process spends, not what a client waits.
bench/load.py is the whole picture; this is the quick loop for making the hot paths leaner
(about a minute).
"""

import argparse
import gzip
import http.client
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import migrate, server_env  # noqa: E402
from load_data import app_seqs, bench_app, make_world, mint_cookie  # noqa: E402
from load_servers import (  # noqa: E402
    SWARM_USER_AGENT,
    PrivateRedis,
    ScratchDatabase,
    Server,
    cpu_ms,
    free_port,
    server_settings,
)

WARMUP_POSTS = 30  # one round over every child before measuring
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One kept-alive HTTP connection carrying one session cookie."""

    def __init__(self, port: int, cookie: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {
            "Cookie": f"rounds_session={self.cookie}",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": SWARM_USER_AGENT,  # the browser the cookies were minted for
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # gunicorn closes a kept-alive connection idle for 2 s; a browser tries once more.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response.status, data, dict(response.getheaders())


def fetch_all(clients: list[Client], path: str, together: bool) -> None:
    """Each family member fetches the events: one after another, or at once as after a push
    (one thread each)."""

    def fetch(client: Client) -> None:
        status, body, _ = client.request("GET", path)
        assert status == 200 and b'"html"' in body, (status, body[:200])

    if not together:
        for client in clients:
            fetch(client)
        return
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(fetch, clients))


def measure_sockets(port: int, worker: int, families) -> tuple[float, float]:
    """Server CPU per family socket connect (admission: session, grants, rooms, registry) and
    per disconnect, one socket at a time, websocket transport as the swarm uses."""
    import socketio

    clients = []
    cpu0 = cpu_ms(worker)
    for family in families:
        client = socketio.Client(reconnection=False)
        client.connect(
            f"http://127.0.0.1:{port}",
            headers={"Cookie": f"rounds_session={family.cookie}", "User-Agent": SWARM_USER_AGENT},
            transports=["websocket"],
            wait_timeout=10,
        )
        clients.append(client)
    cpu1 = cpu_ms(worker)
    for client in clients:
        client.disconnect()
    time.sleep(1)  # the server notices the last ones
    cpu2 = cpu_ms(worker)
    return (cpu1 - cpu0) / len(clients), (cpu2 - cpu1) / len(clients)


def measure_posts(app, world, staff: Client, token: str, families, worker: int, args) -> dict:
    """Post to each child in turn; after each post, that child's family members fetch."""
    cpu = {"post": [], "fetch": []}
    wall = {"post": [], "fetch": []}
    fetches = 0
    seqs = app_seqs(app, world.children)  # nobody else posts: each post adds one event
    for i in range(WARMUP_POSTS + args.posts):
        child = world.children[i % len(world.children)]
        form = urlencode(
            {"status": "serious", "summary": f"Cost {i}", "action": "post", "csrf_token": token}
        )
        cpu0, t0 = cpu_ms(worker), time.perf_counter()
        status, _, _ = staff.request("POST", f"/staff/patients/{child}/updates", form)
        cpu1, t1 = cpu_ms(worker), time.perf_counter()
        assert status == 302, status
        # As a current page asks (its version and language), so the answer is the patch.
        events = (
            f"/family/children/{child}/events.json?after={seqs[child]}&v={world.version}&lang=en"
        )
        fetch_all(families[child], events, args.together)
        cpu2, t2 = cpu_ms(worker), time.perf_counter()
        seqs[child] += 1
        if i >= WARMUP_POSTS:
            cpu["post"].append(cpu1 - cpu0)
            cpu["fetch"].append(cpu2 - cpu1)
            wall["post"].append((t1 - t0) * 1000)
            wall["fetch"].append((t2 - t1) * 1000 / len(families[child]))
            fetches += len(families[child])
    return {"cpu": cpu, "wall": wall, "fetches": fetches}


def measure_floor(port: int, cookie: str, worker: int, count: int = 1000) -> float:
    """Server CPU per GET /health: gunicorn, gevent, Flask and the session, nothing else."""
    client = Client(port, cookie)
    cpu0 = cpu_ms(worker)
    for _ in range(count):
        assert client.request("GET", "/health")[0] == 200
    return (cpu_ms(worker) - cpu0) / count


def report(posts: dict, health_cpu: float, sockets: list, together: bool) -> None:
    """Print the figures."""
    count, fetches = len(posts["cpu"]["post"]), posts["fetches"]
    post_cpu, fetch_cpu = sum(posts["cpu"]["post"]), sum(posts["cpu"]["fetch"])
    how = "at once after each post" if together else "one after another"
    print(f"{count} posts, {fetches} fetches ({fetches / count:.1f} per post, {how})")
    print(f"  server CPU per post                 {post_cpu / count:6.1f} ms")
    print(f"  server CPU per events fetch         {fetch_cpu / fetches:6.1f} ms")
    print(f"  server CPU per post and its fetches {(post_cpu + fetch_cpu) / count:6.1f} ms")
    print(f"  server CPU per GET /health (floor)  {health_cpu:6.2f} ms")
    print(f"  server CPU per socket connect       {statistics.mean(s[0] for s in sockets):6.1f} ms")
    print(f"  server CPU per socket disconnect    {statistics.mean(s[1] for s in sockets):6.1f} ms")
    print(
        f"  post, wall p50                      {statistics.median(posts['wall']['post']):6.1f} ms"
    )
    fetch_wall = statistics.median(posts["wall"]["fetch"])
    print(f"  events fetch, wall p50 (per fetch)  {fetch_wall:6.1f} ms")


def main() -> None:
    """Set up, measure, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=150)
    parser.add_argument("--socket-rounds", type=int, default=1, help="connect all families N times")
    parser.add_argument(
        "--one-by-one", dest="together", action="store_false", help="fetches one after another"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rounds-cost-"))
    redis = PrivateRedis(workdir)
    database = ScratchDatabase()
    server = None
    try:
        port = free_port()
        settings = server_settings(database.url, redis.url, [f"http://127.0.0.1:{port}"])
        migrate(settings)
        app = bench_app(settings)
        world = make_world(app, 1, 30, 200, 200)
        clinician = world.clinicians[0]
        clinician_cookie = mint_cookie(app, clinician.id)
        with app.app_context():
            from rounds.extensions import db

            db.engine.dispose()
        server = Server(
            "app", "app1", port, server_env(settings, "app1", port), workdir / "app.log"
        )
        server.start()
        worker = server.socket_pid()

        staff = Client(port, clinician_cookie)
        status, page, headers = staff.request("GET", f"/staff/patients/{world.children[0]}")
        staff.cookie = headers["Set-Cookie"].split("rounds_session=", 1)[1].split(";", 1)[0]
        token = CSRF.search(page.decode()).group(1)
        families: dict[int, list[Client]] = {}
        for family in world.unit_families:
            families.setdefault(family.patient, []).append(Client(port, family.cookie))

        posts = measure_posts(app, world, staff, token, families, worker, args)
        health_cpu = measure_floor(port, world.unit_families[0].cookie, worker)
        sockets = [
            measure_sockets(port, worker, world.unit_families) for _ in range(args.socket_rounds)
        ]
        report(posts, health_cpu, sockets, args.together)
    finally:
        if server is not None:
            server.stop()
        database.drop()
        redis.stop()


if __name__ == "__main__":
    main()
