"""Room logic with Flask-SocketIO's test client: who receives a child's notifications.

"Receives nothing" is only claimed on a connection that has first received something it
should (a positive control), after a later marker event has arrived.
"""

import pytest
import sqlalchemy as sa

from rounds import create_app
from rounds.extensions import db, socketio
from rounds.family.catch_up import page_version
from rounds.models import AuditEvent
from tests.support.client import feed_html, sign_in


def socket_for(app, email):
    """A signed-in Flask test client and a socket sharing its session."""
    client = app.test_client()
    sign_in(client, email)
    return socketio.test_client(app, flask_test_client=client)


def family_events(sock):
    return [
        (msg["args"][0]["patient"], msg["args"][0]["seq"])
        for msg in sock.get_received()
        if msg["name"] == "family_event"
    ]


def test_anonymous_socket_is_refused(app):
    sock = socketio.test_client(app, flask_test_client=app.test_client())
    assert not sock.is_connected()


def test_family_member_with_no_grant_is_refused(app, world):
    assert not socket_for(app, world.stranger.email).is_connected()


def test_admin_socket_is_refused(app, world):
    assert not socket_for(app, world.admin.email).is_connected()


def test_granted_parent_receives_and_other_family_receives_nothing(app, world, make):
    parent = socket_for(app, world.parent_a1.email)
    other = socket_for(app, world.parent_a2.email)
    other_unit = socket_for(app, world.parent_b1.email)
    assert parent.is_connected() and other.is_connected() and other_unit.is_connected()

    make.post(world.clinician, world.child_a1, "Only A1's family should hear of this.")
    # Markers: each of the others receives a post for their own child after it.
    make.post(world.clinician, world.child_a2, "Marker for A2")
    make.post(world.clinician_b, world.child_b1, "Marker for B1")

    assert family_events(parent) == [(world.child_a1, 2)]
    assert family_events(other) == [(world.child_a2, 2)]  # positive control, nothing of A1
    assert family_events(other_unit) == [(world.child_b1, 2)]


def test_parent_of_two_children_hears_both(app, world, make):
    sock = socket_for(app, world.parent_both.email)
    make.post(world.clinician, world.child_a1, "For A1")
    make.post(world.clinician, world.child_a2, "For A2")
    assert family_events(sock) == [(world.child_a1, 2), (world.child_a2, 2)]


def test_staff_hear_their_own_unit_only(app, world, make):
    nurse = socket_for(app, world.nurse.email)
    other_unit = socket_for(app, world.clinician_b.email)
    make.post(world.clinician, world.child_a1, "Unit A news")
    make.post(world.clinician_b, world.child_b1, "Marker in unit B")
    assert family_events(nurse) == [(world.child_a1, 2)]
    assert family_events(other_unit) == [(world.child_b1, 2)]


def assert_only_told_access_ended(sock, patient_id: int) -> None:
    """The socket received one thing since it was last read: access to this child ended."""
    received = sock.get_received()
    assert [m["name"] for m in received] == ["access_ended"]
    assert received[0]["args"][0] == {"patient": patient_id}


def test_revoked_parent_is_cut_off_but_keeps_their_other_child(app, world, make):
    sock = socket_for(app, world.parent_both.email)
    make.revoke(world.grant_both_a1)
    assert_only_told_access_ended(sock, world.child_a1)

    make.post(world.clinician, world.child_a1, "After the revoke")
    make.post(world.clinician, world.child_a2, "Marker for A2")
    assert family_events(sock) == [(world.child_a2, 2)]


def test_client_cannot_choose_a_room_by_sending_events(app, world, make):
    sock = socket_for(app, world.parent_a2.email)
    for name, payload in [
        ("join", {"room": f"patient:{world.child_a1}"}),
        ("subscribe", world.child_a1),
        ("family_event", {"patient": world.child_a1, "seq": 99}),
        ("connect", None),
        ("x" * 5000, "\x00" * 1000),
    ]:
        sock.emit(name, payload)
    assert sock.is_connected()
    make.post(world.clinician, world.child_a1, "Still only for A1")
    make.post(world.clinician, world.child_a2, "Marker for A2")
    assert family_events(sock) == [(world.child_a2, 2)]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_handlers_survive_a_second_app(database_url, world):
    """The connect handler is registered for every app a process builds (STYLE.md trap)."""
    second = create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url})
    assert socket_for(second, world.parent_a1.email).is_connected()
    assert not socketio.test_client(second, flask_test_client=second.test_client()).is_connected()


