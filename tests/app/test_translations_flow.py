"""Interpreters translate updates into the languages families read; families read them live.

The world (tests/support/factories.py) with languages: child_a1's family reads Spanish (parent_a1)
and English (parent_both); child_a2's reads English only; child_b1's (another unit) reads
Haitian Creole. The interpreter works in unit A and translates into every language.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape

from rounds.extensions import db, socketio
from rounds.models import AuditEvent, FamilyEvent, Patient, Update, UpdateTranslation, User
from rounds.models.types import utcnow
from rounds.permissions import may_translate
from rounds.services.accounts import change_staff, choose_language
from rounds.services.translations import (
    TranslationFields,
    TranslationOutOfDate,
    TranslationRefused,
    add_translation,
    family_languages,
    translation_queue,
)
from rounds.services.updates import retract_update
from tests.support.client import events_as_page, feed_html, post_form, sign_in

SPANISH = TranslationFields(summary="La niña durmió bien.")
LABEL = "Translated by the care team's interpreter"
WAITING = (
    "A translation into %(language)s is on its way. Here is the update as the care team wrote it."
)


def fake_drafter(fields: dict, source: str, target: str) -> dict:
    """A machine drafter for tests: marks each text, so a draft is easy to recognise."""
    return {
        **fields,
        "summary": f"[{source}->{target}] {fields['summary']}",
        "plan": f"[{target}] {fields['plan']}" if fields["plan"] else "",
    }


def broken_drafter(fields: dict, source: str, target: str) -> dict:
    """A drafter whose service is down."""
    raise ConnectionError("no translation service here")


def in_spanish(app, msgid: str, **values) -> str:
    """The words a Spanish reader sees for ``msgid`` (English until the catalog has them)."""
    with app.test_request_context(), force_locale("es"):
        return gettext(msgid, **values)


def reads(app, person, code: str) -> None:
    """A family member chooses the language they read, through the service."""
    with app.app_context():
        choose_language(db.session.get(User, person.id), code)


def translates(app, person, *codes: str) -> None:
    """Staff member ``person`` translates into ``codes`` (as an admin would set it)."""
    with app.app_context():
        user = db.session.get(User, person.id)
        change_staff(None, user, user.staff_role, list(user.units), list(codes))


def translate(app, person, update_id: int, code: str = "es", fields=SPANISH, at=None):
    """Add a translation through the service; returns its id."""
    with app.app_context():
        row = add_translation(
            db.session.get(User, person.id), db.session.get(Update, update_id), code, fields, at
        )
        return row.id


def queue_of(app, person) -> list[tuple]:
    """(child, update, language, out of date) of each item on a person's queue, in order."""
    with app.app_context():
        return [
            (i.patient.id, i.update.id, i.language.code, i.out_of_date)
            for i in translation_queue(db.session.get(User, person.id))
        ]


def page(response) -> str:
    return response.get_data(as_text=True)


def client_for(app, person):
    client = app.test_client()
    sign_in(client, person.email)
    return client


@pytest.fixture
def lingo(app, world):
    """The world, with the languages its families read."""
    reads(app, world.parent_a1, "es")
    reads(app, world.parent_b1, "ht")
    return world


# --- who reads what, who may translate -----------------------------------------------------


def test_family_languages_count_followers_and_those_waiting_for_a_nurse(app, lingo, make):
    w = lingo
    waiting = make.person()
    reads(app, waiting, "pt-BR")
    make.pending_grant(waiting, w.child_a1)
    gone = make.person()
    reads(app, gone, "ar")
    make.revoke(make.grant(gone, w.child_a1))
    disabled = make.person()
    reads(app, disabled, "ar")
    make.grant(disabled, w.child_a1)
    make.disable(disabled)
    nobody = make.patient(w.unit_a)
    with app.app_context():
        assert family_languages(db.session.get(Patient, w.child_a1)) == {
            "en": 1,
            "es": 1,
            "pt-BR": 1,
        }
        assert family_languages(db.session.get(Patient, w.child_a2)) == {"en": 2}
        assert family_languages(db.session.get(Patient, nobody)) == {}


