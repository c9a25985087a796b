"""Production mode in tests: gunicorn processes, nginx with TLS, and private Redis/PostgreSQL.

Fault tests restart services, so they never touch the shared PostgreSQL (5432) or Redis
(6379): they start their own on free ports and restart those.
"""

import contextlib
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
import socketio

from tests.support.live import ROOT, HttpUser, SocketUser, free_port, http_session, wait_until

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PROCESS_HEADER = "X-Rounds-Process"


def _listening(port: int) -> bool:
    try:
        with __import__("socket").create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class AppProcess:
    """One gunicorn process (one gevent worker) of Rounds in production mode."""

    name: str
    port: int
    env: dict
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "AppProcess":
        """Start gunicorn and wait until this process answers /health as itself."""
        self.process = subprocess.Popen(
            [GUNICORN, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "rounds.wsgi:app"],
            cwd=ROOT,
            env={**self.env, "PORT": str(self.port), "ROUNDS_PROCESS_NAME": self.name},
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def answering():
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited early:\n{self.log()}")
            try:
                response = requests.get(self.url + "/health", timeout=2)
            except requests.RequestException:
                return False
            return response.ok and response.headers.get(PROCESS_HEADER) == self.name

        wait_until(answering, timeout=30, message=f"{self.name} to answer /health")
        return self

    def kill(self) -> None:
        """Kill the whole process group at once, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def quit(self) -> None:
        """Ask gunicorn to stop now (SIGQUIT stops it in about a second)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)

    def stop(self) -> None:
        """Stop, and wait until it has."""
        if self.process and self.process.poll() is None:
            self.quit()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def production_env(database_url: str, redis_url: str, origins: list[str], channel: str) -> dict:
    """The environment a hospital sets for production mode."""
    return {
        **os.environ,
        "ROUNDS_CONFIG": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_hex(32),
        "SOCKETIO_ALLOWED_ORIGINS": ",".join(origins),
        "SOCKETIO_CHANNEL": channel,
        "PYTHONUNBUFFERED": "1",
        "ROUNDS_LOG_LEVEL": "warning",
    }


@dataclass
class Cluster:
    """Several app processes sharing one database and one Redis, optionally behind nginx."""

    processes: list[AppProcess]
    env: dict
    nginx: "Nginx | None" = None
    extra: list = field(default_factory=list)

    def __getitem__(self, name: str) -> AppProcess:
        return next(p for p in self.processes if p.name == name)

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for process in self.processes:
            process.quit()
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()}" for p in self.processes)


def start_cluster(
    database_url: str,
    redis_url: str,
    workdir: Path,
    names: tuple[str, ...] = ("app1", "app2"),
    with_nginx: bool = False,
    settings: dict | None = None,
) -> Cluster:
    """Start ``names`` as gunicorn processes (and nginx in front, if asked), with ``settings``
    added to the production environment."""
    ports = {name: free_port() for name in names}
    origins = [f"http://127.0.0.1:{port}" for port in ports.values()]
    nginx = Nginx(workdir / "nginx", list(ports.values())) if with_nginx else None
    if nginx:
        origins.append(nginx.url)
    env = production_env(database_url, redis_url, origins, f"rounds-test-{uuid.uuid4().hex[:8]}")
    env.update(settings or {})
    processes = [
        AppProcess(name, port, env, workdir / f"{name}.log") for name, port in ports.items()
    ]
    cluster = Cluster(processes, env, nginx)
    try:
        for process in processes:
            process.start()
        if nginx:
            nginx.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