@pytest.mark.parametrize(
    ("role", "connects", "hears"),
    [
        ("clinician", True, {"a1", "a2"}),  # the unit's staff: every child of unit A
        ("nurse", True, {"a1", "a2"}),
        ("interpreter", True, {"a1", "a2"}),
        ("admin", False, set()),
        ("clinician_b", True, {"b1"}),
        ("parent_a1", True, {"a1"}),
        ("parent_a2", True, {"a2"}),
        ("parent_both", True, {"a1", "a2"}),
        ("parent_b1", True, {"b1"}),
        ("stranger", False, set()),
    ],
)
def test_socket_matrix_by_role(app, world, make, role, connects, hears):
    """Who may open a socket, and whose children's notifications reach it."""
    sock = socket_for(app, getattr(world, role).email)
    assert sock.is_connected() is connects
    if not connects:
        return
    children = {"a1": world.child_a1, "a2": world.child_a2, "b1": world.child_b1}
    authors = {"a1": world.clinician, "a2": world.clinician, "b1": world.clinician_b}
    for key in ("a1", "a2", "b1"):
        make.post(authors[key], children[key], f"News for {key}")
    received = family_events(sock)
    heard = {key for key, child in children.items() if (child, 2) in received}
    assert heard == hears


def test_after_a_queue_outage_sockets_catch_up_and_lost_revokes_take_effect(app, world, make):
    """What a process does when it is back on the message queue (see realtime.py).

    The end-to-end version, with a real Redis restarted, is in test_production.py.
    """
    from datetime import UTC, datetime

    from rounds.extensions import db
    from rounds.models import AccessGrant
    from rounds.realtime import registry, resync_local_sockets

    registry.local.clear()  # sockets of earlier tests' apps are not this app's
    parent = socket_for(app, world.parent_a1.email)
    cut_off = socket_for(app, world.parent_a2.email)
    make.post(world.clinician, world.child_a1, "Posted while the queue was away")
    parent.get_received()
    # A revoke whose "leave the room" never reached this process: only the database knows.
    with app.app_context():
        grant = db.session.get(AccessGrant, world.grant_a2)
        grant.revoked_at = datetime.now(UTC)
        db.session.commit()

    resync_local_sockets(app)

    assert family_events(parent) == [(world.child_a1, 2)]  # "event 2 exists": the page fetches
    assert_only_told_access_ended(cut_off, world.child_a2)
    make.post(world.clinician, world.child_a2, "Must not reach the revoked parent")
    make.post(world.clinician, world.child_a1, "Marker")
    assert family_events(parent) == [(world.child_a1, 3)]
    assert cut_off.get_received() == []


def reconnecting_page(app, email, patient_id, after):
    """A family page's socket: it says which child it shows and the last event it has."""
    client = app.test_client()
    sign_in(client, email)
    with app.app_context():  # as a page of this version in English says
        said = {"v": page_version(), "lang": "en"}
    return socketio.test_client(
        app, flask_test_client=client, auth={"patient": patient_id, "after": after, **said}
    )


def received(sock, name):
    return [m["args"][0] for m in sock.get_received() if m["name"] == name]


def views_of(app, patient_id) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "view_updates", AuditEvent.patient_id == patient_id
            )
        )


