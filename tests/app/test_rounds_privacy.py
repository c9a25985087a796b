"""A family never learns anything about another child from rounds: every emit of a whole
rounds story is recorded, and for each family member every payload and page they received is
checked for other children's names, beds and ids, and for anything meant for someone else."""

import json

import pytest
import sqlalchemy as sa

from rounds.extensions import db, socketio
from tests.support.client import post_form, sign_in
from tests.support.factories import FAMILY_STATE_KEYS, morning_zone

# The keys a family payload may have: their own child's id, counts, times and numbers.
PERSONAL_KEYS = {"patient", "answer", "join_link", "may_change"}
JOIN_LINK = "https://meet.example.org/rounds-mateo-private"
QUESTION = "Can Mateo have his teddy bear back?"


@pytest.fixture
def story(app, make):
    """A unit with three children, their families (one follows two children), a nurse and a
    clinician, and a socket for each person, recording everything."""
    unit = make.unit("Privacy PICU", timezone=morning_zone())
    nurse = make.person("nurse", (unit,), name="Grace Okafor")
    clinician = make.person("clinician", (unit,), name="Sam Rivera")
    names = {"1": "Ana Lopes", "2": "Mateo Cruz", "3": "Lily Chen"}
    child = {bed: make.patient(unit, name, f"Bay-{bed}") for bed, name in names.items()}
    luis = make.person(name="Luis Cruz")  # Mateo's father
    make.grant(luis, child["2"])
    mei = make.person(name="Mei Chen")  # Lily's mother
    make.grant(mei, child["3"])
    rosa = make.person(name="Rosa Lopes")  # Ana's and Lily's aunt
    make.grant(rosa, child["1"], guardian=False)
    make.grant(rosa, child["3"], guardian=False)
    sockets = {}
    for person in (luis, mei, rosa, nurse):
        client = app.test_client()
        sign_in(client, person.email)
        sockets[person.name] = (client, socketio.test_client(app, flask_test_client=client))
    follows = {
        "Luis Cruz": {child["2"]},
        "Mei Chen": {child["3"]},
        "Rosa Lopes": {child["1"], child["3"]},
    }
    return unit, nurse, clinician, names, child, luis, mei, rosa, sockets, follows


def received(sock):
    return [(message["name"], message["args"][0]) for message in sock.get_received()]


def test_every_emit_of_a_rounds_story_reaches_only_its_own_family(app, make, story):
    unit, nurse, clinician, names, child, luis, mei, rosa, sockets, follows = story
    make.answer(luis, child["2"], "video")
    make.answer(mei, child["3"], "call", phone="+1 555 0199")
    make.answer(rosa, child["1"], "bedside")
    make.start_rounds(nurse, unit)
    make.change_rounds(nurse, unit, "join_link", child["2"], link=JOIN_LINK)
    question = make.question(luis, child["2"], QUESTION)
    for _ in range(3):
        current = next(pid for pid in child.values() if _is_current(app, unit, pid))
        make.change_rounds(nurse, unit, "done", current)
    make.change_rounds(nurse, unit, "end")

    seen = {name: received(sock) for name, (_client, sock) in sockets.items()}
    staff = seen.pop("Grace Okafor")
    assert any(name == "rounds_changed" for name, _ in staff)  # the nurse's screen hears
    assert not any(name == "rounds" for name, _ in staff)  # staff join no child's room
    for person, messages in seen.items():
        own = follows[person]
        kinds = {name for name, _ in messages}
        assert "rounds" in kinds, f"{person} heard nothing (the recording works)"
        assert "rounds_changed" not in kinds, f"{person} heard the unit's staff nudge"
        others = [names[bed] for bed, pid in child.items() if pid not in own]
        for name, payload in messages:
            text = json.dumps(payload)
            for other in others:
                assert other not in text and other.split()[0] not in text
            for bed, pid in child.items():
                assert pid in own or f"Bay-{bed}" not in text
            if name == "rounds":
                assert set(payload) == FAMILY_STATE_KEYS and payload["patient"] in own
            elif name == "rounds_personal":
                assert set(payload) == PERSONAL_KEYS and payload["patient"] in own
            elif name in ("questions_changed", "family_event", "catch_up"):
                assert payload["patient"] in own
            else:
                pytest.fail(f"{person} received an unexpected {name}: {payload}")
    # The join link went to Mateo's father only, and only while the team was coming or there.
    assert JOIN_LINK in json.dumps(seen["Luis Cruz"])
    assert JOIN_LINK not in json.dumps(seen["Mei Chen"]) + json.dumps(seen["Rosa Lopes"])
    links = [p["join_link"] for n, p in seen["Luis Cruz"] if n == "rounds_personal"]
    assert links[-1] is None  # gone again after "done"
    # Mateo's father heard his own question change; nobody else did.
    assert any(n == "questions_changed" for n, _ in seen["Luis Cruz"])
    assert not any(n == "questions_changed" for n, _ in seen["Mei Chen"] + seen["Rosa Lopes"])

    # Every page and answer each of them can fetch: nothing of another child or person.
    for person in (mei, rosa):
        client = sockets[person.name][0]
        for pid in follows[person.name]:
            for url in (f"/family/children/{pid}", f"/family/children/{pid}/questions"):
                page = client.get(url).get_data(as_text=True)
                for secret in (
                    "Mateo",
                    "Luis",
                    QUESTION,
                    JOIN_LINK,
                    "+1 555 0199" if person is rosa else "x" * 50,
                ):
                    assert secret not in page, f"{person.name} saw {secret!r} on {url}"
        assert client.get(f"/family/children/{child['2']}/questions").status_code == 404
    assert question


