"""Processes for bench/load.py: a private Redis, a scratch database, app and baseline servers,
and the Node swarm. Every process here is started by the bench and stopped by it, by pid.
"""

import contextlib
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "bench" / "node"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q"]
PG_ADMIN = [*PSQL, "-d", "postgres", "-c"]


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str):
    """Poll ``check`` until it returns something truthy; raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def healthy(url: str) -> bool:
    """Whether GET /health answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def rss_kb(pid: int) -> int:
    """Resident memory of one process, in KB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def server_settings(database_url: str, redis_url: str, origins: list[str]) -> dict:
    """What every app server of one bench run is given in its environment (and what
    ``load_data.bench_app`` reads to build the same app): one secret key, the scratch
    database, the private Redis, and the origins its pages are served from."""
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SOCKETIO_ALLOWED_ORIGINS": ",".join(origins),
    }


def stop_process(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 15.0) -> None:
    """Signal one process we started, wait, and kill it if it lingers."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


CLOCK_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * CLOCK_TICK_MS


def machine_busy_ms() -> float:
    """CPU time all cores have spent busy since boot, in ms (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) * CLOCK_TICK_MS


def bench_pids(database_name: str) -> list[int]:
    """This bench's processes: its descendants, and PostgreSQL backends of its database."""
    parents, backends = {}, []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        if cmdline.startswith(b"postgres: ") and database_name.encode() in cmdline:
            backends.append(int(entry.name))
    ours, grew = {os.getpid()}, True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in ours} - ours
        ours |= more
        grew = bool(more)
    return [*ours, *backends]


class CpuMeter:
    """CPU used during a phase: by the servers, by this bench, and by anything else."""

    def __init__(self, server_pids: list[int], database_name: str):
        self.server_pids = server_pids
        self.database_name = database_name

    def _sample(self):
        pids = bench_pids(self.database_name)
        ours = 0.0
        for pid in pids:
            with contextlib.suppress(OSError):
                ours += cpu_ms(pid)
        servers = sum(cpu_ms(pid) for pid in self.server_pids)
        return time.monotonic(), machine_busy_ms(), ours, servers

    def start(self) -> None:
        """Take the first sample."""
        self.first = self._sample()

    def stop(self) -> dict:
        """CPU shares over the phase, as % of the whole machine (all cores)."""
        wall, busy, ours, servers = self._sample()
        wall0, busy0, ours0, servers0 = self.first
        # A bench process that ends within the phase takes its CPU with it (counted as other's);
        # none does during a measured phase.
        capacity = (wall - wall0) * 1000 * (os.cpu_count() or 1)
        ours_ms = ours - ours0
        others = max(0.0, (busy - busy0) - ours_ms)
        return {
            "servers_ms": servers - servers0,
            "bench_pct": 100 * ours_ms / capacity,
            "others_pct": 100 * others / capacity,
        }


