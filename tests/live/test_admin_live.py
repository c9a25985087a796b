"""An admin disables a staff member: their open socket on a live server closes at once."""

import pytest

from tests.support.live import HttpUser, SocketUser, wait_until


@pytest.mark.live
def test_disabled_persons_live_socket_is_closed(live_server, live_make):
    unit = live_make.unit("Pediatric ICU (live test)")
    nurse = live_make.person("nurse", (unit,), name="Ines Fictional")
    boss = live_make.person("admin", name="Alex Fictional")
    phone = SocketUser(HttpUser(live_server.url, nurse.email))
    phone.connect()
    try:
        assert phone.client.connected
        admin = HttpUser(live_server.url, boss.email)
        assert admin.post_form(f"/admin/staff/{nurse.id}/disable", {}).status_code == 302
        wait_until(lambda: not phone.client.connected, message="the disabled nurse's socket")
        census = phone.user.http.get(live_server.url + "/staff/", allow_redirects=False)
        assert census.status_code == 302 and "/signin" in census.headers["Location"]
    finally:
        phone.close()
