"""Live servers and real clients: a real process, a real socket, a real browser.

Used where Flask-SocketIO's test client cannot show the truth: reconnects, Origin checks,
what a phone's browser does.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import socketio

from rounds import create_app
from rounds.extensions import db
from tests.support.client import csrf_from
from tests.support.factories import Factory

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float = 10.0, interval: float = 0.05, message: str = ""):
    """Poll ``check`` until it returns something truthy; fail after a generous deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message or check}")


@dataclass
class LiveServer:
    """A Rounds process serving the embedded default on a free port."""

    url: str
    database_url: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def stop(self) -> None:
        """Stop the process (and anything it started)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self) -> str:
        """Everything the server printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_server(
    database_url: str, workdir: Path, port: int | None = None, secret_key: str | None = None
) -> LiveServer:
    """Start ``python app.py`` on ``database_url`` and wait until it answers."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ROUNDS_CONFIG": "development",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "SECRET_KEY": secret_key or secrets.token_hex(32),
        "SOCKETIO_ALLOWED_ORIGINS": url,
        "ROUNDS_INSTANCE_DIR": str(workdir),
        "ROUNDS_ACCESS_LOG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = workdir / f"server-{port}.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(url, database_url, process, log_path, env)
    wait_until_answering(server)
    return server


def wait_until_answering(server: "LiveServer") -> None:
    """Wait for a started server's /health; fail with its log if it exits first."""

    def answering():
        if server.process.poll() is not None:
            pytest.fail(f"server exited early:\n{server.log()}")
        try:
            return requests.get(server.url + "/health", timeout=1).ok
        except requests.ConnectionError:
            return False

    wait_until(answering, timeout=30, message=f"{server.url} to answer /health")


def restart_server(server: LiveServer, workdir: Path) -> LiveServer:
    """Stop the server and start a new process on the same port, database and key."""
    server.stop()
    port = int(server.url.rsplit(":", 1)[1])
    return start_server(
        server.database_url, workdir, port=port, secret_key=server.env["SECRET_KEY"]
    )


@pytest.fixture
def live_db(databases):
    """A fresh SQLite database for a live server (the embedded default)."""
    return databases.new("sqlite")


@pytest.fixture
def live_app(live_db):
    """An app object on the live server's database, for factories."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": live_db})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_make(live_app):
    """Factories writing into the live server's database."""
    return Factory(live_app)


@pytest.fixture
def live_server(live_db, tmp_path):
    """A real Rounds process on a free port."""
    server = start_server(live_db, tmp_path)
    yield server
    server.stop()


def http_session(verify: bool | str = True) -> requests.Session:
    """A requests session that trusts ``verify`` (say, a test's own certificate).

    REQUESTS_CA_BUNDLE in the environment would otherwise override a session's ``verify``.
    """
    session = requests.Session()
    session.verify = verify
    if verify is not True:
        session.trust_env = False
    return session


