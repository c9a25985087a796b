"""Production mode for real: gunicorn gevent processes sharing PostgreSQL and Redis, behind
nginx with TLS. Faults are real too: killed processes, restarted Redis and PostgreSQL.

Every process is reached through nginx, with a route cookie pinned to the process a test
wants (nginx hashes on it), so Secure cookies flow as they do in a hospital.
"""

import contextlib
import html
import json
import os
import re
import subprocess
import sys
import threading

import psycopg
import pytest
import redis
import requests
import socketio
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import func, select

from rounds import create_app
from rounds.extensions import db
from rounds.models import AuditEvent, FamilyEvent, Patient, Update
from tests.support.browser import screenshot
from tests.support.factories import Factory
from tests.support.live import ROOT, HttpUser, SocketUser, http_session, wait_until
from tests.support.production import (
    FamilyReader,
    PrivatePostgres,
    PrivateRedis,
    person_on,
    socket_of,
    start_cluster,
    wait_for_seen,
)


@pytest.fixture
def pg_url(databases):
    """A fresh migrated database on the shared PostgreSQL."""
    return databases.new("postgresql")


def factory_for(url: str) -> Factory:
    return Factory(create_app("test", {"SQLALCHEMY_DATABASE_URI": url}))


def dispose(make: Factory) -> None:
    with make.app.app_context():
        db.session.remove()
        db.engine.dispose()


class Scene:
    """One unit: a clinician, a nurse, child 1 with parent 1, child 2 with parent 2."""

    def __init__(self, make: Factory):
        unit = make.unit("Pediatric ICU (test)")
        self.make = make
        self.clinician = make.person("clinician", (unit,), name="Sam Rivera")
        self.nurse = make.person("nurse", (unit,), name="Ana Okafor")
        self.child1 = make.patient(unit, "Noah Chen", "1")
        self.child2 = make.patient(unit, "Leo Lopez", "2")
        self.parent1 = make.person(name="James Chen")
        self.parent2 = make.person(name="Maria Lopez")
        self.grant1 = make.grant(self.parent1, self.child1)
        self.grant2 = make.grant(self.parent2, self.child2)


@pytest.fixture
def scene(pg_url):
    make = factory_for(pg_url)
    yield Scene(make)
    dispose(make)


@pytest.fixture
def cluster(pg_url, shared_redis, tmp_path, scene):
    """app1 and app2 on the shared PostgreSQL and Redis, behind nginx."""
    made = start_cluster(pg_url, shared_redis, tmp_path, with_nginx=True)
    yield made
    made.stop()
    print(made.logs())  # shown by pytest only when the test failed


# --- Settings ------------------------------------------------------------------------------


GOOD_SETTINGS = {
    "ROUNDS_CONFIG": "production",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql://rounds@127.0.0.1:5432/rounds",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SOCKETIO_ALLOWED_ORIGINS": "https://rounds.example.org",
}


# What a production process ends up running with, printed by the entry point's own app.
SHOW_SETTINGS = """
import json, rounds.wsgi
c = rounds.wsgi.app.config
print(json.dumps({key: str(c[key]) for key in (
    "SOCKETIO_ASYNC_MODE", "SESSION_COOKIE_SECURE", "SQLALCHEMY_DATABASE_URI",
    "RATELIMIT_STORAGE_URI", "SOCKETIO_ALLOWED_ORIGINS", "PROXY_COUNT")}))
"""


def load_production_app(**changes) -> subprocess.CompletedProcess:
    """Import the gunicorn entry point with GOOD_SETTINGS changed (None drops a setting)."""
    env = {**os.environ, **GOOD_SETTINGS, **changes}
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_loads_with_its_settings():
    result = load_production_app()
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout.strip().splitlines()[-1])
    assert settings == {
        "SOCKETIO_ASYNC_MODE": "gevent",
        "SESSION_COOKIE_SECURE": "True",
        # postgresql:// as hosting panels write it, made psycopg 3's
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://rounds@127.0.0.1:5432/rounds",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",  # limits shared by all processes
        "SOCKETIO_ALLOWED_ORIGINS": "['https://rounds.example.org']",
        "PROXY_COUNT": "1",
    }


