"""The census costs the same for 3 children or 30, an open census refreshes one row when a
child changes, and a staff page's live check is its own (no family read is audited for it)."""

import re
from contextlib import contextmanager

import sqlalchemy as sa

from rounds import feed
from rounds.extensions import db
from rounds.models import AuditEvent, Patient, Update, User
from rounds.services.patients import discharge_patient
from rounds.services.updates import UpdateFields, correct_update, retract_update
from tests.support.client import signed_in


@contextmanager
def statements_counted(app):
    """The SELECTs the database is sent while the block runs."""
    sent = []

    def note(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", note)


def census_selects(app, client) -> int:
    with statements_counted(app) as sent:
        assert client.get("/staff/").status_code == 200
    return len(sent)


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_the_census_is_one_query_for_its_rows_however_many_children(app, world, make):
    nurse = signed_in(app, world.nurse.email)
    with_two = census_selects(app, nurse)
    for n in range(12):
        child = make.patient(world.unit_a, f"Added Child{n}")
        make.post(world.clinician, child, f"Update {n}.")
        make.post(world.clinician, child, f"Newer update {n}.")
    assert census_selects(app, nurse) == with_two


def test_each_row_shows_what_families_see_as_the_latest(app, world, make):
    """Corrections, retractions and children with no update: the census's one query agrees
    with the family feed's own idea of the latest update, child by child."""
    w = world
    corrected = make.patient(w.unit_a, "Corrected Child")
    retracted = make.patient(w.unit_a, "Retracted Child")
    only_retracted = make.patient(w.unit_a, "Only Retracted")
    make.patient(w.unit_a, "No Update Yet")
    first = make.post(w.clinician, corrected, "First words.")
    make.post(w.clinician, retracted, "Keep this one.")
    wrong = make.post(w.clinician, retracted, "Posted to the wrong child.")
    alone = make.post(w.clinician, only_retracted, "The only one, retracted.")
    with app.app_context():
        clinician = db.session.get(User, w.clinician.id)
        update = db.session.get(Update, first)
        correct_update(clinician, update, UpdateFields("improving", "Better words."), "Clearer")
        retract_update(clinician, db.session.get(Update, wrong), "Wrong child")
        retract_update(clinician, db.session.get(Update, alone), "Wrong child")
        patients = db.session.scalars(
            sa.select(Patient).where(Patient.unit_id == w.unit_a, Patient.discharged_at.is_(None))
        ).all()
        expected = {p.id: feed.latest_family_update(p) for p in patients}
        rows = {patient.id: latest for patient, latest in feed.census_rows([w.unit_a])}
        assert {k: v and v.id for k, v in rows.items()} == {
            k: v and v.id for k, v in expected.items()
        }
        assert rows[corrected].summary == "Better words."
        assert rows[retracted].summary == "Keep this one."
        assert rows[only_retracted] is None


def rows_of(client, *children):
    return client.get("/staff/census/rows?children=" + ",".join(str(c) for c in children))


def test_census_rows_are_the_censuss_own_html_and_nobody_elses(app, world, make):
    nurse = signed_in(app, world.nurse.email)
    census = nurse.get("/staff/").get_data(as_text=True)
    answer = rows_of(nurse, world.child_a1, world.child_a2)
    assert answer.status_code == 200
    rows = re.findall(r"<tr data-census-child.*?</tr>", answer.get_data(as_text=True), re.S)
    assert [re.search(r'data-census-child="(\d+)"', row).group(1) for row in rows] == [
        str(world.child_a1),
        str(world.child_a2),
    ]
    assert all(row in census for row in rows)  # the very markup the census shows
    assert "Serious but stable" in rows[0]
    for who, children in (
        (world.clinician_b, [world.child_a1]),  # another unit's clinician
        (world.parent_a1, [world.child_a1]),  # the child's own parent: a staff screen
        (world.admin, [world.child_a1]),
        (world.nurse, [world.child_a1, world.child_b1]),  # one of another unit: none at all
        (world.nurse, [999999]),
    ):
        assert rows_of(signed_in(app, who.email), *children).status_code == 404, (who, children)
    for garbage in ("", "x", "1,,2", "1;2", "-1", ",".join(["1"] * 61)):
        answer = nurse.get(f"/staff/census/rows?children={garbage}")
        assert answer.status_code == 400, garbage


def test_a_discharged_childs_row_is_gone(app, world):
    nurse = signed_in(app, world.nurse.email)
    with app.app_context():
        discharge_patient(
            db.session.get(User, world.nurse.id), db.session.get(Patient, world.child_a2)
        )
    assert rows_of(nurse, world.child_a1, world.child_a2).status_code == 404
    assert f'data-census-child="{world.child_a2}"' not in nurse.get("/staff/").get_data(True)


def test_census_rows_are_not_audited_like_the_census(app, world):
    nurse = signed_in(app, world.nurse.email)
    before = audit_rows(app)
    assert rows_of(nurse, world.child_a1).status_code == 200
    assert nurse.get("/staff/").status_code == 200
    assert audit_rows(app) == before


def test_a_staff_pages_check_says_what_changed_and_audits_no_family_read(app, world, make):
    nurse = signed_in(app, world.nurse.email)
    make.post(world.clinician, world.child_a1, "A second update.")
    before = audit_rows(app)
    body = nurse.get(f"/staff/patients/{world.child_a1}/events.json?after=0").get_json()
    assert body == {
        "patient": world.child_a1,
        "last_seq": 2,
        "events": [{"seq": 1, "kind": "posted"}, {"seq": 2, "kind": "posted"}],
    }
    nothing = nurse.get(f"/staff/patients/{world.child_a1}/events.json?after=2").get_json()
    assert nothing == {"patient": world.child_a1, "last_seq": 2, "events": []}
    assert audit_rows(app) == before  # numbers and kinds only: not a read of the updates
    assert nurse.get(f"/staff/patients/{world.child_a1}/events.json?after=x").status_code == 400
    parent = signed_in(app, world.parent_a1.email)
    assert parent.get(f"/staff/patients/{world.child_a1}/events.json").status_code == 404
    signed_out = app.test_client().get(f"/staff/patients/{world.child_a1}/events.json")
    assert signed_out.status_code == 401 and signed_out.is_json


def test_the_staff_page_asks_its_own_answer_not_the_familys(app, world):
    page = signed_in(app, world.nurse.email).get(f"/staff/patients/{world.child_a1}")
    html = page.get_data(as_text=True)
    assert f'data-events-url="/staff/patients/{world.child_a1}/events.json"' in html
    assert "events.json" not in html.replace(f"/staff/patients/{world.child_a1}/events.json", "")