def test_who_may_translate_into_which_language(app, lingo, make):
    w = lingo
    translates(app, w.clinician, "es")
    translates(app, w.nurse, "ht", "ar")
    choosy = make.person("interpreter", (w.unit_a,))
    translates(app, choosy, "pt-BR")
    with app.app_context():
        a1 = db.session.get(Patient, w.child_a1)
        b1 = db.session.get(Patient, w.child_b1)

        def may(person, code, patient=a1):
            return may_translate(db.session.get(User, person.id), code, patient)

        assert all(may(w.interpreter, code) for code in ("en", "es", "ht", "pt-BR", "ar"))
        assert not may(w.interpreter, "es", b1)  # another unit
        assert not may(w.interpreter, "fr")  # not a language Rounds speaks
        assert may(choosy, "pt-BR") and not may(choosy, "es")
        assert may(w.clinician, "es") and not may(w.clinician, "ht")
        assert may(w.nurse, "ht") and may(w.nurse, "ar") and not may(w.nurse, "es")
        assert not may(w.clinician_b, "es", b1)  # not bilingual
        for person in (w.admin, w.parent_a1, w.stranger):
            assert not may(person, "es")


# --- the queue -----------------------------------------------------------------------------


def test_queue_holds_each_current_version_a_family_needs_oldest_first(app, lingo, make):
    w = lingo
    later = make.post(w.clinician, w.child_a1, "A second update.")
    in_spanish = make.post(w.clinician, w.child_a1, "Escrito en español.", language="es")
    gone = make.post(w.clinician, w.child_a1, "Posted to the wrong child.")
    with app.app_context():
        retract_update(
            db.session.get(User, w.clinician.id), db.session.get(Update, gone), "Wrong child"
        )
    assert queue_of(app, w.interpreter) == [
        (w.child_a1, w.update_a1, "es", False),
        (w.child_a1, later, "es", False),
        (w.child_a1, in_spanish, "en", False),  # the English-reading parent needs it
    ]
    # Nothing for child_a2 (English only), nor for unit B's child (another unit).
    translate(app, w.interpreter, w.update_a1)
    assert [item[1] for item in queue_of(app, w.interpreter)] == [later, in_spanish]


def test_queue_is_limited_to_the_translators_languages_and_units(app, lingo):
    w = lingo
    translates(app, w.clinician, "es")
    translates(app, w.nurse, "ar")
    assert queue_of(app, w.clinician) == [(w.child_a1, w.update_a1, "es", False)]
    assert queue_of(app, w.nurse) == []
    assert queue_of(app, w.clinician_b) == []  # child_b1 reads Haitian Creole; not bilingual
    assert queue_of(app, w.admin) == []


def test_queue_leaves_out_children_whose_family_no_longer_reads(app, lingo):
    w = lingo
    with app.app_context():
        days = app.config["DISCHARGE_ACCESS_DAYS"]
        db.session.execute(
            sa.update(Patient)
            .where(Patient.id == w.child_a1)
            .values(discharged_at=utcnow() - timedelta(days=days + 1))
        )
        db.session.commit()
    assert queue_of(app, w.interpreter) == []


def test_correction_puts_it_back_on_the_queue_out_of_date_and_prefilled(app, lingo, make):
    w = lingo
    translate(app, w.interpreter, w.update_a1, fields=TranslationFields("Durmió bien."))
    assert queue_of(app, w.interpreter) == []
    corrected = make.correct(w.clinician, w.update_a1, "Child A1 slept well after midnight.")
    assert queue_of(app, w.interpreter) == [(w.child_a1, corrected, "es", True)]
    with app.app_context():
        [item] = translation_queue(db.session.get(User, w.interpreter.id))
        assert item.earlier.summary == "Durmió bien."

    desk = client_for(app, w.interpreter)
    queue = page(desk.get("/staff/translations"))
    assert "Out of date" in queue
    form = page(desk.get(f"/staff/updates/{corrected}/translate/es"))
    assert "Durmió bien.</textarea>" in form  # the earlier translation, to start from
    assert "Child A1 slept well after midnight." in form  # the corrected original beside it
    assert "The care team corrected this update after" in form


# --- adding a translation --------------------------------------------------------------------


def test_translation_is_one_transaction_row_event_and_audit(app, lingo):
    w = lingo
    made = translate(app, w.interpreter, w.update_a1)
    with app.app_context():
        row = db.session.get(UpdateTranslation, made)
        assert (row.update_id, row.language, row.translator_id) == (
            w.update_a1,
            "es",
            w.interpreter.id,
        )
        events = db.session.execute(
            sa.select(FamilyEvent.seq, FamilyEvent.kind, FamilyEvent.created_at)
            .where(FamilyEvent.patient_id == w.child_a1)
            .order_by(FamilyEvent.seq)
        ).all()
        assert [(seq, kind) for seq, kind, _at in events] == [(1, "posted"), (2, "translated")]
        assert events[-1].created_at == row.created_at
        audited = db.session.execute(
            sa.select(
                AuditEvent.action, AuditEvent.actor_id, AuditEvent.target, AuditEvent.detail
            ).where(AuditEvent.action == "add_translation")
        ).all()
        assert audited == [
            ("add_translation", w.interpreter.id, f"update:{w.update_a1}", "into es")
        ]