@pytest.mark.parametrize(
    "drop", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SOCKETIO_ALLOWED_ORIGINS"]
)
def test_production_refuses_to_start_without_its_settings(drop):
    result = load_production_app(**{drop: None})
    assert result.returncode != 0
    assert "needs these environment variables" in result.stderr
    assert drop in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("SECRET_KEY", "short", "at least 32 characters"),
        ("DATABASE_URL", "sqlite:///rounds.db", "must be a PostgreSQL URL"),
    ],
)
def test_production_refuses_weak_or_wrong_settings(setting, value, words):
    result = load_production_app(**{setting: value})
    assert result.returncode != 0
    assert words in result.stderr


# --- Two processes --------------------------------------------------------------------------


def test_post_through_one_process_reaches_a_family_on_the_other_only(cluster, scene, shared_redis):
    clinician = person_on(cluster, scene.clinician.email, "app2")
    parent1 = socket_of(person_on(cluster, scene.parent1.email, "app1"))
    other_on_1 = socket_of(person_on(cluster, scene.parent2.email, "app1"))
    other_on_2 = socket_of(person_on(cluster, scene.parent2.email, "app2"))
    try:
        clinician.post_update(scene.child1, "Slept well; for child one's family.")
        wait_until(lambda: parent1.events(scene.child1) == [1], message="the cross-process push")
        # A marker for child 2 travels the same queue after the first post: once both of
        # parent 2's sockets have it, anything about child 1 would have arrived before.
        clinician.post_update(scene.child2, "Marker for child two.")
        for other in (other_on_1, other_on_2):
            wait_until(lambda o=other: o.events(scene.child2) == [1], message="the marker")
            assert other.events(scene.child1) == []
        assert parent1.events(scene.child2) == []
        body = parent1.user.events_after(scene.child1, 0)
        assert "for child one&#39;s family" in body["html"]
        # The registry knows parent 2's two sockets across processes, and forgets closed ones.
        registry = redis.Redis.from_url(shared_redis, decode_responses=True)
        key = f"{cluster.env['SOCKETIO_CHANNEL']}:sockets:user:{scene.parent2.id}"
        assert registry.smembers(key) == {other_on_1.client.get_sid(), other_on_2.client.get_sid()}
        other_on_1.close()
        wait_until(
            lambda: registry.smembers(key) == {other_on_2.client.get_sid()}, message="cleanup"
        )
    finally:
        for client in (parent1, other_on_1, other_on_2):
            client.close()


def test_a_revoke_on_one_process_cuts_off_the_parent_on_every_process(cluster, scene):
    make = scene.make
    also = make.patient(make.get_unit_of(scene.child1), "Mia Chen", "3")
    make.grant(scene.parent1, also)  # parent 1 also follows a sibling, which must go on
    nurse = person_on(cluster, scene.nurse.email, "app2")
    clinician = person_on(cluster, scene.clinician.email, "app2")
    phone = socket_of(person_on(cluster, scene.parent1.email, "app1"))
    laptop = socket_of(person_on(cluster, scene.parent1.email, "app2"))
    try:
        response = nurse.post_form(
            f"/staff/patients/{scene.child1}/family/{scene.grant1}/revoke", {}
        )
        assert response.status_code == 302, response.text[:1000]
        for device in (phone, laptop):
            wait_until(
                lambda d=device: ("access_ended", {"patient": scene.child1}) in d.received,
                message="access_ended on every device",
            )
        clinician.post_update(scene.child1, "Must not reach the revoked parent.")
        clinician.post_update(also, "The sibling's update still arrives.")
        for device in (phone, laptop):
            wait_until(lambda d=device: d.events(also) == [1], message="the sibling's update")
            assert device.events(scene.child1) == []
            assert device.client.connected
        assert (
            phone.user.http.get(
                f"{cluster.nginx.url}/family/children/{scene.child1}/events.json", timeout=5
            ).status_code
            == 404
        )
    finally:
        phone.close()
        laptop.close()


