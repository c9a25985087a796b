"""The demo data the run command loads: complete, fictional, and safe to load twice."""

import pytest
import sqlalchemy as sa

from rounds import feed
from rounds.extensions import db
from rounds.models import (
    AccessGrant,
    AccessRequest,
    Patient,
    Question,
    RoundsAnswer,
    RoundsSession,
    Unit,
    Update,
    UpdateRetraction,
    UpdateTranslation,
    User,
)
from rounds.services.family_rounds import questions_waiting_for
from rounds.services.translations import translation_queue


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_seed_demo_loads_a_full_unit_and_is_safe_to_rerun(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded." in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Pediatric ICU (demo)"))
        children = db.session.scalars(sa.select(Patient).where(Patient.unit_id == unit.id)).all()
        assert len(children) >= 6
        statuses = {
            u.status
            for u in db.session.scalars(
                sa.select(Update).where(Update.patient_id.in_([c.id for c in children]))
            )
        }
        assert {"critical", "comfort"} <= statuses
        ecmo = [u for u in db.session.scalars(sa.select(Update)) if "ECMO day" in u.milestones]
        assert len({u.created_at.date() for u in ecmo}) >= 7  # a week of history on ECMO
        roles = set(
            db.session.scalars(sa.select(User.staff_role).where(User.staff_role.is_not(None)))
        )
        assert roles == {"clinician", "nurse", "interpreter", "admin"}
        grants_per_user = db.session.execute(
            sa.select(AccessGrant.user_id, sa.func.count()).group_by(AccessGrant.user_id)
        ).all()
        assert max(count for _user, count in grants_per_user) >= 2  # a parent of two children
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateRetraction)) >= 1
        assert db.session.scalar(sa.select(sa.func.count()).where(Update.version > 1)) >= 1
        # A guardian's request waits on the family access page, for a nurse to decide.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessRequest)) == 1
        # Every unit says where it is, for families far away.
        assert set(db.session.scalars(sa.select(Unit.city))) == {"Miami"}
        # Translations: every update of the children whose families read Spanish, Haitian
        # Creole, Portuguese or Arabic, but today's for Leo, which waits on the queue;
        # Sofia's are written in Spanish (nothing to translate).
        by_language = dict(
            db.session.execute(
                sa.select(UpdateTranslation.language, sa.func.count()).group_by(
                    UpdateTranslation.language
                )
            ).all()
        )
        assert by_language == {"es": 6, "ht": 3, "pt-BR": 4, "ar": 3}
        assert db.session.scalar(sa.select(sa.func.count()).where(Update.language == "es")) == 4
        chloe = db.session.scalar(sa.select(Patient).where(Patient.display_name == "Chloe Joseph"))
        today = feed.latest_family_update(chloe)  # posted at this morning's rounds
        assert today.milestones == "ECMO day 2" and today.language == "en"
        [kreyol] = feed.translations_of([today], "ht").values()
        assert "ECMO" in kreyol.summary and kreyol.translator.staff_role == "interpreter"
        interpreter = db.session.scalar(sa.select(User).where(User.staff_role == "interpreter"))
        assert interpreter.translation_languages == ["es", "ht", "pt-BR", "ar"]
        [waiting] = translation_queue(interpreter)
        assert (waiting.patient.display_name, waiting.language.code) == ("Leo Lopez", "es")
        assert waiting.update.id == feed.latest_family_update(waiting.patient).id  # today's
        emails = db.session.scalars(sa.select(User.email)).all()
        assert all(email.endswith("@example.org") for email in emails)  # fictional only


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_seed_demo_sets_up_rounds_without_starting_them(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        settings = db.session.execute(
            sa.select(
                Unit.rounds_start,
                Unit.minutes_per_child,
                Unit.rounds_idle_hours,
                Unit.join_link_pattern,
                Unit.team_language,
            )
        ).all()
        assert (
            set(settings) == {("07:30", 10, 3, "https://meet.example.org/rounds-{code}", "en")}
            and len(settings) == 2
        )
        # Staff trying the demo start rounds themselves.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundsSession)) == 0

        answers = {
            (answer.user.email, answer.choice)
            for answer in db.session.scalars(sa.select(RoundsAnswer))
        }
        assert answers == {
            ("james.chen@example.org", "bedside"),
            ("wei.chen@example.org", "call"),
            ("maria.lopez@example.org", "video"),
            ("marie.joseph@example.org", "cannot"),
        }
        wei = db.session.scalar(sa.select(User).where(User.email == "wei.chen@example.org"))
        assert wei.phone == "+1 555 0142"  # the number the team calls

        questions = db.session.scalars(sa.select(Question).order_by(Question.id)).all()
        asked = [(q.patient.display_name, q.language, bool(q.rendering)) for q in questions]
        assert asked == [
            ("Noah Chen", "en", False),  # in the team's language: nothing to render
            ("Sofia Lopez", "es", True),
            ("Leo Lopez", "es", False),
        ]
        assert all(q.is_open for q in questions)
        rendered = questions[1]
        assert rendered.text == "¿Puede mi hija comer algo hoy?"
        assert rendered.rendering == "Can my daughter eat something today?"
        assert db.session.get(User, rendered.rendered_by_id).staff_role == "interpreter"
        assert rendered.asked_at < rendered.rendered_at
        interpreter = db.session.scalar(sa.select(User).where(User.staff_role == "interpreter"))
        [waiting] = questions_waiting_for(interpreter, interpreter.translation_languages)
        assert waiting.id == questions[2].id
