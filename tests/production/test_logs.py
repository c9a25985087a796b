"""Logs keep nobody's secrets: one full scenario in production mode, then every log line.

Two gunicorn gevent processes (the production gunicorn.conf.py, access log on) behind nginx
with TLS (the sample deploy/nginx/rounds.conf and its log format), on PostgreSQL and Redis.
Staff sign in, admit a child, post an update and invite two relatives; one joins by the link,
the other by the short code; the family reads; access is removed; everyone signs out; someone
types a wrong password. Rounds run too: a relative answers "call me" at a number of theirs and
asks a question, the nurse starts rounds and marks the child done, an interpreter renders the
question and the team marks it answered. Then the application's, gunicorn's and nginx's logs
are read: they hold the requests (so the right files were read), and none of the names, texts,
addresses, phone numbers, questions, passphrases, tokens, codes or cookies the scenario used.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, urlsplit

import pytest
import requests
from sqlalchemy import select

from rounds import create_app
from rounds.extensions import db
from rounds.models import AccessGrant, User
from tests.support.factories import Factory, morning_zone
from tests.support.live import HttpUser, SocketUser, http_session, wait_until
from tests.support.production import start_cluster

# Fictional and distinctive: any of these in a log line is a leak, never a coincidence.
UNIT = "Pediatric ICU (log test)"
CHILD = "Zephyrine Quillfeather"
UPDATE = "Zephyrine breathed on her own for four hours; the Marrowleaf trial went smoothly."
PLAN = "Keep the Thistlewick mask on while she sleeps."
FIRST = ("Oriel Vantongeren", "oriel.vantongeren@example.org", "saffron kettle lighthouse")
SECOND = ("Tamsin Ashgrove-Pell", "tamsin.ashgrovepell@example.org", "copper meadow lantern")
SECOND_CONTACT = "+1 555 0147 2290"
CALL_ME_AT = "+1 555 0193 4471"
QUESTION = "¿Podrá Zephyrine probar el puré de Brindlecombe antes del viernes?"
RENDERING = "Can Zephyrine try the Brindlecombe purée before Friday?"
WRONG_PASSWORD = "glimmerstone wrong guess"  # noqa: S105 - fictional
CARD_LINK = re.compile(r'href="(https://[^"]+/join/([A-Za-z0-9_-]{20,}))"')
CARD_CODE = re.compile(r'invitation-card__code"[^>]*>([A-Z0-9-]+)<')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RENDER_LINK = re.compile(r'/staff/patients/\d+/questions/(\d+)/rendering"')


@dataclass
class Secrets:
    """Everything that must never reach a log, gathered as the scenario runs."""

    words: set[str] = field(default_factory=set)
    cookies: set[str] = field(default_factory=set)

    def add(self, *texts: str) -> None:
        for text in texts:
            if text:
                self.words.add(text)

    def watch_cookies(self, session) -> None:
        """Keep every session cookie this HTTP session is ever given."""

        def keep(jar) -> None:
            values = [c.value for c in jar if c.name == "rounds_session" and c.value]
            self.cookies.update(values)
            self.add(*values)

        keep(session.cookies)
        session.hooks["response"].append(lambda response, *args, **kwargs: keep(response.cookies))

    def forms(self) -> set[str]:
        """Each secret as typed, and as a form body or a URL would carry it."""
        made = set()
        for word in self.words:
            made |= {word, quote_plus(word), quote(word, safe=""), word.lower()}
        return made


@pytest.fixture
def make(databases):
    """Factories on a fresh migrated PostgreSQL database."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": databases.new("postgresql")})
    yield Factory(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def cluster(make, shared_redis, tmp_path):
    """app1 and app2 behind nginx, logging as a hospital would: access log on, level info."""
    made = start_cluster(
        make.app.config["SQLALCHEMY_DATABASE_URI"],
        shared_redis,
        tmp_path,
        with_nginx=True,
        settings={"ROUNDS_ACCESS_LOG": "1", "ROUNDS_LOG_LEVEL": "info"},
    )
    yield made
    made.stop()


def test_logs_of_a_full_scenario_hold_no_names_texts_or_secrets(make, cluster):
    base, verify = cluster.nginx.url, cluster.nginx.verify
    private = Secrets()
    private.add(CHILD, *CHILD.split(), UPDATE, PLAN, WRONG_PASSWORD, Factory.PASSWORD)
    private.add(*FIRST, *SECOND, SECOND_CONTACT, *FIRST[0].split(), *SECOND[0].split())
    private.add(CALL_ME_AT, CALL_ME_AT.replace(" ", ""), QUESTION, RENDERING, "Brindlecombe")
    unit = make.unit(UNIT, timezone=morning_zone())  # rounds run at any hour
    nurse_person = make.person("nurse", (unit,), name="Ana Okafor")
    clinician_person = make.person("clinician", (unit,), name="Sam Rivera")
    interpreter_person = make.person("interpreter", (unit,), name="Yusuf Haddad")

    # Staff: admit, post, invite twice (the cards show a link and a code once).
    nurse = HttpUser(base, nurse_person.email, verify=verify)
    clinician = HttpUser(base, clinician_person.email, verify=verify)
    for user in (nurse, clinician):
        private.watch_cookies(user.http)
    admitted = nurse.post_form("/staff/admit", {"display_name": CHILD, "bed": "7", "unit_id": unit})
    assert admitted.status_code == 302, admitted.text[:2000]
    child = int(admitted.headers["Location"].rsplit("/", 1)[1])
    posted = clinician.post_form(
        f"/staff/patients/{child}/updates",
        {"status": "serious", "summary": UPDATE, "plan": PLAN, "action": "post"},
    )
    assert posted.status_code == 302, posted.text[:2000]
    link, token, first_code = invite(nurse, child, FIRST[0], FIRST[1])
    _, second_token, code = invite(nurse, child, SECOND[0], SECOND_CONTACT)
    for secret in (token, second_token, first_code, code):
        private.add(secret, secret.replace("-", ""))

    # The first relative opens the link (typed with http:// first: nginx sends it on to
    # https://); the second types the code. Both make an account.
    plain = f"http://127.0.0.1:{cluster.nginx.http_port}{urlsplit(link).path}"
    moved = requests.get(plain, allow_redirects=False, timeout=10)
    assert moved.status_code == 301 and moved.headers["Location"] == link
    first = family_session(verify, private)
    opened = first.get(link, allow_redirects=False, timeout=10)
    assert opened.status_code == 302 and opened.headers["Location"] == "/join/"
    first_child_page = join(first, base, FIRST)
    second = family_session(verify, private)
    typed = submit(second, base + "/join/code", {"code": code})
    assert typed.status_code == 302 and typed.headers["Location"] == "/join/", typed.text[:2000]
    join(second, base, SECOND)

    # The family reads: the page, its live socket, the events it fetches.
    for session in (first, second):
        page = session.get(base + first_child_page, timeout=10)
        assert page.status_code == 200 and UPDATE in page.text
        events = session.get(f"{base}/family/children/{child}/events.json?after=0", timeout=10)
        assert events.status_code == 200 and UPDATE in events.json()["html"]
    reader = family_socket(base, first)
    try:
        wait_until(lambda: reader.client.connected, message="the family socket")
    finally:
        reader.close()

    # Rounds: the first relative (reading Spanish) would like a call and asks a question; the
    # nurse starts rounds and is done with the child; an interpreter renders the question and
    # the clinician marks it answered.
    interpreter = HttpUser(base, interpreter_person.email, verify=verify)
    private.watch_cookies(interpreter.http)
    rounds_and_a_question(base, child, unit, first_child_page, first, nurse, interpreter, clinician)

    # The nurse removes the second relative's access; their next fetch is refused.
    revoked = nurse.post_form(
        f"/staff/patients/{child}/family/{grant_of(make, SECOND[1])}/revoke", {}
    )
    assert revoked.status_code == 302, revoked.text[:2000]
    refused = second.get(f"{base}/family/children/{child}/events.json?after=0", timeout=10)
    assert refused.status_code == 404

    # Everyone signs out; then someone types the nurse's address with a wrong password.
    for session in (nurse.http, clinician.http, interpreter.http, first, second):
        signed_out = submit(session, base + "/signout", {}, page=base + "/signin")
        assert signed_out.status_code == 302, signed_out.text[:2000]
    stranger = family_session(verify, private)
    wrong = submit(
        stranger, base + "/signin", {"email": nurse_person.email, "password": WRONG_PASSWORD}
    )
    assert wrong.status_code == 200 and "not right" in wrong.text

    assert len(private.cookies) >= 5, "the session cookies were not all collected"
    cluster.stop()  # every process flushes and closes its logs
    logs = read_logs(cluster)
    leaks = {
        (name, secret)
        for name, text in logs.items()
        for secret in private.forms()
        if secret in text
    }
    assert leaks == set(), f"secrets in the logs: {sorted(leaks)}"
    check_logs_are_real(logs)


# --- The scenario's steps ---------------------------------------------------------------------


def invite(nurse: HttpUser, child: int, name: str, contact: str) -> tuple[str, str, str]:
    """Make an invitation on the family access page; returns (link, token, short code)."""
    card = nurse.post_form(
        f"/staff/patients/{child}/family/invitations",
        {
            "invitee_name": name,
            "invitee_relationship": "Grandparent",
            "invitee_language": "en",
            "invitee_contact": contact,
        },
    )
    assert card.status_code == 200, card.text[:2000]
    link = CARD_LINK.search(card.text)
    return link.group(1), link.group(2), CARD_CODE.search(card.text).group(1)


def family_session(verify: str, private: Secrets):
    """A phone's browser: its own cookies, nothing else."""
    session = http_session(verify)
    private.watch_cookies(session)
    return session


def submit(session, url: str, data: dict, page: str | None = None):
    """Fill in the form on ``page`` (default: ``url``) and send it, as a browser does: with
    the page's CSRF token and the page as Referer."""
    page = page or url
    shown = session.get(page, timeout=10)
    token = CSRF.search(shown.text)
    assert token, f"no form on {page} ({shown.status_code})"
    return session.post(
        url,
        data={**data, "csrf_token": token.group(1)},
        headers={"Referer": page},
        allow_redirects=False,
        timeout=10,
    )


def join(session, base: str, who: tuple[str, str, str]) -> str:
    """Make an account on the welcome page; returns where it leads (the child's page)."""
    name, email, passphrase = who
    joined = submit(
        session,
        base + "/join/",
        {
            "name": name,
            "email": email,
            "passphrase": passphrase,
            "passphrase_again": passphrase,
            "language": "en",
            "consent": "y",
        },
    )
    assert joined.status_code == 302, joined.text[:2000]
    assert joined.headers["Location"].startswith("/family/children/")
    return joined.headers["Location"]


def family_socket(base: str, session) -> SocketUser:
    """Connect the socket a family page opens, with the session's cookies."""
    holder = HttpUserLike(base, session)
    made = SocketUser(holder, http_session=http_session(session.verify))
    made.connect()
    return made


@dataclass
class HttpUserLike:
    """What SocketUser needs of a person: where, and their cookies."""

    base_url: str
    http: object

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)


