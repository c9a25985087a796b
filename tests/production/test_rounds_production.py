"""The rounds queue in production mode: two gunicorn gevent processes behind nginx, sharing
PostgreSQL and Redis. A family's socket stays on one process while the nurse works on the
other; the family hears its own child's place only, and a killed process costs it nothing.
"""

import pytest

from rounds import create_app
from rounds.extensions import db
from tests.support.factories import FAMILY_STATE_KEYS, Factory, morning_zone
from tests.support.live import SocketUser, family_page, wait_until
from tests.support.production import person_on, process_of, socket_of, start_cluster
from tests.support.rounds_story import father_story

JOIN_LINK = "https://meet.example.org/rounds-bed-3"


@pytest.fixture
def make(databases):
    """Factories on a fresh migrated database on the shared PostgreSQL.

    This app has no message queue: what it writes, no process of the cluster hears of.
    """
    factory = Factory(create_app("test", {"SQLALCHEMY_DATABASE_URI": databases.new("postgresql")}))
    yield factory
    with factory.app.app_context():
        db.session.remove()
        db.engine.dispose()


class Ward:
    """A unit where it is mid-morning: a nurse and a clinician, children in beds 1, 2 and 3
    (rounds visit them in that order), the parent of bed 2 and the parent of bed 3."""

    def __init__(self, make: Factory):
        self.unit = make.unit("Rounds PICU (production test)", timezone=morning_zone())
        self.nurse = make.person("nurse", (self.unit,), name="Ana Okafor")
        self.clinician = make.person("clinician", (self.unit,), name="Sam Rivera")
        self.bed1 = make.patient(self.unit, "Ada Stone", "1")
        self.bed2 = make.patient(self.unit, "Ben Ortiz", "2")
        self.bed3 = make.patient(self.unit, "Cleo Park", "3")
        self.parent2 = make.person(name="Parent of Ben")
        self.parent3 = make.person(name="Parent of Cleo")
        make.grant(self.parent2, self.bed2)
        make.grant(self.parent3, self.bed3)


@pytest.fixture
def ward(make):
    return Ward(make)


@pytest.fixture
def cluster(make, ward, shared_redis, tmp_path):
    """app1 and app2 on the ward's database and the shared Redis, behind nginx."""
    made = start_cluster(
        make.app.config["SQLALCHEMY_DATABASE_URI"], shared_redis, tmp_path, with_nginx=True
    )
    yield made
    made.stop()
    print(made.logs())  # shown by pytest only when the test failed


def only_own_child(family: SocketUser, patient_id: int) -> None:
    """Everything about rounds this family's socket heard was about its own child, in the
    shape a family is told, and nothing meant for staff screens."""
    states = family.payloads("rounds")
    assert states and all(set(state) == FAMILY_STATE_KEYS for state in states), states
    for event in ("rounds", "rounds_personal", "questions_changed", "catch_up"):
        assert {data["patient"] for data in family.payloads(event)} <= {patient_id}, event
    assert family.payloads("rounds_changed") == []