def test_translation_is_refused_unless_current_allowed_and_another_language(app, lingo, make):
    w = lingo
    corrected = make.correct(w.clinician, w.update_a1, "Corrected.")
    with pytest.raises(TranslationOutOfDate) as stale:
        translate(app, w.interpreter, w.update_a1)
    assert stale.value.current_id == corrected
    refusals = [
        (w.interpreter, corrected, "en"),  # the update's own language
        (w.interpreter, corrected, "fr"),  # not one Rounds speaks
        (w.clinician, corrected, "es"),  # not bilingual
        (w.interpreter, w.update_b1, "ht"),  # another unit
        (w.admin, corrected, "es"),
    ]
    for person, update, code in refusals:
        with pytest.raises(TranslationRefused):
            translate(app, person, update, code)
    gone = make.post(w.clinician, w.child_a1, "To retract.")
    with app.app_context():
        retract_update(db.session.get(User, w.clinician.id), db.session.get(Update, gone), "Wrong")
    with pytest.raises(TranslationRefused):
        translate(app, w.interpreter, gone)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateTranslation)) == 0


# --- the staff screens -----------------------------------------------------------------------


def test_queue_page_lists_what_waits_with_a_translate_button(app, lingo):
    w = lingo
    desk = client_for(app, w.interpreter)
    census = page(desk.get("/staff/"))
    assert 'href="/staff/translations"' in census  # in the header for those who translate
    queue = page(desk.get("/staff/translations"))
    with app.app_context():
        child = db.session.get(Patient, w.child_a1)
        name, bed, unit = child.display_name, child.bed, child.unit.name
    row = re.search(r'<tr class="queue-table__row[^"]*">(.*?)</tr>', queue, re.S).group(1)
    for expected in (name, bed, unit, "Spanish", "Español", "English", "Translate"):
        assert expected in row, expected
    assert f'href="/staff/updates/{w.update_a1}/translate/es"' in row
    # A clinician who does not translate has no queue, and no link to one.
    clinician = client_for(app, w.clinician)
    assert 'href="/staff/translations"' not in page(clinician.get("/staff/"))
    assert clinician.get("/staff/translations").status_code == 404


def test_translate_page_shows_the_original_beside_the_form(app, lingo, make):
    w = lingo
    update = make.post(
        w.clinician,
        w.child_a1,
        "She had a calm night on ECMO.",
        status="critical",
        plan="Let her lungs rest.",
        milestones="ECMO day 3",
        watch_for=[{"if": "she bleeds where the tubes go in", "then": "we adjust her medicine"}],
        body_notes={"life_support": "The machine does the work of her heart and lungs."},
    )
    desk = client_for(app, w.interpreter)
    html = page(desk.get(f"/staff/updates/{update}/translate/es"))
    for original in (
        "She had a calm night on ECMO.",
        "Let her lungs rest.",
        "ECMO day 3",
        "she bleeds where the tubes go in",
        "we adjust her medicine",
        "The machine does the work of her heart and lungs.",
        "Critical: needs the most support",
    ):
        assert original in html, original
    for field in (
        "summary",
        "plan",
        "milestones",
        "watch_if_1",
        "watch_then_1",
        "note_life_support",
    ):
        assert re.search(rf'id="{field}"[^>]*lang="es"|lang="es"[^>]*id="{field}"', html), field
    assert 'id="note_heart"' not in html  # no heart note in the original: nothing to translate
    assert 'lang="en" dir="ltr"' in html  # the original marked as English


