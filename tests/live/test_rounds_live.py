"""The rounds queue on a real server (the embedded default): a family page's socket hears its
own child's place as the nurse changes the queue, and is caught up after it slept."""

import pytest

from tests.support.factories import morning_zone
from tests.support.live import HttpUser, SocketUser, family_page, wait_until

JOIN_LINK = "https://meet.example.org/rounds-bed-3"


@pytest.fixture
def ward(live_make):
    """A unit where it is mid-morning: a nurse, children in beds 1, 2 and 3, the parent of
    bed 2 and the parent of bed 3."""
    unit = live_make.unit("Rounds PICU (live test)", timezone=morning_zone())
    ward = type("Ward", (), {"unit": unit})()
    ward.nurse = live_make.person("nurse", (unit,))
    ward.bed1, ward.bed2, ward.bed3 = (
        live_make.patient(unit, name, bed)
        for bed, name in (("1", "Ada Stone"), ("2", "Ben Ortiz"), ("3", "Cleo Park"))
    )
    ward.parent2, ward.parent3 = live_make.person(), live_make.person()
    live_make.grant(ward.parent2, ward.bed2)
    live_make.grant(ward.parent3, ward.bed3)
    return ward


def page_socket(server, person, patient_id: int) -> SocketUser:
    """A family member's page of one child, with its socket open."""
    made = SocketUser(HttpUser(server.url, person.email), logger=True, engineio_logger=True)
    made.connect(auth=family_page(patient_id))
    return made


def test_family_socket_hears_its_childs_place_live_and_catches_up_after_sleeping(live_server, ward):
    nurse = HttpUser(live_server.url, ward.nurse.email)
    phone = page_socket(live_server, ward.parent3, ward.bed3)
    other = page_socket(live_server, ward.parent2, ward.bed2)
    try:
        phone.wait_for_rounds([(0, "before")])  # the catch-up on connect
        answered = phone.user.post_form(f"/family/children/{ward.bed3}/rounds", {"choice": "video"})
        assert answered.status_code == 302, answered.text[:2000]
        wait_until(
            lambda: phone.payloads("rounds_personal")[-1]["answer"] == "video",
            message="the parent's own pages to hear of the answer",
        )
        asked = phone.user.post_form(
            f"/family/children/{ward.bed3}/questions", {"text": "Can Cleo have her blanket?"}
        )
        assert asked.status_code == 302, asked.text[:2000]
        wait_until(
            lambda: phone.payloads("questions_changed") == [{"patient": ward.bed3}],
            message="the parent's own pages to hear of the question",
        )

        nurse.start_rounds(ward.unit)
        version = nurse.change_rounds(ward.unit, "done", 1, patient=ward.bed1)
        version = nurse.change_rounds(
            ward.unit, "join_link", version, patient=ward.bed3, link=JOIN_LINK
        )
        phone.wait_for_rounds([(0, "before"), (1, "coming"), (2, "next"), (3, "next")])
        # Asked to join by video and next: the link, to this parent only.
        wait_until(
            lambda: phone.payloads("rounds_personal")[-1]["join_link"] == JOIN_LINK,
            message="the join link",
        )

        phone.close()  # the phone sleeps through the team reaching Cleo
        version = nurse.change_rounds(ward.unit, "done", version, patient=ward.bed2)
        other.wait_for_rounds([(0, "before"), (1, "next"), (2, "now"), (3, "now"), (4, "done")])
        assert phone.rounds()[-1] == (3, "next")

        phone.connect(auth=family_page(ward.bed3))  # wakes: caught up from the database
        wait_until(
            lambda: len(phone.payloads("catch_up")) == 2 and len(phone.after_last("catch_up")) >= 2,
            message="the catch-up after waking",
        )
        (told, state), (personal_event, personal) = phone.after_last("catch_up")[:2]
        assert (told, state["patient"], state["version"], state["state"]) == (
            "rounds",
            ward.bed3,
            4,
            "now",
        )
        assert personal_event == "rounds_personal"
        assert (personal["answer"], personal["join_link"]) == ("video", JOIN_LINK)

        nurse.change_rounds(ward.unit, "done", version, patient=ward.bed3)
        phone.wait_for_rounds(
            [(0, "before"), (1, "coming"), (2, "next"), (3, "next"), (4, "now"), (5, "done")]
        )
        for family, own in ((phone, ward.bed3), (other, ward.bed2)):
            for event in ("rounds", "rounds_personal", "questions_changed", "catch_up"):
                assert {data["patient"] for data in family.payloads(event)} <= {own}
            assert family.payloads("rounds_changed") == []
        assert other.payloads("rounds_personal") == [
            {"patient": ward.bed2, "answer": None, "join_link": None, "may_change": True}
        ]  # its own catch-up only: parent 2 asked for nothing
    finally:
        phone.close()
        other.close()