def grant_of(make: Factory, email: str) -> int:
    """The id of the grant a family member holds."""
    with make.app.app_context():
        grant_id = db.session.scalar(
            select(AccessGrant.id)
            .join(User, User.id == AccessGrant.user_id)
            .where(User.email == email)
        )
        db.session.remove()
    return grant_id


def rounds_and_a_question(
    base: str,
    child: int,
    unit: int,
    child_page: str,
    family,
    nurse: HttpUser,
    interpreter: HttpUser,
    clinician: HttpUser,
) -> None:
    """A relative answers "call me" and asks a question; the nurse runs rounds; the question
    is rendered and answered. Each page that shows the number or the words is read once."""
    page = base + child_page
    spanish = submit(family, base + "/family/settings", {"language": "es"})
    assert spanish.status_code == 302, spanish.text[:2000]
    answered = submit(
        family,
        f"{base}/family/children/{child}/rounds",
        {"choice": "call", "phone": CALL_ME_AT},
        page=page,
    )
    assert answered.status_code == 302, answered.text[:2000]
    asked = submit(family, f"{base}/family/children/{child}/questions", {"text": QUESTION}, page)
    assert asked.status_code == 302, asked.text[:2000]
    assert QUESTION in family.get(f"{base}/family/children/{child}/questions", timeout=10).text

    queue = nurse.http.get(f"{base}/staff/units/{unit}/rounds", timeout=10)
    assert CALL_ME_AT in queue.text and "1 open question" in queue.text
    started = nurse.post_form(f"/staff/units/{unit}/rounds/start", {})
    assert started.status_code == 302, started.text[:2000]
    done = nurse.post_form(f"/staff/units/{unit}/rounds/done", {"version": 1, "patient": child})
    assert done.status_code == 302, done.text[:2000]
    queue = nurse.http.get(f"{base}/staff/units/{unit}/rounds/queue", timeout=10)
    assert "queue-state--done" in queue.text, queue.text[:2000]

    waiting = interpreter.http.get(f"{base}/staff/translations", timeout=10)
    assert QUESTION in waiting.text, waiting.text[:2000]
    question = int(RENDER_LINK.search(waiting.text).group(1))
    rendering = f"/staff/patients/{child}/questions/{question}/rendering"
    assert QUESTION in interpreter.http.get(base + rendering, timeout=10).text
    rendered = interpreter.post_form(rendering, {"rendering": RENDERING})
    assert rendered.status_code == 302, rendered.text[:2000]
    staff_page = clinician.http.get(f"{base}/staff/patients/{child}", timeout=10)
    assert RENDERING in staff_page.text, staff_page.text[:2000]
    marked = clinician.post_form(
        f"/staff/patients/{child}/questions/{question}/answer", {"how": "bedside"}
    )
    assert marked.status_code == 302, marked.text[:2000]
    mine = family.get(f"{base}/family/children/{child}/questions", timeout=10)
    assert "question--answered" in mine.text, mine.text[:2000]