def test_families_hear_their_own_childs_place_live_from_the_other_process(cluster, ward):
    nurse = person_on(cluster, ward.nurse.email, "app2")
    clinician = person_on(cluster, ward.clinician.email, "app2")
    family = socket_of(person_on(cluster, ward.parent3.email, "app1"), auth=family_page(ward.bed3))
    other = socket_of(person_on(cluster, ward.parent2.email, "app1"), auth=family_page(ward.bed2))
    # The unit's staff screen on app1 shows that "rounds_changed" does cross the processes.
    screen = socket_of(person_on(cluster, ward.nurse.email, "app1"))
    try:
        family.wait_for_rounds([(0, "before")])  # the catch-up on connect
        other.wait_for_rounds([(0, "before")])
        nurse.start_rounds(ward.unit)
        version = nurse.change_rounds(ward.unit, "done", 1, patient=ward.bed1)
        version = nurse.change_rounds(ward.unit, "done", version, patient=ward.bed2)
        version = nurse.change_rounds(ward.unit, "done", version, patient=ward.bed3)
        assert version == 4
        family.wait_for_rounds([(0, "before"), (1, "coming"), (2, "next"), (3, "now"), (4, "done")])
        other.wait_for_rounds([(0, "before"), (1, "next"), (2, "now"), (3, "done"), (4, "done")])
        assert [state["away"] for state in family.payloads("rounds")] == [0, 2, 1, 0, 0]
        wait_until(
            lambda: screen.payloads("rounds_changed") == [{"unit": ward.unit}] * 4,
            message="the staff screen on app1 to hear of each change",
        )
        assert screen.payloads("rounds") == []  # staff sockets join no child's room
        # A marker through the same queue after the last change: once each family has it,
        # anything else of that change addressed to them would have arrived before it.
        clinician.post_update(ward.bed3, "Marker for Cleo's family.")
        clinician.post_update(ward.bed2, "Marker for Ben's family.")
        wait_until(lambda: family.events(ward.bed3) == [1], message="the marker for bed 3")
        wait_until(lambda: other.events(ward.bed2) == [1], message="the marker for bed 2")
        only_own_child(family, ward.bed3)
        only_own_child(other, ward.bed2)
        assert family.events(ward.bed2) == [] and other.events(ward.bed3) == []
    finally:
        for sock in (family, other, screen):
            sock.close()


def test_a_family_on_a_killed_process_catches_up_where_rounds_stand(cluster, ward, make):
    make.answer(ward.parent3, ward.bed3, "video")
    nurse = person_on(cluster, ward.nurse.email, "app2")
    family = socket_of(person_on(cluster, ward.parent3.email, "app1"), auth=family_page(ward.bed3))
    try:
        nurse.start_rounds(ward.unit)
        version = nurse.change_rounds(ward.unit, "done", 1, patient=ward.bed1)
        family.wait_for_rounds([(0, "before"), (1, "coming"), (2, "next")])
        # Two changes whose pushes are lost, as if app1 crashed as they were made: written
        # from outside the cluster, so no process tells any socket of them.
        version = make.change_rounds(ward.nurse, ward.unit, "done", ward.bed2)
        version = make.change_rounds(ward.nurse, ward.unit, "join_link", ward.bed3, link=JOIN_LINK)
        assert version == 4

        cluster["app1"].kill()
        wait_until(
            # The catch-up is sent from the connect handler, so it can arrive before the
            # client has the connect's acknowledgement: wait for both.
            lambda: (
                len(family.payloads("catch_up")) == 2
                and len(family.after_last("catch_up")) >= 2
                and family.client.connected
            ),
            timeout=30,
            message="the socket to reconnect to app2 and be caught up",
        )
        assert family.client.connected and process_of(family.user) == "app2"
        (told, state), (personal_event, personal) = family.after_last("catch_up")[:2]
        assert (told, state["version"], state["state"]) == ("rounds", 4, "now")
        assert state["patient"] == ward.bed3
        assert personal_event == "rounds_personal"
        assert (personal["answer"], personal["join_link"]) == ("video", JOIN_LINK)

        # Caught up, the socket is back in its child's room on app2: the next change arrives.
        nurse.change_rounds(ward.unit, "done", version, patient=ward.bed3)
        family.wait_for_rounds([(0, "before"), (1, "coming"), (2, "next"), (4, "now"), (5, "done")])
        only_own_child(family, ward.bed3)
    finally:
        family.close()


# Who the story's people are on: the father's and the clinician's pages on app1, the mother's
# and the nurse's on app2, so every step crosses processes through Redis.
STORY_PROCESSES = {"father": "app1", "clinician": "app1", "mother": "app2", "nurse": "app2"}


@pytest.mark.browser
def test_the_fathers_rounds_story_through_nginx_across_processes(browser, make, cluster):
    contexts = []

    def open_page(who, viewport, **options):
        context = browser.new_context(
            viewport=viewport, ignore_https_errors=True, device_scale_factor=1, **options
        )
        context.add_cookies(
            [
                {
                    "name": "rounds_route",
                    "value": cluster.nginx.route_to(STORY_PROCESSES[who]),
                    "url": cluster.nginx.url,
                    "secure": True,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    try:
        father_story(make, cluster.nginx.url, open_page, 20_000, "production-rounds")
    finally:
        for context in contexts:
            context.close()