def test_sign_out_everywhere_on_one_process_closes_the_parents_sockets_on_every_process(
    cluster, scene
):
    """A lost phone: the nurse signs the parent out everywhere through app2; the parent's
    sockets on app1 and app2 are closed by the servers and their cookies sign nobody in."""
    nurse = person_on(cluster, scene.nurse.email, "app2")
    phone = socket_of(person_on(cluster, scene.parent1.email, "app1"))
    laptop = socket_of(person_on(cluster, scene.parent1.email, "app2"))
    bystander = socket_of(person_on(cluster, scene.parent2.email, "app1"))
    try:
        response = nurse.post_form(
            f"/staff/patients/{scene.child1}/family/{scene.grant1}/sign-out", {}
        )
        assert response.status_code == 302, response.text[:1000]
        for device in (phone, laptop):
            wait_until(lambda d=device: not d.client.connected, message="closed on every process")
            page = device.user.http.get(
                f"{cluster.nginx.url}/family/children/{scene.child1}",
                allow_redirects=False,
                timeout=5,
            )
            assert page.status_code == 302 and "/signin" in page.headers["Location"]
        assert bystander.client.connected
    finally:
        for device in (phone, laptop, bystander):
            device.close()


def test_secure_cookies_and_headers_through_the_proxy(cluster, scene):
    parent = person_on(cluster, scene.parent1.email, "app1")
    session_cookie = next(c for c in parent.http.cookies if c.name == "rounds_session")
    assert session_cookie.secure
    assert session_cookie.has_nonstandard_attr("HttpOnly")
    route_cookie_response = http_session(cluster.nginx.verify).get(
        cluster.nginx.url + "/signin", timeout=5
    )
    route_cookie = next(
        c for c in route_cookie_response.raw.headers.getlist("Set-Cookie") if "rounds_route=" in c
    )
    assert "Secure" in route_cookie and "HttpOnly" in route_cookie
    assert route_cookie_response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = requests.get(
        f"http://127.0.0.1:{cluster.nginx.http_port}/signin", timeout=5, allow_redirects=False
    )
    assert plain.status_code == 301
    assert plain.headers["Location"] == cluster.nginx.url + "/signin"


def test_a_socket_from_a_foreign_origin_is_refused_through_the_proxy(cluster, scene):
    parent = person_on(cluster, scene.parent1.email, "app1")
    evil = SocketUser(
        parent, origin="https://evil.example", http_session=http_session(parent.http.verify)
    )
    with pytest.raises(socketio.exceptions.ConnectionError):
        evil.connect(transports=["polling"])


# --- Faults ---------------------------------------------------------------------------------


def reading_family(cluster, scene, first: str) -> tuple[HttpUser, FamilyReader]:
    """The clinician on app2 and parent 1's page on app1, which has shown a first update."""
    clinician = person_on(cluster, scene.clinician.email, "app2")
    reader = FamilyReader(person_on(cluster, scene.parent1.email, "app1"), scene.child1)
    reader.connect()
    try:
        clinician.post_update(scene.child1, first)
        wait_for_seen(reader, [1])
    except BaseException:
        reader.close()
        raise
    return clinician, reader


def test_family_on_a_killed_process_reconnects_to_the_other_and_catches_up(cluster, scene):
    clinician, reader = reading_family(cluster, scene, "Before the crash.")
    try:
        cluster["app1"].kill()
        for n in range(2, 6):
            clinician.post_update(scene.child1, f"While app1 is gone, number {n}.")
        wait_for_seen(reader, [1, 2, 3, 4, 5])
        assert reader.process() == "app2"
        assert "number 5" in reader.html
        clinician.post_update(scene.child1, "After the move.")
        wait_for_seen(reader, [1, 2, 3, 4, 5, 6])
    finally:
        reader.close()


