"""What one request costs a production process: a clinician's post, a family's events fetch.

Run by hand:  .venv/bin/python bench/request_cost.py [--posts N]
Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and the redis-server program.

One gunicorn process in production mode (gevent, PostgreSQL, a private Redis), nobody
connected by socket. One client, one request at a time over a kept-alive connection, as the
swarm of bench/load.py does: each post is followed by one events fetch from each family member
of that child (about 7, ``after`` the event before the post). The server's CPU is read from
/proc around each request kind, so the numbers are what the process spends, not what the
client waits. bench/load.py is the whole picture; this is the quick loop for making the hot
path leaner (about a minute).
"""

import argparse
import gzip
import http.client
import re
import secrets
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
from load_servers import PrivateRedis, ScratchDatabase, Server, cpu_ms, free_port  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One kept-alive HTTP connection carrying one session cookie."""

    def __init__(self, port: int, cookie: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Cookie": f"rounds_session={self.cookie}", "Accept-Encoding": "gzip, deflate"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response.status, data, dict(response.getheaders())


def fetch_all(clients: list[Client], path: str, together: bool) -> None:
    """Each family member fetches the events: one after another, or all at once as a push
    makes them (one thread each, released together)."""

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
            headers={"Cookie": f"rounds_session={family.cookie}"},
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
        settings = {
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database.url,
            "REDIS_URL": redis.url,
            "SOCKETIO_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        }
        migrate(settings)
        app = bench_app(
            {
                "SECRET_KEY": settings["SECRET_KEY"],
                "SQLALCHEMY_DATABASE_URI": database.url,
                "REDIS_URL": redis.url,
                "SOCKETIO_ALLOWED_ORIGINS": [settings["SOCKETIO_ALLOWED_ORIGINS"]],
            }
        )
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

        post_cpu, fetch_cpu, post_ms, fetch_ms = [], [], [], []
        fetches = 0
        seqs = app_seqs(app, world.children)  # nobody else posts: each post adds one event
        for i in range(args.posts + 30):
            child = world.children[i % len(world.children)]
            form = urlencode(
                {"status": "serious", "summary": f"Cost {i}", "action": "post", "csrf_token": token}
            )
            cpu0, t0 = cpu_ms(worker), time.perf_counter()
            status, _, _ = staff.request("POST", f"/staff/patients/{child}/updates", form)
            cpu1, t1 = cpu_ms(worker), time.perf_counter()
            assert status == 302, status
            events = f"/family/children/{child}/events.json?after={seqs[child]}"
            fetch_all(families[child], events, args.together)
            cpu2, t2 = cpu_ms(worker), time.perf_counter()
            seqs[child] += 1
            if i >= 30:  # after a warm-up round over every child
                post_cpu.append(cpu1 - cpu0)
                fetch_cpu.append(cpu2 - cpu1)
                post_ms.append((t1 - t0) * 1000)
                fetch_ms.append((t2 - t1) * 1000 / len(families[child]))
                fetches += len(families[child])
        floor = Client(port, world.unit_families[0].cookie)
        cpu0 = cpu_ms(worker)
        for _ in range(1000):
            assert floor.request("GET", "/health")[0] == 200
        health_cpu = (cpu_ms(worker) - cpu0) / 1000
        rounds_ = [
            measure_sockets(port, worker, world.unit_families) for _ in range(args.socket_rounds)
        ]
        connect_cpu = statistics.mean(r[0] for r in rounds_)
        disconnect_cpu = statistics.mean(r[1] for r in rounds_)
        posts = len(post_cpu)
        print(f"{posts} posts, {fetches} fetches ({fetches / posts:.1f} per post), one at a time")
        print(f"  server CPU per post          {sum(post_cpu) / posts:6.1f} ms")
        print(f"  server CPU per events fetch  {sum(fetch_cpu) / fetches:6.1f} ms")
        print(f"  server CPU per post cycle    {(sum(post_cpu) + sum(fetch_cpu)) / posts:6.1f} ms")
        print(f"  server CPU per GET /health (the floor) {health_cpu:6.2f} ms")
        print(f"  server CPU per socket connect    {connect_cpu:6.1f} ms")
        print(f"  server CPU per socket disconnect {disconnect_cpu:6.1f} ms")
        print(f"  post wall p50                {statistics.median(post_ms):6.1f} ms")
        print(f"  events fetch wall p50        {statistics.median(fetch_ms):6.1f} ms")
    finally:
        if server is not None:
            server.stop()
        database.drop()
        redis.stop()


if __name__ == "__main__":
    main()