# --- Reading the logs -------------------------------------------------------------------------


def read_logs(cluster) -> dict[str, str]:
    """Every log the cluster wrote: each process's output (gunicorn's error and access logs
    and the app's own), and nginx's access, error and standard error logs."""
    nginx_logs = cluster.nginx.prefix / "logs"
    paths = {p.name: p.log_path for p in cluster.processes} | {
        "nginx access": nginx_logs / "access.log",
        "nginx error": nginx_logs / "error.log",
        "nginx stderr": nginx_logs / "stderr.log",
    }
    found = {
        name: path.read_text(errors="replace") for name, path in paths.items() if path.exists()
    }
    others = set(nginx_logs.iterdir()) - set(paths.values())
    assert not others, f"logs nobody reads here: {others}"
    return found


def check_logs_are_real(logs: dict[str, str]) -> None:
    """The files read are the ones the requests went to: a test reading empty or wrong files
    would pass without proving anything."""
    assert set(logs) >= {"app1", "app2", "nginx access"}, sorted(logs)
    apps = logs["app1"] + logs["app2"]
    access = logs["nginx access"]
    for process in ("app1", "app2"):
        assert "Booting worker" in logs[process], f"{process}: gunicorn's own lines are missing"
    # gunicorn's access log: request lines, the invitation link among them without its token.
    assert re.search(r'"POST /signin HTTP/1\.[01]" 302 ', apps), "no sign-in in gunicorn's log"
    assert re.search(r'"POST /signin HTTP/1\.[01]" 200 ', apps), "no failed sign-in logged"
    assert '"GET /join/[invitation] HTTP/1.1" 302' in apps
    assert "POST /join/code" in apps and "events.json?after=0" in apps
    assert "/socket.io/" in apps
    for done in ("/rounds/start", "/rounds/done", "/questions HTTP", "/rendering", "/answer"):
        assert done in apps and done in access, f"no {done} request logged"
    # nginx's access log, in the sample's format.
    line = re.compile(
        r'^\d+\.\d+\.\d+\.\d+ \[\d{4}-\d\d-\d\dT[\d:+-]+\] "[A-Z]+ \S+ HTTP/[\d.]+" \d{3} \d+ '
        r'[\d.]+ "[^"]*"$'
    )
    lines = access.splitlines()
    assert len(lines) > 20 and all(line.match(entry) for entry in lines), lines[:5]
    assert re.search(r'"POST /signin HTTP/1\.1" 302 ', access)
    assert re.search(r'"POST /signin HTTP/1\.1" 200 ', access)
    assert '"GET /join/[invitation] HTTP/1.1" 302' in access
    assert '"GET /join/[invitation] HTTP/1.1" 301' in access  # the http:// redirect
    assert "/family/children/" in access and "/socket.io/" in access