def test_a_reconnecting_page_gets_what_it_missed_on_the_socket(app, world, make):
    for n in range(2):
        make.post(world.clinician, world.child_a1, f"While the phone slept {n}")
    before = views_of(app, world.child_a1)
    sock = reconnecting_page(app, world.parent_a1.email, world.child_a1, 1)
    assert sock.is_connected()
    [body] = received(sock, "catch_up")
    # The same answer as events.json?after=1, and the read audited as that one is.
    assert [e["seq"] for e in body["events"]] == [2, 3]
    assert body["patient"] == world.child_a1 and body["last_seq"] == 3
    assert "While the phone slept 1" in feed_html(body) and "html" not in body  # patches
    assert "Child A2" not in str(body)
    assert views_of(app, world.child_a1) == before + 1

    up_to_date = reconnecting_page(app, world.parent_a1.email, world.child_a1, 3)
    assert received(up_to_date, "catch_up") == [
        {"patient": world.child_a1, "last_seq": 3, "events": []}
    ]
    assert views_of(app, world.child_a1) == before + 1  # nothing read, nothing recorded


def test_a_page_for_another_familys_child_gets_access_ended_and_nothing_of_it(app, world, make):
    make.post(world.clinician, world.child_a1, "Only for A1's family")
    before = views_of(app, world.child_a1)
    sock = reconnecting_page(app, world.parent_a2.email, world.child_a1, 0)
    assert sock.is_connected()  # still follows their own child
    messages = sock.get_received()
    assert [(m["name"], m["args"][0]) for m in messages] == [
        ("access_ended", {"patient": world.child_a1})
    ]
    assert views_of(app, world.child_a1) == before
    # Nor does a revoked parent's page get anything of the child it showed.
    make.revoke(world.grant_both_a1)
    revoked = reconnecting_page(app, world.parent_both.email, world.child_a1, 0)
    assert received(revoked, "access_ended") == [{"patient": world.child_a1}]
    make.post(world.clinician, world.child_a2, "Marker for A2")
    assert family_events(revoked) == [(world.child_a2, 2)]


def test_staff_of_the_unit_get_the_catch_up_like_the_events_url(app, world, make):
    sock = reconnecting_page(app, world.nurse.email, world.child_a1, 0)
    [body] = received(sock, "catch_up")
    assert [e["seq"] for e in body["events"]] == [1] and "Child A1 slept well." in feed_html(body)
    other_unit = reconnecting_page(app, world.clinician_b.email, world.child_a1, 0)
    assert received(other_unit, "access_ended") == [{"patient": world.child_a1}]


@pytest.mark.parametrize(
    "auth",
    [
        {"patient": "1", "after": 0},
        {"patient": True, "after": 0},
        {"patient": 1.0, "after": 0},
        {"patient": -1, "after": 0},
        {"patient": 2**31, "after": 0},
        {"patient": None, "after": None},
        {"patient": [1], "after": {"x": 1}},
        {"after": 0},
        ["patient", 1],
        "x" * 5000,
        12,
    ],
)
def test_an_odd_connect_auth_connects_without_a_catch_up(app, world, auth):
    client = app.test_client()
    sign_in(client, world.parent_a1.email)
    sock = socketio.test_client(app, flask_test_client=client, auth=auth)
    assert sock.is_connected()
    assert sock.get_received() == []


@pytest.mark.parametrize(
    "said",
    [
        {"v": None, "lang": None},
        {"v": 12, "lang": ["en"]},
        {"v": "x" * 5000, "lang": "en"},
        {"v": "<script>alert(1)</script>", "lang": "'\"><img src=x>"},
        {"v": {"a": 1}, "lang": True},
        {},
    ],
)
def test_an_odd_page_version_or_language_gets_the_whole_feed_and_nothing_else(
    app, world, make, said
):
    make.post(world.clinician, world.child_a1, "Second.")
    client = app.test_client()
    sign_in(client, world.parent_a1.email)
    auth = {"patient": world.child_a1, "after": 1, **said}
    sock = socketio.test_client(app, flask_test_client=client, auth=auth)
    assert sock.is_connected()
    [body] = received(sock, "catch_up")
    assert [e["seq"] for e in body["events"]] == [2]
    assert "Second." in body["html"] and "cards" not in body
    assert "<script>alert" not in body["html"] and "<img src=x>" not in body["html"]