def _is_current(app, unit, patient_id):
    from rounds import tracker
    from rounds.extensions import db
    from rounds.models import Unit

    with app.app_context():
        queue = tracker.queue_of(db.session.get(Unit, unit))
        return any(p.patient_id == patient_id and p.state == "current" for p in queue.places)


def test_a_reconnecting_phone_gets_its_own_childs_state_only(app, make, story):
    unit, nurse, _clinician, _names, child, luis, _mei, rosa, _sockets, _follows = story
    make.start_rounds(nurse, unit)
    client = app.test_client()
    sign_in(client, rosa.email)
    sock = socketio.test_client(
        app,
        flask_test_client=client,
        auth={"patient": child["3"], "after": 0, "v": "x", "lang": "en"},
    )
    messages = received(sock)
    states = [payload for name, payload in messages if name == "rounds"]
    assert [s["patient"] for s in states] == [child["3"]]
    assert states[0]["state"] == "coming" and states[0]["away"] == 2
    # Asking for a child she does not follow: told access ended, and no state at all.
    other = socketio.test_client(
        app, flask_test_client=client, auth={"patient": child["2"], "after": 0}
    )
    names = [name for name, _ in received(other)]
    assert "access_ended" in names and "rounds" not in names
    assert (
        post_form(client, f"/family/children/{child['2']}/rounds", {"choice": "video"}).status_code
        == 404
    )


def test_a_revoked_relative_who_asked_for_video_never_gets_the_link(app, make, story):
    """She still follows another child, so her socket is open: the link must not reach it."""
    unit, nurse, _clinician, _names, child, _luis, _mei, rosa, sockets, _follows = story
    make.answer(rosa, child["1"], "video")
    received(sockets["Rosa Lopes"][1])  # what she heard while she still had access
    with app.app_context():
        from rounds.models import AccessGrant

        grant = db.session.scalar(
            sa.select(AccessGrant.id).where(
                AccessGrant.user_id == rosa.id, AccessGrant.patient_id == child["1"]
            )
        )
    make.revoke(grant)
    make.start_rounds(nurse, unit)  # Ana (bed Bay-1) is first: "now"
    make.change_rounds(nurse, unit, "join_link", child["1"], link=JOIN_LINK)
    heard = received(sockets["Rosa Lopes"][1])
    assert any(name == "rounds" for name, _ in heard)  # her other child's state still comes
    assert JOIN_LINK not in json.dumps(heard)
    assert not [p for n, p in heard if n == "rounds_personal" and p["patient"] == child["1"]]