def test_a_phone_offline_for_60_posts_catches_up_once_in_order(cluster, scene):
    clinician, reader = reading_family(cluster, scene, "Before the phone went offline.")
    try:
        reader.client.disconnect()
        for n in range(2, 62):
            clinician.post_update(scene.child1, f"Offline update {n}.")
        assert reader.seen == [1]
        reader.connect()
        wait_for_seen(reader, list(range(1, 62)))
        assert "Offline update 61." in reader.html
    finally:
        reader.close()


def test_a_redis_restart_loses_no_update(pg_url, scene, tmp_path):
    with contextlib.ExitStack() as cleanup:
        private = PrivateRedis(tmp_path).start()
        cleanup.callback(private.stop)
        made = start_cluster(pg_url, private.url, tmp_path, with_nginx=True)
        cleanup.callback(made.stop)
        clinician = person_on(made, scene.clinician.email, "app2")
        nurse = person_on(made, scene.nurse.email, "app2")
        reader = FamilyReader(person_on(made, scene.parent1.email, "app1"), scene.child1)
        cleanup.callback(reader.close)
        reader.connect()
        parent2 = socket_of(person_on(made, scene.parent2.email, "app1"))
        cleanup.callback(parent2.close)
        clinician.post_update(scene.child1, "Before Redis went away.")
        wait_for_seen(reader, [1])

        private.stop()
        # Saved while Redis is down: the post succeeds; only the push cannot travel.
        clinician.post_update(scene.child1, "Posted while Redis was down.")
        # A revoke on app2 cannot reach parent 2's socket on app1 while Redis is away.
        revoked = nurse.post_form(
            f"/staff/patients/{scene.child2}/family/{scene.grant2}/revoke", {}
        )
        assert revoked.status_code == 302
        private.start()

        # No further post: app1 is back on the queue, registers its sockets again and
        # tells them the newest event number, so the page fetches the missed update.
        wait_for_seen(reader, [1, 2], timeout=60)
        assert "Posted while Redis was down." in reader.html
        # Back on the queue, app1 re-checked parent 2's grants and cut them off.
        wait_until(
            lambda: ("access_ended", {"patient": scene.child2}) in parent2.received,
            timeout=60,
            message="the revoke made during the outage to take effect",
        )
        clinician.post_update(scene.child1, "After Redis came back.")
        clinician.post_update(scene.child2, "Must not reach parent 2 any more.")
        wait_for_seen(reader, [1, 2, 3])
        assert parent2.events(scene.child2) == []
        # Redis lost its registry; app1 wrote its sockets back, so a cut-off still works.
        key = f"{made.env['SOCKETIO_CHANNEL']}:sockets:user:{scene.parent1.id}"
        registered = redis.Redis.from_url(private.url, decode_responses=True).smembers(key)
        assert registered == {reader.client.get_sid()}


def database_outage_scene(cleanup: contextlib.ExitStack, tmp_path, redis_url: str):
    """A private PostgreSQL with a migrated database, a scene in it, and a cluster on it."""
    server = PrivatePostgres().create()
    cleanup.callback(server.destroy)
    url = server.create_database("rounds")
    make = factory_for(url)
    cleanup.callback(dispose, make)
    with make.app.app_context():
        upgrade()
    scene = Scene(make)
    made = start_cluster(url, redis_url, tmp_path, with_nginx=True)
    cleanup.callback(made.stop)
    return server, make, scene, made


def composer_post(user: HttpUser, base_url: str, patient_id: int, fields: dict):
    return user.http.post(
        f"{base_url}/staff/patients/{patient_id}/updates",
        data=fields,
        allow_redirects=False,
        timeout=30,
    )


def saved(make: Factory, patient_id: int) -> tuple[list[str], int, int, int]:
    """Summaries, family events, audit records and the event counter of a child."""
    with make.app.app_context():
        summaries = db.session.scalars(
            select(Update.summary).where(Update.patient_id == patient_id).order_by(Update.id)
        ).all()
        events = db.session.scalar(
            select(func.count())
            .select_from(FamilyEvent)
            .where(FamilyEvent.patient_id == patient_id)
        )
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
        counter = db.session.get(Patient, patient_id).last_event_seq
        db.session.remove()
    return list(summaries), events, audits, counter


