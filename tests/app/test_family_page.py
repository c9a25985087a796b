"""The family's page: what it shows, how heavy it is, and the late-update notice."""

import re
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import request

from config import Config
from rounds import create_app
from rounds.extensions import db
from rounds.family import catch_up
from rounds.models import Unit
from rounds.models.types import utcnow
from tests.support.client import events_as_page, feed_html, post_form, sign_in
from tests.support.factories import Factory

PAGE_BUDGET = 60 * 1024  # bytes, compressed, all assets included (issue #3)


def family_page_bytes(client, path):
    """Compressed bytes of the page and every script and stylesheet it loads."""
    gzip = {"Accept-Encoding": "gzip"}
    page = client.get(path, headers=gzip)
    assert page.status_code == 200
    html = page.get_data()
    import gzip as gz

    text = (
        gz.decompress(html).decode()
        if page.headers.get("Content-Encoding") == "gzip"
        else html.decode()
    )
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
    sizes = {path: len(html)}
    for asset in assets:
        response = client.get(asset.replace("&amp;", "&"), headers=gzip)
        assert response.status_code == 200, asset
        sizes[asset] = len(response.get_data())
    return sizes, text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_first_load_of_the_family_page_fits_the_budget(client, world, make):
    for day in range(14):  # two weeks of updates, the most a long stay shows at once
        make.post(
            world.clinician,
            world.child_a1,
            f"Day {day}: " + "A steady day. " * 20,
            plan="Rest. " * 30,
        )
    sign_in(client, world.parent_a1.email)
    sizes, text = family_page_bytes(client, f"/family/children/{world.child_a1}")
    assert any("socket.io.min.js" in asset for asset in sizes)
    assert any("rounds.css" in asset for asset in sizes)
    total = sum(sizes.values())
    assert total <= PAGE_BUDGET, sizes


def test_family_page_shows_the_latest_update_first_and_the_unit_phone(client, world, make):
    make.post(
        world.clinician,
        world.child_a1,
        "Newest words.",
        status="improving",
        milestones="ECMO day 4",
    )
    sign_in(client, world.parent_a1.email)
    text = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert text.index("Newest words.") < text.index("Child A1 slept well.")
    assert "Improving" in text
    # The milestone, with its ICU word made a button that explains it.
    assert (
        '<li><button type="button" class="term" data-term="ecmo" aria-haspopup="dialog">ECMO'
        "</button> day 4</li>" in text
    )
    assert 'data-term-explain="ecmo"' in text
    assert 'href="tel:+15550100"' in text
    assert 'aria-live="polite"' in text


def test_late_notice_appears_once_the_next_update_is_overdue(client, world, make):
    make.post(
        world.clinician,
        world.child_a1,
        "Expected earlier.",
        next_update_at=utcnow() - timedelta(hours=2),
    )
    sign_in(client, world.parent_a1.email)
    text = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    notice = re.search(r'<div class="notice notice--info late-notice"[^>]*>', text).group(0)
    assert "hidden" not in notice
    assert "The next update is late" in text


def test_late_notice_is_hidden_while_the_next_update_is_not_due(client, world, make):
    make.post(
        world.clinician, world.child_a1, "On time.", next_update_at=utcnow() + timedelta(hours=20)
    )
    sign_in(client, world.parent_a1.email)
    text = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    notice = re.search(r'<div class="notice notice--info late-notice"[^>]*>', text).group(0)
    assert " hidden" in notice


def test_parent_of_two_children_chooses_between_them(client, world):
    sign_in(client, world.parent_both.email)
    text = client.get("/family/").get_data(as_text=True)
    assert f"/family/children/{world.child_a1}" in text
    assert f"/family/children/{world.child_a2}" in text
    assert f"/family/children/{world.child_b1}" not in text


def test_retracted_update_is_not_in_the_family_page(client, world, make):
    from rounds.extensions import db
    from rounds.models import Update, User
    from rounds.services.updates import retract_update

    with make.app.app_context():
        retract_update(
            db.session.get(User, world.clinician.id),
            db.session.get(Update, world.update_a1),
            "Wrong child",
        )
    sign_in(client, world.parent_a1.email)
    text = client.get(f"/family/children/{world.child_a1}").get_data(as_text=True)
    assert "Child A1 slept well." not in text
    assert "There is no update yet" in text


def test_events_endpoint_gives_exactly_what_came_after(client, world, make):
    for n in range(3):
        make.post(world.clinician, world.child_a1, f"Later {n}")
    sign_in(client, world.parent_a1.email)
    body = events_as_page(client, world.child_a1, after=2).get_json()
    assert [e["seq"] for e in body["events"]] == [3, 4]
    assert body["last_seq"] == 4
    assert "Later 2" in feed_html(body) and "html" not in body  # patches, not the whole feed
    empty = events_as_page(client, world.child_a1, after=4).get_json()
    assert empty == {"patient": world.child_a1, "last_seq": 4, "events": []}