class PrivateRedis:
    """A redis-server of our own on a free port: no other test or server hears our Socket.IO
    traffic (pub/sub channels are shared by every database number of one server)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(workdir)]
        self.log = open(workdir / "redis.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.ping, 10, "redis-server")

    def ping(self) -> bool:
        """Whether the server answers."""
        try:
            return self.client().ping()
        except OSError:
            return False
        except Exception:  # redis.ConnectionError is not an OSError
            return False

    def client(self):
        """A redis-py client."""
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def flush(self) -> None:
        """Empty our own server before a run."""
        self.client().flushall()

    def stop(self) -> None:
        """Stop the server we started."""
        stop_process(self.proc)
        self.log.close()


class ScratchDatabase:
    """A fresh PostgreSQL database on the shared server, dropped at the end."""

    def __init__(self, name: str | None = None):
        # On a server shared with other sessions, each bench names its own: bench/census_cost.py
        # a random census_bench_<hex>, the others their pid.
        self.name = name or f"rounds_bench_{os.getpid()}"
        self.url = f"postgresql+psycopg://postgres:postgres@127.0.0.1:5432/{self.name}"
        subprocess.run([*PG_ADMIN, f"DROP DATABASE IF EXISTS {self.name}"], check=True)
        subprocess.run([*PG_ADMIN, f"CREATE DATABASE {self.name}"], check=True)

    def settle(self) -> None:
        """After the bulk load of the data: vacuum, analyze and checkpoint now, so that
        autovacuum and the checkpoint it would cause do not stall commits in a measured phase
        (a full run's unit load, right after 2,000 accounts were made, often had a p99 two to
        three times that of a --unit-only run, which makes 200)."""
        for command in ("VACUUM ANALYZE", "CHECKPOINT"):
            subprocess.run([*PSQL, "-d", self.name, "-c", command], check=True)

    def drop(self) -> None:
        """Drop it (forcing out any connection left behind)."""
        drop = f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"
        subprocess.run([*PG_ADMIN, drop], check=False)


@dataclass
class Server:
    """One server process: a gunicorn master (app), ``python app.py`` (embedded, the
    embedded default) or a node process (baseline)."""

    kind: str  # "app", "embedded" or "node"
    name: str
    port: int
    env: dict
    log_path: Path
    proc: subprocess.Popen | None = None
    started: list = field(default_factory=list)
    # The checkout the app runs from (its code, templates, gunicorn settings); the programs
    # come from this repository's .venv.
    root: Path = ROOT

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.kind == "app":
            gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
            return [gunicorn, "-c", "deploy/gunicorn.conf.py", "rounds.wsgi:app"]
        if self.kind == "embedded":
            return [str(ROOT / ".venv" / "bin" / "python"), "app.py"]
        script = str(NODE_DIR / "baseline-server.js")
        redis_url = self.env["REDIS_URL"]
        return ["node", script, "--port", str(self.port), "--redis", redis_url, "--name", self.name]

    def start(self, wait: bool = True) -> None:
        """Start the process (appending to its log); by default wait until /health answers."""
        log = open(self.log_path, "a")  # noqa: SIM115 - the child keeps it; closed below
        self.proc = subprocess.Popen(
            self.command(), cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout: float = 30) -> None:
        """Wait for /health."""
        wait_for(lambda: healthy(self.url) or self._died(), timeout, f"{self.name} /health")
        self._died(check=True)

    def _died(self, check: bool = False) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log_path}")
        return False

    def signal_stop(self) -> None:
        """Ask it to stop now: SIGQUIT is gunicorn's quick shutdown, SIGTERM ends node."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT if self.kind == "app" else signal.SIGTERM)

    def stop(self) -> None:
        """Stop it and wait."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGQUIT if self.kind == "app" else signal.SIGTERM)

    def socket_pid(self) -> int:
        """The process that holds the sockets: gunicorn's worker (the master's only child), or
        the one process of the embedded default or node."""
        if self.kind != "app":
            return self.proc.pid
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        children = wait_for(lambda: path.read_text().split(), 10, f"{self.name} worker")
        return int(children[0])

    def rss_kb(self) -> int:
        """Resident memory of the socket-holding process."""
        return rss_kb(self.socket_pid())


def embedded_server(database_url: str, log_path: Path, app_dir: Path = ROOT) -> Server:
    """The embedded default (``python app.py``: one process, threading) of the checkout
    ``app_dir`` on ``database_url``, on a free port; not started yet."""
    port = free_port()
    env = {
        **os.environ,
        "ROUNDS_CONFIG": "development",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "SECRET_KEY": secrets.token_hex(32),
        "SOCKETIO_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "ROUNDS_INSTANCE_DIR": str(log_path.parent),
        "PYTHONPATH": str(app_dir),
        "PYTHONUNBUFFERED": "1",
    }
    return Server("embedded", "embedded", port, env, log_path, root=app_dir)


# The one browser every request of the swarm says it is; the minted cookies are made for it.
SWARM_USER_AGENT = "Mozilla/5.0 (Linux; Android 10) RoundsBenchSwarm/1"


class Swarm:
    """The Node client swarm (bench/node/swarm.js), one JSON line per command and answer."""

    def __init__(self, log_path: Path):
        self.stderr = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["node", str(NODE_DIR / "swarm.js")],
            env={**os.environ, "SWARM_USER_AGENT": SWARM_USER_AGENT},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            bufsize=1,
        )
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.answers.put(json.loads(line))
        self.answers.put({"type": "gone"})

    def send(self, command: dict) -> None:
        """Send a command without waiting."""
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def answer(self, timeout: float) -> dict:
        """The next answer; raise on an error or after ``timeout`` seconds."""
        try:
            message = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"swarm gave no answer in {timeout}s") from None
        if message["type"] in ("error", "gone"):
            raise RuntimeError(f"swarm: {message}")
        return message

    def ask(self, command: dict, timeout: float = 300) -> dict:
        """Send a command and wait for its answer."""
        self.send(command)
        return self.answer(timeout)

    def stop(self) -> None:
        """Ask it to exit, then make sure it has."""
        with contextlib.suppress(RuntimeError, OSError):
            self.ask({"cmd": "exit"}, timeout=10)
        stop_process(self.proc)
        self.stderr.close()