def test_translate_page_is_not_found_the_same_for_missing_and_forbidden(app, lingo, make):
    w = lingo
    translates(app, w.clinician_b, "ht")
    gone = make.post(w.clinician, w.child_a1, "To retract.")
    with app.app_context():
        retract_update(db.session.get(User, w.clinician.id), db.session.get(Update, gone), "Wrong")
    desk = client_for(app, w.interpreter)
    not_found = {
        "missing": "/staff/updates/999999/translate/es",
        "other unit": f"/staff/updates/{w.update_b1}/translate/ht",
        "own language": f"/staff/updates/{w.update_a1}/translate/en",
        "unknown language": f"/staff/updates/{w.update_a1}/translate/xx",
        "retracted": f"/staff/updates/{gone}/translate/es",
    }
    for why, url in not_found.items():
        assert desk.get(url).status_code == 404, why
        assert post_form(desk, url, {"summary": "x"}).status_code == 404, why
    bilingual_b = client_for(app, w.clinician_b)
    assert bilingual_b.get(f"/staff/updates/{w.update_b1}/translate/ht").status_code == 200
    assert bilingual_b.get(f"/staff/updates/{w.update_b1}/translate/es").status_code == 404
    assert bilingual_b.get(f"/staff/updates/{w.update_a1}/translate/ht").status_code == 404
    for person in (w.admin, w.parent_a1, w.clinician):
        client = client_for(app, person)
        assert client.get(f"/staff/updates/{w.update_a1}/translate/es").status_code == 404


def test_a_superseded_version_leads_to_the_newest(app, lingo, make):
    w = lingo
    corrected = make.correct(w.clinician, w.update_a1, "Corrected words.")
    desk = client_for(app, w.interpreter)
    old = desk.get(f"/staff/updates/{w.update_a1}/translate/es")
    assert old.status_code == 302
    assert old.headers["Location"].endswith(f"/staff/updates/{corrected}/translate/es")


def test_corrected_while_translating_keeps_the_text_and_sends_nothing(app, lingo, make):
    w = lingo
    desk = client_for(app, w.interpreter)
    url = f"/staff/updates/{w.update_a1}/translate/es"
    assert desk.get(url).status_code == 200
    corrected = make.correct(w.clinician, w.update_a1, "Corrected while you typed.")
    answer = post_form(desk, url, {"summary": "Mi traducción a medias."})
    html = page(answer)
    assert answer.status_code == 409
    assert "Mi traducción a medias." in html and "Corrected while you typed." in html
    assert f'action="/staff/updates/{corrected}/translate/es"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateTranslation)) == 0