def test_a_phone_away_for_longer_than_the_kept_events_still_gets_every_one(
    client, world, make, monkeypatch
):
    # The feed keeps its newest events for the phones that missed only a few; one that was
    # away for longer is answered from the database. Both must give exactly what came after.
    monkeypatch.setattr(catch_up, "RECENT_EVENTS", 2)
    for n in range(5):
        make.post(world.clinician, world.child_a1, f"While away {n}")
    sign_in(client, world.parent_a1.email)
    newest = events_as_page(client, world.child_a1, after=0).get_json()["last_seq"]
    for after in range(newest):
        body = events_as_page(client, world.child_a1, after=after).get_json()
        assert [e["seq"] for e in body["events"]] == list(range(after + 1, newest + 1)), after
        assert body["last_seq"] == newest
        assert "While away 4" in feed_html(body)
        # Away for longer than the kept events: the whole feed; else only what changed.
        assert ("html" in body) == (newest - after > 2), after


@contextmanager
def _app_with_one_connection(url: str):
    """The app on ``url`` with a pool of one connection: every request gets the same one."""
    options = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": 1, "max_overflow": 0}
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": options})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_events_fetch_hands_its_connection_back_with_transactions_on(database_url):
    # Events fetches run without a transaction; the next request on the same connection
    # (a post, which must save all or nothing) has to get one again.
    with _app_with_one_connection(database_url) as app:
        world = Factory(app).world()
        client = app.test_client()
        sign_in(client, world.parent_a1.email)
        fetched = client.get(f"/family/children/{world.child_a1}/events.json?after=0")
        assert fetched.status_code == 200 and fetched.get_json()["events"]
        with app.app_context():
            before = db.session.scalar(sa.select(sa.func.count(Unit.id)))
            db.session.add(Unit(name="Rolled back", phone="0"))
            db.session.flush()
            db.session.rollback()
            assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == before


def test_the_hot_requests_run_without_a_transaction_and_the_others_with_one(app, client, world):
    # An events fetch (it reads, then writes one audit row) skips BEGIN and COMMIT: the
    # family's screen comes sooner. Everything else keeps its transaction on both databases:
    # a post (four writes, all or nothing) and a page that reads and audits.
    seen: dict[str, set[bool]] = {}

    def note(conn, _cursor, _statement, _parameters, _context, _many):
        dbapi = conn.connection.dbapi_connection  # what the driver does, not what was asked
        if isinstance(dbapi, psycopg.Connection):
            autocommit = dbapi.autocommit
        else:
            autocommit = dbapi.isolation_level is None  # sqlite3's "no BEGIN"
        seen.setdefault(request.endpoint, set()).add(autocommit)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        sign_in(client, world.clinician.email)
        assert client.get(f"/staff/patients/{world.child_a1}").status_code == 200
        posted = post_form(
            client,
            f"/staff/patients/{world.child_a1}/updates",
            {"status": "serious", "summary": "A quiet morning.", "action": "post"},
        )
        assert posted.status_code == 302
        sign_in(client, world.parent_a1.email)
        events = client.get(f"/family/children/{world.child_a1}/events.json?after=0")
        assert "A quiet morning." in events.get_json()["html"]
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert seen["family.events"] == {True}
    assert seen["staff.post"] == {False}
    assert seen["staff.patient"] == {False}


def _process_running(pid: int) -> bool:
    """Is this local process alive? A zombie has exited and closed its sockets."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_connection_the_database_closed_is_replaced_before_a_request_uses_it(databases):
    # A restart or a failover closes every pooled connection: the next request gets a new one
    # instead of failing on the old (the pool pings a connection as it hands it out).
    url = databases.new("postgresql")
    with _app_with_one_connection(url) as app:
        world = Factory(app).world()
        client = app.test_client()
        sign_in(client, world.parent_a1.email)
        events = f"/family/children/{world.child_a1}/events.json?after=0"
        assert client.get(events).status_code == 200

        def backend() -> int:
            with app.app_context():
                return db.session.connection().connection.dbapi_connection.info.backend_pid

        closed = backend()
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (closed,))
        # The backend leaves pg_stat_activity before its process exits and closes the socket;
        # the pool's check reads that close, so wait for the process itself (a local server).
        for _ in range(200):
            if not _process_running(closed):
                break
            time.sleep(0.05)
        again = client.get(events)
        assert again.status_code == 200 and again.get_json()["events"]
        assert backend() != closed