class HttpUser:
    """A signed-in person talking HTTP to a live server, with their session cookie."""

    def __init__(
        self,
        base_url: str,
        email: str,
        password: str = Factory.PASSWORD,
        verify: bool | str = True,
        cookies: dict | None = None,
    ):
        self.base_url = base_url
        self.http = http_session(verify)
        # As a browser on our own pages sends it; over HTTPS the CSRF check requires it.
        self.http.headers["Referer"] = base_url + "/"
        for name, value in (cookies or {}).items():
            self.http.cookies.set(name, value)
        page = self.http.get(base_url + "/signin", timeout=10)
        response = self.http.post(
            base_url + "/signin",
            data={"email": email, "password": password, "csrf_token": self.csrf(page.text)},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, f"sign-in failed for {email}"

    @staticmethod
    def csrf(html: str) -> str:
        """The CSRF token in a page."""
        return csrf_from(html)

    def post_form(self, path: str, data: dict) -> requests.Response:
        """POST a form with this session's CSRF token."""
        token = self.csrf(self.http.get(self.base_url + "/signin", timeout=10).text)
        return self.http.post(
            self.base_url + path,
            data={**data, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )

    def post_update(self, patient_id: int, summary: str, status: str = "serious"):
        """Post an update through the composer, as a clinician would."""
        response = self.post_form(
            f"/staff/patients/{patient_id}/updates",
            {"status": status, "summary": summary, "action": "post"},
        )
        assert response.status_code == 302, response.text[:2000]
        return response

    def start_rounds(self, unit_id: int) -> requests.Response:
        """Press "Start rounds" on the unit's queue screen."""
        response = self.post_form(f"/staff/units/{unit_id}/rounds/start", {})
        assert response.status_code == 302, response.text[:2000]
        return response

    def change_rounds(self, unit_id: int, change: str, version: int, **fields) -> int:
        """One change to the running queue from a screen that showed ``version`` (patient=,
        position=, link=); the version the queue is at if it went through."""
        response = self.post_form(
            f"/staff/units/{unit_id}/rounds/{change}", {"version": version, **fields}
        )
        assert response.status_code == 302, response.text[:2000]
        return version + 1

    def cookie_header(self) -> str:
        """The session cookie, for a socket client."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def events_after(self, patient_id: int, after: int) -> dict:
        """The family events endpoint."""
        return self.http.get(
            f"{self.base_url}/family/children/{patient_id}/events.json",
            params={"after": after},
            timeout=10,
        ).json()


def family_page(patient_id: int, after: int = 0, language: str = "en") -> dict:
    """The ``auth`` a family page connects with: the child it shows and the last event it has
    (static/js/family.js), so the server catches the socket up at once."""
    return {"patient": patient_id, "after": after, "lang": language}


class SocketUser:
    """A real python-socketio client connected as a signed-in person; records what arrives."""

    # Every server-to-client event of Rounds, in the order it arrives on this socket.
    RECORDED = (
        "family_event",
        "access_ended",
        "catch_up",
        "rounds",
        "rounds_personal",
        "questions_changed",
        "rounds_changed",
    )

    def __init__(self, user: HttpUser, origin: str | None = None, **client_options):
        self.user = user
        self.received: list[tuple[str, dict]] = []
        self.client = socketio.Client(
            reconnection_delay=0.2, reconnection_delay_max=1, **client_options
        )
        for name in self.RECORDED:
            self.client.on(name, lambda data, name=name: self.received.append((name, data)))
        self.origin = origin

    def connect(self, **options) -> None:
        """Connect with the person's cookie (and an Origin header, if one was given).

        The websocket transport sends the page's own Origin by itself; adding it twice
        would make the header a list that no server accepts.
        """

        def headers():
            # Built afresh for every (re)connect: engine.io consumes the Cookie entry of the
            # dict it is given, so a plain dict would reconnect without the session.
            made = {"Cookie": self.user.cookie_header()}
            if self.origin:
                made["Origin"] = self.origin
            return made

        self.client.connect(self.user.base_url, headers=headers, wait_timeout=10, **options)

    def events(self, patient_id: int) -> list[int]:
        """Sequence numbers received for a child."""
        return [
            d["seq"]
            for name, d in self.received
            if name == "family_event" and d["patient"] == patient_id
        ]

    def payloads(self, event: str) -> list[dict]:
        """What arrived as ``event``, in order."""
        return [data for name, data in list(self.received) if name == event]

    def rounds(self) -> list[tuple[int, str]]:
        """The (version, state) of every "rounds" event, in the order they arrived."""
        return [(d["version"], d["state"]) for d in self.payloads("rounds")]

    def wait_for_rounds(self, expected: list[tuple[int, str]], timeout: float = 20.0) -> None:
        """Wait until the "rounds" events received are exactly ``expected`` (version, state);
        fail at once on one out of order or unexpected."""

        def arrived():
            got = self.rounds()
            assert got == expected[: len(got)], f"rounds out of order or unexpected: {got}"
            return got == expected

        wait_until(arrived, timeout=timeout, message=f"rounds {expected}")

    def after_last(self, event: str) -> list[tuple[str, dict]]:
        """What arrived after the newest ``event`` (say, since the last catch-up)."""
        received = list(self.received)
        last = max((i for i, (name, _) in enumerate(received) if name == event), default=None)
        return [] if last is None else received[last + 1 :]

    def close(self) -> None:
        """Disconnect if connected."""
        if self.client.connected:
            self.client.disconnect()
