"""A real Rounds process and real Socket.IO clients: Origin checks, reconnects, catch-up."""

import pytest
import socketio

from tests.support.live import HttpUser, SocketUser, restart_server, start_server, wait_until


@pytest.fixture
def scene(live_make):
    """Unit A with a clinician, child 1 (parent one) and child 2 (parent two)."""
    unit = live_make.unit()
    scene = type("Scene", (), {})()
    scene.clinician = live_make.person("clinician", (unit,))
    scene.child1, scene.child2 = live_make.patient(unit), live_make.patient(unit)
    scene.parent1, scene.parent2 = live_make.person(), live_make.person()
    scene.grant1 = live_make.grant(scene.parent1, scene.child1)
    live_make.grant(scene.parent2, scene.child2)
    return scene


def test_foreign_origin_cannot_open_a_socket(live_server, scene):
    parent = HttpUser(live_server.url, scene.parent1.email)
    evil = SocketUser(parent, origin="http://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        evil.connect()
    good = SocketUser(parent, origin=live_server.url)
    good.connect(transports=["polling"])
    assert good.client.connected
    good.close()


def test_anonymous_socket_is_refused_by_a_live_server(live_server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, headers={"Origin": live_server.url}, wait_timeout=5)


def test_post_reaches_the_granted_parent_only(live_server, scene):
    clinician = HttpUser(live_server.url, scene.clinician.email)
    one = SocketUser(HttpUser(live_server.url, scene.parent1.email))
    two = SocketUser(HttpUser(live_server.url, scene.parent2.email))
    one.connect()
    two.connect()
    try:
        clinician.post_update(scene.child1, "For child one's family.")
        clinician.post_update(scene.child2, "Marker for child two.")
        wait_until(lambda: one.events(scene.child1) == [1], message="parent one's notification")
        wait_until(lambda: two.events(scene.child2) == [1], message="parent two's marker")
        assert two.events(scene.child1) == []
        body = one.user.events_after(scene.child1, 0)
        assert [e["seq"] for e in body["events"]] == [1]
        assert "For child one&#39;s family." in body["html"]
    finally:
        one.close()
        two.close()


def test_phone_that_slept_catches_up_with_no_gap_and_no_duplicate(live_server, scene):
    clinician = HttpUser(live_server.url, scene.clinician.email)
    phone = SocketUser(HttpUser(live_server.url, scene.parent1.email))
    phone.connect()
    clinician.post_update(scene.child1, "Before sleep")
    wait_until(lambda: phone.events(scene.child1) == [1], message="the first notification")
    phone.close()  # the phone sleeps
    for n in range(5):
        clinician.post_update(scene.child1, f"While asleep {n}")
    phone.connect()  # wakes up and asks for everything after the last event it has
    body = phone.user.events_after(scene.child1, 1)
    assert [e["seq"] for e in body["events"]] == [2, 3, 4, 5, 6]
    assert body["last_seq"] == 6
    assert phone.user.events_after(scene.child1, 6)["events"] == []
    clinician.post_update(scene.child1, "After waking")
    wait_until(lambda: phone.events(scene.child1) == [1, 7], message="the live notification")
    phone.close()


def test_socket_reconnects_by_itself_after_a_server_restart(live_server, scene, tmp_path):
    phone = SocketUser(HttpUser(live_server.url, scene.parent1.email))
    phone.connect()
    server = restart_server(live_server, tmp_path)
    try:
        wait_until(lambda: phone.client.connected, timeout=20, message="the socket to reconnect")
        clinician = HttpUser(server.url, scene.clinician.email)
        # The reconnect may race the post; what matters is that the post is reported.
        wait_until(
            lambda: (
                clinician.post_update(scene.child1, "After restart") and phone.events(scene.child1)
            ),
            timeout=20,
            interval=1,
            message="a notification after the restart",
        )
        assert phone.user.events_after(scene.child1, 0)["last_seq"] >= 1
    finally:
        phone.close()
        server.stop()


def test_revoked_parent_is_disconnected_from_the_child_live(live_server, scene, live_make):
    clinician = HttpUser(live_server.url, scene.clinician.email)
    phone = SocketUser(HttpUser(live_server.url, scene.parent1.email))
    phone.connect()
    try:
        response = clinician.post_form(
            f"/staff/patients/{scene.child1}/family/{scene.grant1}/revoke", {}
        )
        assert response.status_code == 302
        wait_until(
            lambda: ("access_ended", {"patient": scene.child1}) in phone.received,
            message="the access_ended notice",
        )
        clinician.post_update(scene.child1, "Not for the revoked parent")
        clinician.post_update(scene.child2, "Marker")
        other = SocketUser(HttpUser(live_server.url, scene.parent2.email))
        other.connect()
        clinician.post_update(scene.child2, "Second marker")
        wait_until(lambda: other.events(scene.child2), message="a marker on another socket")
        assert phone.events(scene.child1) == []
        gone = phone.user.http.get(
            f"{live_server.url}/family/children/{scene.child1}/events.json", timeout=10
        )
        assert gone.status_code == 404
        other.close()
    finally:
        phone.close()


@pytest.mark.parametrize(("setting", "accepted"), [("0", False), ("1", True)])
def test_websocket_compression_offer_is_refused(
    setting, accepted, live_db, scene, tmp_path, monkeypatch
):
    """Browsers offer permessage-deflate; accepting it costs each socket its own zlib state.

    The pushes are a few bytes, so the server declines (see rounds.refuse_websocket_compression),
    unless WEBSOCKET_COMPRESSION=1 (the control: the same client sees the offer accepted).
    """
    import websocket

    monkeypatch.setenv("WEBSOCKET_COMPRESSION", setting)
    server = start_server(live_db, tmp_path)
    try:
        parent = HttpUser(server.url, scene.parent1.email)
        ws_url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        offered = websocket.create_connection(
            ws_url,
            header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"],
            cookie=parent.cookie_header(),
            origin=server.url,
            timeout=10,
        )
        try:
            assert offered.getstatus() == 101
            answer = offered.getheaders().get("sec-websocket-extensions", "")
            assert ("permessage-deflate" in answer) is accepted
            if not accepted:  # (this client cannot read compressed frames)
                assert offered.recv().startswith("0{")  # the engine.io handshake arrives
        finally:
            offered.close()
    finally:
        server.stop()