def test_sending_returns_to_the_queue_and_the_family_reads_it(app, lingo):
    w = lingo
    desk = client_for(app, w.interpreter)
    sent = post_form(
        desk, f"/staff/updates/{w.update_a1}/translate/es", {"summary": "A1 durmió bien."}
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/staff/translations")
    queue = page(desk.get("/staff/translations"))
    assert "Sent to the family." in queue
    assert "Nothing is waiting." in queue

    spanish = page(client_for(app, w.parent_a1).get(f"/family/children/{w.child_a1}"))
    assert "A1 durmió bien." in spanish
    label = re.search(r'<p class="update__translated">([^<]+)</p>', spanish).group(1)
    assert label == in_spanish(app, LABEL)
    original = re.search(r'<details class="update__original">(.*?)</details>', spanish, re.S).group(
        1
    )
    assert 'lang="en" dir="ltr"' in original and "Child A1 slept well." in original
    assert 'class="update__awaiting"' not in spanish

    english = page(client_for(app, w.parent_both).get(f"/family/children/{w.child_a1}"))
    assert "Child A1 slept well." in english
    assert "A1 durmió bien." not in english and "update__original" not in english
    assert "is on its way" not in english


def test_family_sees_the_original_and_a_note_while_the_translation_is_on_its_way(app, lingo):
    w = lingo
    spanish = page(client_for(app, w.parent_a1).get(f"/family/children/{w.child_a1}"))
    assert "Child A1 slept well." in spanish
    note = re.search(r'<p class="update__awaiting">([^<]+)</p>', spanish).group(1)
    assert note == in_spanish(app, WAITING, language="Español")
    assert re.search(r'class="update__summary" lang="en" dir="ltr"', spanish)


def test_a_correction_without_a_translation_shows_the_note_again(app, lingo, make):
    w = lingo
    translate(app, w.interpreter, w.update_a1, fields=TranslationFields("Versión vieja."))
    make.correct(w.clinician, w.update_a1, "The corrected English.")
    spanish = page(client_for(app, w.parent_a1).get(f"/family/children/{w.child_a1}"))
    assert "Versión vieja." not in spanish
    assert "The corrected English." in spanish
    assert 'class="update__awaiting"' in spanish


def test_the_form_keeps_the_text_and_says_what_is_missing_beside_the_field(app, lingo, make):
    w = lingo
    update = make.post(w.clinician, w.child_a1, "Summary.", plan="Rest today.")
    desk = client_for(app, w.interpreter)
    typed = "Descansar hoy, <b>sin prisa</b>."
    refused = post_form(desk, f"/staff/updates/{update}/translate/es", {"plan": typed})
    html = page(refused)
    assert refused.status_code == 400
    assert str(escape(typed)) in html and "<b>sin prisa</b>" not in html
    assert re.search(r'id="summary-error">.*?Translate the summary\.', html, re.S)
    no_plan = post_form(
        desk, f"/staff/updates/{update}/translate/es", {"summary": "Resumen.", "plan": ""}
    )
    assert no_plan.status_code == 400
    missing = r"""id="plan-error">.*?Translate “Today(?:'|&#39;)s plan and goals” too"""
    assert re.search(missing, page(no_plan), re.S)
    assert 'href="#plan"' in page(no_plan)  # the error summary links to the field


def test_translations_pages_never_show_a_machine_draft_unless_configured(app, lingo):
    desk = client_for(app, lingo.interpreter)
    html = page(desk.get(f"/staff/updates/{lingo.update_a1}/translate/es"))
    assert "Machine draft" not in html
    assert "Child A1 slept well.</textarea>" not in html  # nothing prefilled


def test_a_machine_draft_prefills_the_form_with_a_warning_and_nothing_more(app, lingo):
    w = lingo
    app.config["TRANSLATION_DRAFTER"] = "tests.app.test_translations_flow.fake_drafter"
    desk = client_for(app, w.interpreter)
    html = page(desk.get(f"/staff/updates/{w.update_a1}/translate/es"))
    assert "Machine draft: check every word before sending" in html
    assert "[en-&gt;es] Child A1 slept well.</textarea>" in html
    # The family never reads a draft: only what a person sends.
    spanish = page(client_for(app, w.parent_a1).get(f"/family/children/{w.child_a1}"))
    assert "[en-&gt;es]" not in spanish
    app.config["TRANSLATION_DRAFTER"] = "tests.app.test_translations_flow.broken_drafter"
    broken = desk.get(f"/staff/updates/{w.update_a1}/translate/es")
    assert broken.status_code == 200 and "Machine draft" not in page(broken)


def test_bilingual_clinician_translates_from_the_childs_page(app, lingo):
    w = lingo
    translates(app, w.clinician, "es")
    clinician = client_for(app, w.clinician)
    history = page(clinician.get(f"/staff/patients/{w.child_a1}"))
    link = f'href="/staff/updates/{w.update_a1}/translate/es?back=patient"'
    assert link in history
    assert re.search(r'Translate into <span lang="es" dir="ltr">Español</span>', history)
    sent = post_form(
        clinician, f"/staff/updates/{w.update_a1}/translate/es?back=patient", {"summary": "Bien."}
    )
    assert sent.headers["Location"].endswith(f"/staff/patients/{w.child_a1}#history")
    history = page(clinician.get(f"/staff/patients/{w.child_a1}"))
    assert "Translated into Spanish" in history
    # A nurse who does not translate sees the state, without a link.
    nurse = page(client_for(app, w.nurse).get(f"/staff/patients/{w.child_a1}"))
    assert "Translated into Spanish" in nurse and "translate/es" not in nurse


def test_composer_says_who_reads_what_and_saves_the_language_written_in(app, lingo, make):
    w = lingo
    nurse = client_for(app, w.nurse)
    html = page(nurse.get(f"/staff/patients/{w.child_a1}"))
    assert re.search(r"This family reads:</strong> English \(1\), Spanish \(1\)", html)
    assert "An interpreter will be asked to translate into Spanish." in html
    assert 'name="language"' in html and "Written in" in html
    lonely = make.patient(w.unit_a)
    assert "No family member follows this child yet." in page(
        nurse.get(f"/staff/patients/{lonely}")
    )

    posted = post_form(
        nurse,
        f"/staff/patients/{w.child_a1}/updates",
        {"status": "serious", "summary": "Durmió bien.", "language": "es", "action": "post"},
    )
    assert posted.status_code == 302
    with app.app_context():
        newest = db.session.scalar(sa.select(Update).order_by(Update.id.desc()).limit(1))
        assert newest.language == "es"
    refused = post_form(
        nurse,
        f"/staff/patients/{w.child_a1}/updates",
        {"status": "serious", "summary": "Kept text.", "language": "xx", "action": "post"},
    )
    assert refused.status_code == 400
    assert "Choose the language you wrote the update in." in page(refused)
    assert "Kept text." in page(refused)


# --- live ------------------------------------------------------------------------------------


def family_events(sock):
    return [
        (msg["args"][0]["patient"], msg["args"][0]["seq"])
        for msg in sock.get_received()
        if msg["name"] == "family_event"
    ]


def test_translation_reaches_the_familys_socket_and_the_other_family_receives_nothing(
    app, lingo, make
):
    w = lingo
    family = {}
    for name in ("parent_a1", "parent_a2", "parent_b1"):
        client = client_for(app, getattr(w, name))
        family[name] = SimpleNamespace(
            http=client, sock=socketio.test_client(app, flask_test_client=client)
        )
        assert family[name].sock.is_connected()
    translate(app, w.interpreter, w.update_a1)
    # Markers: each other family then hears of its own child.
    make.post(w.clinician, w.child_a2, "Marker for A2")
    make.post(w.clinician_b, w.child_b1, "Marker for B1")
    assert family_events(family["parent_a1"].sock) == [(w.child_a1, 2)]
    assert family_events(family["parent_a2"].sock) == [(w.child_a2, 2)]
    assert family_events(family["parent_b1"].sock) == [(w.child_b1, 2)]

    body = events_as_page(family["parent_a1"].http, w.child_a1, after=1).json
    assert body["events"] == [
        {"seq": 2, "kind": "translated", "message": body["events"][0]["message"]}
    ]
    assert body["events"][0]["message"]  # "An update is now in your language." (in Spanish)
    assert "La niña durmió bien." in feed_html(body)
    for sock in (f.sock for f in family.values()):
        sock.disconnect()


def test_a_translation_into_another_language_is_not_announced_to_this_reader(app, lingo):
    w = lingo
    translate(app, w.interpreter, w.update_a1)  # Spanish, for parent_a1
    english = client_for(app, w.parent_both)
    body = events_as_page(english, w.child_a1, after=1).json
    assert body["last_seq"] == 2
    assert body["events"] == [{"seq": 2, "kind": "translated", "message": ""}]
    assert "La niña durmió bien." not in feed_html(body)
    # Readers of each language get their own feed (and it is made once per language).
    spanish = client_for(app, w.parent_a1)
    assert "La niña durmió bien." in feed_html(events_as_page(spanish, w.child_a1, after=1).json)
    english_again = events_as_page(english, w.child_a1, after=0).json
    assert "La niña durmió bien." not in feed_html(english_again)
    assert [e["message"] != "" for e in english_again["events"]] == [True, False]


def test_a_feeds_translations_are_read_in_one_query(app, lingo, make):
    w = lingo
    for n in range(4):
        update = make.post(w.clinician, w.child_a1, f"Update {n}.")
        translate(app, w.interpreter, update, fields=TranslationFields(f"Actualización {n}."))
    statements = []

    def count(conn, cursor, statement, *args):
        if "update_translations" in statement:
            statements.append(statement)

    from rounds import feed

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            threads = feed.family_page(db.session.get(Patient, w.child_a1), "es")[0]
            summaries = [t.translation.summary for t in threads if t.translation]
            names = [t.translation.translator.name for t in threads if t.translation]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(summaries) == 4 and len(names) == 4
    assert len(statements) == 1


# --- admin -------------------------------------------------------------------------------


def test_admin_sets_the_languages_a_staff_member_translates_into(app, lingo):
    w = lingo
    admin = client_for(app, w.admin)
    form = page(admin.get(f"/admin/staff/{w.nurse.id}"))
    assert "Translates into" in form and 'value="ht"' in form
    with app.app_context():
        unit_ids = sorted(db.session.get(User, w.nurse.id).unit_ids)
    saved = post_form(
        admin,
        f"/admin/staff/{w.nurse.id}",
        {"role": "nurse", "units": unit_ids, "translates": ["ht", "es"]},
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, w.nurse.id).translates == "es ht"
        detail = db.session.scalar(
            sa.select(AuditEvent.detail)
            .where(AuditEvent.action == "change_staff")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    assert detail == "translates none -> es ht"
    listed = page(admin.get("/admin/staff"))
    assert "Haitian Creole" in listed
    refused = post_form(
        admin, f"/admin/staff/{w.admin.id}", {"role": "admin", "translates": ["es"]}
    )
    assert refused.status_code == 400
    assert "Admins do not translate" in page(refused)
    # The nurse now has a queue: child_b1 is not in her unit, child_a1 reads Spanish.
    assert client_for(app, w.nurse).get("/staff/translations").status_code == 200
