"""Sign out everywhere on a live server: the parent's socket closes, the other family's stays."""

import pytest

from tests.support.live import HttpUser, SocketUser, wait_until


def test_sign_out_everywhere_closes_the_live_socket(live_server, live_make):
    unit = live_make.unit()
    nurse = live_make.person("nurse", (unit,))
    child, other_child = live_make.patient(unit), live_make.patient(unit)
    parent, other_parent = live_make.person(), live_make.person()
    grant = live_make.grant(parent, child)
    live_make.grant(other_parent, other_child)
    phone = SocketUser(HttpUser(live_server.url, parent.email))
    bystander = SocketUser(HttpUser(live_server.url, other_parent.email))
    phone.connect()
    bystander.connect()
    try:
        staff = HttpUser(live_server.url, nurse.email)
        response = staff.post_form(f"/staff/patients/{child}/family/{grant}/sign-out", {})
        assert response.status_code == 302
        wait_until(lambda: not phone.client.connected, message="the socket closed by the server")
        # It cannot come back with the same cookie, and the other family is untouched.
        with pytest.raises(Exception):  # noqa: B017 - socketio's ConnectionError
            phone.connect()
        staff.post_update(other_child, "Marker for the other family")
        wait_until(lambda: bystander.events(other_child) == [1], message="the bystander's push")
        assert bystander.client.connected
    finally:
        phone.close()
        bystander.close()