def test_a_postgres_restart_keeps_the_text_and_saves_nothing_half(tmp_path, shared_redis, browser):
    with contextlib.ExitStack() as cleanup:
        server, make, scene, made = database_outage_scene(cleanup, tmp_path, shared_redis)
        base = made.nginx.url
        clinician = person_on(made, scene.clinician.email, "app2")
        reader = FamilyReader(person_on(made, scene.parent1.email, "app1"), scene.child1)
        cleanup.callback(reader.close)
        reader.connect()
        clinician.post_update(scene.child1, "Before the database restart.")
        wait_for_seen(reader, [1])
        typed = "Needs more oxygen overnight; <b>not</b> lost."
        fields = {"status": "serious", "summary": typed, "plan": "Keep on the ward."}
        # The clinician's composer was loaded before the database went away.
        token = clinician.csrf(clinician.http.get(base + "/signin").text)
        dispose(make)
        server.stop()

        failed = composer_post(
            clinician, base, scene.child1, {**fields, "action": "post", "csrf_token": token}
        )
        assert failed.status_code == 503
        assert "Not saved" in failed.text
        assert "nothing was saved" in failed.text
        assert "Needs more oxygen overnight; &lt;b&gt;not&lt;/b&gt; lost." in failed.text
        assert "Keep on the ward." in failed.text
        look_at(browser, base, failed.text, "production-staff-1280-not-saved")
        server.start()

        # The page's "Try again" button sends the kept fields again, as they were.
        kept = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'type="hidden" name="([^"]+)" value="([^"]*)"', failed.text
            )
        }
        assert kept["summary"] == typed
        retried = composer_post(clinician, base, scene.child1, kept)
        assert retried.status_code == 302, retried.text[:1000]
        wait_for_seen(reader, [1, 2], timeout=60)
        summaries, events, audits, counter = saved(make, scene.child1)
        assert summaries == ["Before the database restart.", typed]
        assert (events, counter) == (2, 2)

        # Now the database dies in the middle of saving: the event counter is taken and the
        # update row is being written (a test trigger holds it there) when PostgreSQL stops.
        hold_update_inserts(server)
        during = "Written while the database died."
        outcome = {}
        sending = threading.Thread(
            target=lambda: outcome.update(
                response=composer_post(
                    clinician,
                    base,
                    scene.child1,
                    {**fields, "summary": during, "action": "post", "csrf_token": token},
                )
            )
        )
        sending.start()
        wait_until(lambda: insert_is_held(server), timeout=20, message="the insert to be held")
        dispose(make)
        server.stop()
        sending.join(40)
        assert outcome["response"].status_code == 503
        assert during in outcome["response"].text
        server.start()
        release_update_inserts(server)
        assert saved(make, scene.child1) == (summaries, 2, audits, 2)
        # Connections recovered by themselves: the next post goes through and reaches the family.
        clinician.post_update(scene.child1, "After the second restart.")
        wait_for_seen(reader, [1, 2, 3], timeout=60)


def hold_update_inserts(server: PrivatePostgres) -> None:
    """A test-only trigger that keeps every new update row waiting (for a crash mid-save)."""
    with psycopg.connect(server.dsn_for("rounds"), autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE TRIGGER test_hold BEFORE INSERT ON updates "
            "FOR EACH ROW EXECUTE FUNCTION test_hold()"
        )


def insert_is_held(server: PrivatePostgres) -> bool:
    with psycopg.connect(server.dsn_for("rounds"), autocommit=True) as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                "AND query ILIKE '%INSERT INTO updates%'"
            ).fetchone()
        )


def release_update_inserts(server: PrivatePostgres) -> None:
    with psycopg.connect(server.dsn_for("rounds"), autocommit=True) as conn:
        conn.execute("DROP TRIGGER test_hold ON updates")
        conn.execute("DROP FUNCTION test_hold()")