class Nginx:
    """Debian's nginx with a self-signed certificate, configured from deploy/nginx/rounds.conf."""

    def __init__(self, prefix: Path, upstream_ports: list[int]):
        self.prefix = prefix
        self.port = free_port()
        self.http_port = free_port()
        self.upstream_ports = upstream_ports
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def certificate(self) -> Path:
        return self.prefix / "rounds.crt"

    @property
    def verify(self) -> str:
        """For clients: trust exactly this self-signed certificate (requests' ``verify``)."""
        return str(self.certificate)

    def configure(self) -> Path:
        """A self-signed certificate, then the sample config filled in by the same script
        scripts/production.sh uses."""
        if not shutil.which("nginx"):
            pytest.fail("nginx is missing: apt-get install -y nginx-light")
        self.prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(self.prefix / "rounds.key"), "-out", str(self.certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        written = subprocess.run(
            [
                sys.executable, str(ROOT / "scripts" / "nginx_conf.py"), str(self.prefix),
                "--listen", f"127.0.0.1:{self.port}",
                "--http-listen", f"127.0.0.1:{self.http_port}",
                "--server-name", "127.0.0.1",
                "--certificate", str(self.certificate),
                "--certificate-key", str(self.prefix / "rounds.key"),
                *[f"--upstream={port}" for port in self.upstream_ports],
            ],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        return Path(written.stdout.strip())

    def start(self) -> "Nginx":
        main = self.configure()
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.prefix), "-c", str(main), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "logs" / "stderr.log").open("w"),
        )
        wait_until(lambda: self._answering(), timeout=15, message="nginx to answer")
        return self

    def _answering(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"nginx exited:\n{(self.prefix / 'logs' / 'stderr.log').read_text()}")
        try:
            return http_session(self.verify).get(self.url + "/health", timeout=2).ok
        except requests.RequestException:
            return False

    def route_to(self, process_name: str) -> str:
        """A route cookie value that nginx's hash sends to ``process_name``."""
        for _ in range(200):
            candidate = uuid.uuid4().hex
            response = http_session(self.verify).get(
                self.url + "/health", cookies={"rounds_route": candidate}, timeout=5
            )
            if response.headers.get(PROCESS_HEADER) == process_name:
                return candidate
        pytest.fail(f"no route cookie reaches {process_name}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class PrivateRedis:
    """A Redis server of this test's own on a free port, keeping nothing on disk."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("redis-server is missing: apt-get install -y redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _listening(self.port), timeout=10, message="private Redis")
        return self

    def stop(self) -> None:
        """Stop at once; everything it held is gone, as after a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own (initdb in a temporary folder, a free port)."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="rounds-pg-"))
        self.data = self.folder / "data"
        self.as_postgres = os.geteuid() == 0
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            pytest.fail("PostgreSQL server binaries are missing: apt-get install -y postgresql")
        self.bin = Path(bins[-1])

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    @property
    def dsn(self) -> str:
        return self.dsn_for("postgres")

    def dsn_for(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> "PrivatePostgres":
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        return self.start()

    def start(self) -> "PrivatePostgres":
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "-t", "30", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop at once (immediate mode): open connections die as in a crash."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def person_on(cluster: Cluster, email: str, process: str) -> HttpUser:
    """A person signed in through the cluster's nginx, whose every request (and socket) nginx
    sends to ``process``: the route cookie is in their cookie jar."""
    route = cluster.nginx.route_to(process)
    user = HttpUser(
        cluster.nginx.url, email, verify=cluster.nginx.verify, cookies={"rounds_route": route}
    )
    assert process_of(user) == process
    return user


def process_of(user: HttpUser) -> str:
    """Which app process answers this person's requests now."""
    return user.http.get(user.base_url + "/health", timeout=5).headers[PROCESS_HEADER]


def socket_of(user: HttpUser, **connect_options) -> SocketUser:
    """The person's socket, connected (``auth=...`` for a family page's)."""
    made = SocketUser(user, http_session=http_session(user.http.verify))
    made.connect(**connect_options)
    return made


CARD_RE = re.compile(r'(<article class="update[^>]*data-thread="(\d+)".*?</article>)', re.S)


class FamilyReader:
    """A parent's page, in Python: what static/js/family.js does with pushes and fetches.

    On every connect and every push it asks for the events after the last one it has, and
    records each event it applies. ``seen`` is therefore what the parent was shown, in
    order: a gap is a lost update, a repeat is one shown twice.
    """

    def __init__(self, user: HttpUser, patient_id: int):
        self.user = user
        self.patient_id = patient_id
        self.seen: list[int] = []
        self.cards: dict[int, str] = {}  # the update cards shown, by thread
        self.last_seq = 0
        self.said = self._page_said()
        self.ended = False
        self.failures = 0
        self.lock = threading.Lock()
        self.retry: threading.Timer | None = None
        # The socket's own HTTP session trusts what the person's does (a test certificate).
        self.client = socketio.Client(
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            http_session=http_session(user.http.verify),
        )
        self.client.on("connect", self.catch_up)
        self.client.on("family_event", self._pushed)
        self.client.on("access_ended", lambda data: setattr(self, "ended", True))

    def connect(self) -> "FamilyReader":
        self.client.connect(
            self.user.base_url,
            headers=lambda: {"Cookie": self.user.cookie_header()},
            wait_timeout=10,
        )
        return self

    def _page_said(self) -> dict:
        """What the page sends with every ask for events: its version and language."""
        html = self.user.http.get(
            f"{self.user.base_url}/family/children/{self.patient_id}", timeout=10
        ).text
        return {
            name: re.search(rf'{attribute}="([^"]*)"', html).group(1)
            for name, attribute in (("v", "data-version"), ("lang", "data-language"))
        }

    @property
    def html(self) -> str:
        """The cards the page shows."""
        return "".join(self.cards.values())

    def _apply(self, body: dict) -> None:
        if "html" in body:  # the whole feed
            self.cards = {int(t): card for card, t in CARD_RE.findall(body["html"])}
            return
        for thread in body["removed"]:
            self.cards.pop(thread, None)
        for card in body["cards"]:
            self.cards[card["thread"]] = card["html"]

    def _pushed(self, note: dict) -> None:
        if note["patient"] == self.patient_id and note["seq"] > self.last_seq:
            self.catch_up()

    def catch_up(self) -> None:
        with self.lock:
            try:
                response = self.user.http.get(
                    f"{self.user.base_url}/family/children/{self.patient_id}/events.json",
                    params={"after": self.last_seq, **self.said},
                    timeout=10,
                )
                response.raise_for_status()
            except requests.RequestException:
                # As the page does: ask again shortly rather than wait for the next push.
                self.failures += 1
                if self.retry is None or not self.retry.is_alive():
                    self.retry = threading.Timer(0.5, self.catch_up)
                    self.retry.daemon = True
                    self.retry.start()
                return
            body = response.json()
            fresh = [e["seq"] for e in body["events"] if e["seq"] > self.last_seq]
            self.seen.extend(fresh)
            if fresh:
                self.last_seq = body["last_seq"]
                self._apply(body)

    def process(self) -> str:
        """Which app process answers this reader's HTTP requests."""
        return self.user.http.get(self.user.base_url + "/health", timeout=5).headers[PROCESS_HEADER]

    def close(self) -> None:
        if self.retry:
            self.retry.cancel()
        if self.client.connected:
            self.client.disconnect()


def wait_for_seen(reader: FamilyReader, expected: list[int], timeout: float = 30.0) -> None:
    """Wait until the reader has shown exactly ``expected``; fail on a gap or a repeat."""

    def done():
        seen = list(reader.seen)
        assert len(seen) == len(set(seen)), f"an update was shown twice: {seen}"
        assert seen == expected[: len(seen)], f"out of order or unexpected: {seen}"
        return seen == expected

    wait_until(done, timeout=timeout, message=f"the family to be shown {expected}")