# --- Browsers through the proxy -------------------------------------------------------------

PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}
DEADLINE = 20_000  # ms: generous; speed is measured in bench/, never asserted
WHICH_PROCESS = "() => fetch('/health').then(r => r.headers.get('x-rounds-process'))"


def browser_on(browser, cluster, process: str, viewport: dict, phone: bool = False):
    """A browser context whose requests nginx sends to ``process`` (by its route cookie)."""
    context = browser.new_context(
        viewport=viewport, is_mobile=phone, ignore_https_errors=True, device_scale_factor=1
    )
    context.add_cookies(
        [
            {
                "name": "rounds_route",
                "value": cluster.nginx.route_to(process),
                "url": cluster.nginx.url,
                "secure": True,
            }
        ]
    )
    return context.new_page()


def look_at(browser, base_url: str, html_text: str, name: str) -> None:
    """Show a page the server answered (its CSS from the live server) and screenshot it."""
    page = browser.new_context(viewport=DESK, ignore_https_errors=True).new_page()
    try:
        page.route(
            base_url + "/look",
            lambda route: route.fulfill(status=200, content_type="text/html", body=html_text),
        )
        page.goto(base_url + "/look")
        screenshot(page, name)
    finally:
        page.context.close()


def browser_sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_a_parents_phone_keeps_working_through_nginx_while_its_process_is_killed(
    browser, cluster, scene
):
    phone = browser_on(browser, cluster, "app1", PHONE, phone=True)
    desk = browser_on(browser, cluster, "app2", DESK)
    try:
        watch_a_process_die(cluster, scene, phone, desk)
    finally:
        phone.context.close()
        desk.context.close()


def watch_a_process_die(cluster, scene, phone, desk) -> None:
    """The parent on app1, the clinician on app2; app1 dies between two posts."""
    base = cluster.nginx.url
    browser_sign_in(phone, base, scene.parent1.email)
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    assert phone.evaluate(
        "() => fetch('/health').then(r => r.headers.get('x-rounds-process'))"
    ) == ("app1")
    session = next(c for c in phone.context.cookies() if c["name"] == "rounds_session")
    assert session["secure"] and session["httpOnly"]
    phone.evaluate("window.__sameDocument = true")  # lost if the page reloads

    browser_sign_in(desk, base, scene.clinician.email)
    desk.goto(f"{base}/staff/patients/{scene.child1}")
    desk.get_by_label("Serious but stable").check()
    desk.get_by_label("Summary in plain words").fill("A quiet night. Breathing is steadier.")
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".notice--success")).to_contain_text("Update posted", timeout=DEADLINE)
    expect(phone.locator("#feed")).to_contain_text("Breathing is steadier", timeout=DEADLINE)
    screenshot(phone, "production-family-360-before-kill")

    cluster["app1"].kill()
    expect(phone.locator("#connection")).not_to_have_attribute(
        "data-state", "live", timeout=DEADLINE
    )
    screenshot(phone, "production-family-360-reconnecting")
    desk.goto(f"{base}/staff/patients/{scene.child1}")
    desk.get_by_label("Improving").check()
    desk.get_by_label("Summary in plain words").fill("Off the breathing machine this morning.")
    desk.get_by_role("button", name="Post update").click()
    expect(desk.locator(".notice--success")).to_contain_text("Update posted", timeout=DEADLINE)
    screenshot(desk, "production-staff-1280-posted")

    latest = phone.locator("#feed .update--full")
    expect(latest).to_contain_text("Off the breathing machine", timeout=DEADLINE)
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    assert phone.evaluate("window.__sameDocument") is True
    assert phone.evaluate(
        "() => fetch('/health').then(r => r.headers.get('x-rounds-process'))"
    ) == ("app2")
    assert phone.locator("#feed").inner_text().count("Off the breathing machine") == 1
    screenshot(phone, "production-family-360-after-kill")
