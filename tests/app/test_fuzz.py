"""No 500s: garbage into every form, URL and API answers with a plain 4xx, never a crash.

Too-long text, odd Unicode, null bytes, HTML, invalid choices, bad dates, odd ids, wrong
methods, and control characters in every query parameter a view reads (found in the source,
see tests/support/query_parameters.py). A form that refuses what was typed shows it again,
intact and escaped, with the error beside the field; nothing is written. Random strings come
from ``random.Random(1234)``.
"""

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from rounds.admin.forms import AddStaffForm, UnitForm
from rounds.auth.forms import SignInForm
from rounds.extensions import db
from rounds.family.forms import QuestionForm, RelativeRequestForm, RoundsAnswerForm
from rounds.join.forms import CodeForm
from rounds.models import (
    AccessGrant,
    AccessRequest,
    FamilyEvent,
    Invitation,
    Patient,
    Question,
    RoundsAnswer,
    RoundsChange,
    RoundsPlace,
    RoundsSession,
    Unit,
    Update,
    UpdateRetraction,
    UpdateTranslation,
    User,
)
from rounds.staff.forms import (
    AdmitForm,
    CorrectionForm,
    GrantAccessForm,
    InviteForm,
    RestrictForm,
    RetractForm,
    UpdateForm,
)
from rounds.staff.rounds_forms import RenderingForm
from rounds.staff.translation_forms import TranslationForm
from rounds.vocabulary import BODY_SYSTEMS
from tests.support.client import events_as_page, session_csrf, sign_in
from tests.support.factories import Factory, morning_zone
from tests.support.query_parameters import discover, parameters_by_endpoint

HUGE = 100_000  # beyond MAX_CONTENT_LENGTH: the request itself is refused
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
ESCAPED = {  # how each payload must come back: as text
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    ATTRIBUTE_BREAKER: "&lt;img src=x onerror=alert(1)&gt;",
}
UNICODE = (
    "مرحبا، الطفل بخير \u202bنص عربي\u202c · 宝宝今天很好 · 👨\u200d👩\u200d👧 ❤️ "
    "e\u0301 \ufeffZoë Ñandú — «Très bien» \u2028 ok"
)
NASTY = [
    "\x00",
    "\u202e",
    "\u200f",
    "\ufeff",
    "\u2028",
    "\r\n",
    "\t",
    "<",
    ">",
    "&",
    '"',
    "'",
    "%",
    "\\",
    "{{ 7*7 }}",
    "{% raw %}",
    "😀",
    "👩🏽\u200d⚕️",
    "e\u0301",
    "ع",
    "中",
    "Ω",
    "\u0000\u0001\u001f",
    "\U0010fffd",
    " ",
    "a",
    "Z",
    "9",
    "-",
]


@dataclass
class FormCase:
    """One form: where it posts, who may post it, data that would pass, and a way to fail."""

    form: type
    role: str
    url: Callable[[], str]  # called for each post: correct/retract get a fresh update each time
    good: dict
    breaker: dict  # one bad field that makes an otherwise good post re-render
    refused: int = 400  # the status of a re-rendered, refused form
    done: tuple = (302,)  # the statuses of a form that went through
    fresh: Callable[[], dict] = dict  # values new for each post (a unique name or address)


def form_cases(w, make) -> dict[str, FormCase]:
    """Every form with fields in the app, for the world ``w``."""
    serial = count(1)
    update = {"status": "serious", "summary": "A calm night."}
    child = f"/staff/patients/{w.child_a1}"

    def fresh_update(action: str) -> Callable[[], str]:
        return lambda: f"{child}/updates/{make.post(w.clinician, w.child_a1)}/{action}"

    def questions_of_a_fresh_child() -> str:
        """A child parent_a1 follows from now on: one person has only so many open
        questions for one child, and every good post asks one more."""
        fresh = make.patient(w.unit_a)
        make.grant(w.parent_a1, fresh)
        return f"/family/children/{fresh}/questions"

    # An update with every written part, so the translate form shows (and needs) every field.
    whole_update = make.post(w.clinician, w.child_a1, "A calm night.", **WHOLE_UPDATE)

    return {
        "sign in": FormCase(
            SignInForm,
            "anonymous",
            lambda: "/signin",
            {"email": "nobody@example.org", "password": "not the password"},
            {},
            refused=200,
        ),
        "post update": FormCase(
            UpdateForm, "clinician", lambda: f"{child}/updates", update, {"status": "purple"}
        ),
        "correct update": FormCase(
            CorrectionForm,
            "clinician",
            fresh_update("correct"),
            {**update, "reason": "Clearer words"},
            {"status": "purple"},
        ),
        "retract update": FormCase(
            RetractForm,
            "clinician",
            fresh_update("retract"),
            {"reason": "Posted to the wrong child"},
            {"csrf_token": "not-the-token"},
        ),
        "admit": FormCase(
            AdmitForm,
            "clinician",
            lambda: "/staff/admit",
            {"display_name": "Newly Admitted", "bed": "12", "unit_id": str(w.unit_a)},
            {"unit_id": "not a unit"},
        ),
        "grant access": FormCase(
            GrantAccessForm,
            "clinician",
            lambda: f"{child}/family",
            {"name": "Ana Example", "email": "ana@example.org", "relationship": "Mother"},
            {"relationship": "Cousin twice removed"},
            done=(200, 302),  # 200: a new account, its first passphrase shown once
        ),
        "invite": FormCase(
            InviteForm,
            "clinician",
            lambda: f"{child}/family/invitations",
            {
                "invitee_name": "Ana Example",
                "invitee_relationship": "Grandparent",
                "invitee_language": "en",
            },
            {"invitee_language": "xx"},
            done=(200,),  # the invitation card
        ),
        "invitation code": FormCase(
            CodeForm, "anonymous", lambda: "/join/code", {"code": "ABCD-2345"}, {}, refused=400
        ),
        "restrict": FormCase(
            RestrictForm,
            "clinician",
            lambda: f"{child}/restriction",
            {"note": "Court order: the mother and grandmother only."},
            {"csrf_token": "not-the-token"},
        ),
        "ask for a relative": FormCase(
            RelativeRequestForm,
            "parent_a1",
            lambda: f"/family/children/{w.child_a1}/relatives",
            {"name": "Lucia Example", "relationship": "Grandparent", "language": "en"},
            {"language": "xx"},
        ),
        "add unit": FormCase(
            UnitForm,
            "admin",
            lambda: "/admin/units",
            {"name": "Neuro ICU (fuzz)", "phone": "+1 555 0100", "timezone": "UTC"},
            {"timezone": "Mars/Olympus_Mons"},
            fresh=lambda: {"name": f"Neuro ICU {next(serial)}"},
        ),
        "change unit": FormCase(
            UnitForm,
            "admin",
            lambda: f"/admin/units/{w.unit_a}",
            {"name": make.get(Unit, w.unit_a).name, "phone": "+1 555 0100", "timezone": "UTC"},
            {"timezone": "Mars/Olympus_Mons"},
        ),
        "translate": FormCase(
            TranslationForm,
            "interpreter",
            lambda: f"/staff/updates/{whole_update}/translate/es",
            TRANSLATED_IN_FULL,
            {"summary": ""},
        ),
        "ask a question": FormCase(
            QuestionForm,
            "parent_a1",
            questions_of_a_fresh_child,
            {"text": "Can she eat today?"},
            {"csrf_token": "not-the-token"},
        ),
        "answer about rounds": FormCase(
            RoundsAnswerForm,
            "parent_a1",
            lambda: f"/family/children/{w.child_a1}/rounds",
            {"choice": "call", "phone": "+1 555 0123"},
            {"choice": "maybe"},
        ),
        "render a question": FormCase(
            RenderingForm,
            "interpreter",
            lambda: f"{child}/questions/{w.question_a1}/rendering",
            {"rendering": "Can she eat today?"},
            {"csrf_token": "not-the-token"},
        ),
        "add staff": FormCase(
            AddStaffForm,
            "admin",
            lambda: "/admin/staff/new",
            {
                "name": "Rosa Example",
                "email": "rosa@example.org",
                "role": "nurse",
                "units": str(w.unit_a),
                "password": "violet kettle harbour",
            },
            {"role": "surgeon"},
            fresh=lambda: {"email": f"rosa.{next(serial)}@example.org"},
        ),
    }


WHOLE_UPDATE = {
    "plan": "Rest today.",
    "milestones": "ECMO day 2",
    "body_notes": {code: f"A note about {code}." for code, _label in BODY_SYSTEMS},
    "watch_for": [{"if": f"sign {i}", "then": f"action {i}"} for i in range(1, 4)],
}
TRANSLATED_IN_FULL = {
    "summary": "Una noche tranquila.",
    "plan": "Descansar hoy.",
    "milestones": "ECMO día 2",
    **{f"note_{code}": f"Una nota sobre {code}." for code, _label in BODY_SYSTEMS},
    **{f"watch_if_{i}": f"señal {i}" for i in range(1, 4)},
    **{f"watch_then_{i}": f"acción {i}" for i in range(1, 4)},
}


FORM_NAMES = [
    "sign in",
    "post update",
    "correct update",
    "retract update",
    "admit",
    "grant access",
    "invite",
    "invitation code",
    "restrict",
    "ask for a relative",
    "add unit",
    "change unit",
    "add staff",
    "translate",
    "ask a question",
    "answer about rounds",
    "render a question",
]


def text_fields(form_class) -> dict[str, int]:
    """Each typed-text field of a form and its maximum length."""
    fields = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name)
        if isinstance(unbound, UnboundField):
            for validator in unbound.kwargs.get("validators", []):
                if isinstance(validator, Length) and validator.max > 0:
                    fields[name] = validator.max
    return fields


def choice_fields(case: FormCase) -> list[str]:
    """The fields of a form's good data that are not typed text (radios, selects)."""
    return [key for key in case.good if key not in text_fields(case.form)]


def with_partner(field: str, value: str) -> dict:
    """``field`` set to ``value``; the other half of a watch-for row filled in, if it is one."""
    if field.startswith("watch_if_"):
        return {field: value, field.replace("_if_", "_then_"): "We will call you."}
    if field.startswith("watch_then_"):
        return {field: value, field.replace("_then_", "_if_"): "If she gets a fever."}
    return {field: value}


def words(rng: random.Random, length: int) -> str:
    """Plain words of exactly ``length`` characters (no edge spaces, nothing to escape)."""
    text = ""
    while len(text) < length:
        text += "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        text += " "
    text = text[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def nasty(rng: random.Random, length: int) -> str:
    """A random string of awkward characters, about ``length`` long."""
    return "".join(rng.choice(NASTY) for _ in range(length))


def rows(app) -> dict:
    """How many rows of everything a form could write."""
    counted = {
        "updates": select(func.count()).select_from(Update),
        "retractions": select(func.count()).select_from(UpdateRetraction),
        "events": select(func.count()).select_from(FamilyEvent),
        "grants": select(func.count()).select_from(AccessGrant),
        "revoked": select(func.count()).where(AccessGrant.revoked_at.is_not(None)),
        "patients": select(func.count()).select_from(Patient),
        "discharged": select(func.count()).where(Patient.discharged_at.is_not(None)),
        "users": select(func.count()).select_from(User),
        "invitations": select(func.count()).select_from(Invitation),
        "units": select(func.count()).select_from(Unit),
        "requests": select(func.count()).select_from(AccessRequest),
        "translations": select(func.count()).select_from(UpdateTranslation),
        "restrictions": select(func.count()).where(Patient.restricted_at.is_not(None)),
        "phone numbers": select(func.count()).where(User.phone != ""),
        "rounds": select(func.count()).select_from(RoundsSession),
        "ended rounds": select(func.count()).where(RoundsSession.ended_at.is_not(None)),
        **{
            f"places {state}": select(func.count()).where(RoundsPlace.state == state)
            for state in ("waiting", "current", "skipped", "done")
        },
        "join links": select(func.count()).where(RoundsPlace.join_link != ""),
        "rounds changes": select(func.count()).select_from(RoundsChange),
        **{
            f"answers {choice}": select(func.count()).where(RoundsAnswer.choice == choice)
            for choice in ("bedside", "video", "call", "cannot")
        },
        "questions": select(func.count()).select_from(Question),
        "answered": select(func.count()).where(Question.answer.is_not(None)),
        "withdrawn": select(func.count()).where(Question.withdrawn_at.is_not(None)),
        "rendered": select(func.count()).where(Question.rendered_at.is_not(None)),
    }
    with app.app_context():
        query = select(*[q.scalar_subquery().label(name) for name, q in counted.items()])
        return dict(zip(counted, db.session.execute(query).one(), strict=True))


def error_beside(page: str, field: str) -> str | None:
    """The error text shown beside ``field``, if any."""
    match = re.search(
        rf'<p class="field__error" id="{re.escape(field)}-error">(.*?)</p>', page, re.S
    )
    return match and re.sub(r"<[^>]+>", "", match.group(1)).strip()


class Browser:
    """Signed-in clients, one per role, each with its session's CSRF token."""

    def __init__(self, app, world):
        self.app, self.world, self.clients = app, world, {}

    def client(self, role: str):
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                sign_in(client, getattr(self.world, role).email)
            client.csrf = session_csrf(client)
            self.clients[role] = client
        return self.clients[role]

    def submit(self, case: FormCase, changes: dict, as_json: bool = False):
        """Post the case's good data with ``changes`` as the case's role.

        Returns the response and whether the request wrote any rows.
        """
        client, url = self.client(case.role), case.url()
        data = {**case.good, **case.fresh(), "csrf_token": client.csrf, **changes}
        before = rows(self.app)
        response = client.post(url, json=data) if as_json else client.post(url, data=data)
        return response, rows(self.app) != before


@pytest.fixture
def world(world, make):
    """The shared world, and a question in Spanish from child_a1's parent (for the routes
    of questions, and for the interpreter to render)."""
    world.question_a1 = make.question(
        world.parent_a1, world.child_a1, "¿Puede comer hoy?", language="es"
    )
    return world


@pytest.fixture
def users(app, world):
    return Browser(app, world)


@pytest.fixture
def cases(world, make):
    return form_cases(world, make)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- too long ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
def test_too_long_text_is_refused_beside_the_field_and_kept(users, cases, name):
    """One character over the limit: refused, the error beside the field, the text kept.

    Far over it (100,000 characters) the request itself is refused: 413. Nothing is written.
    """
    case, rng, problems = cases[name], random.Random(1234), []
    for field, limit in text_fields(case.form).items():
        typed = words(rng, limit + 1)
        response, wrote = users.submit(case, with_partner(field, typed))
        page = text_of(response)
        if response.status_code != case.refused:
            problems.append(f"{field}: {limit + 1} chars answered {response.status_code}")
            continue
        error = error_beside(page, field)
        if not error:
            problems.append(f"{field}: no error beside the field")
        elif field != "email" and f"longer than {limit}" not in error:
            problems.append(f"{field}: error beside the field is {error!r}")
        if field != "password" and typed not in page:
            problems.append(f"{field}: the typed text did not come back")
        huge, wrote_huge = users.submit(case, {field: "x" * HUGE})
        if huge.status_code != 413:
            problems.append(f"{field}: {HUGE} chars answered {huge.status_code}, not 413")
        if name != "sign in" and (wrote or wrote_huge):
            problems.append(f"{field}: a refused form wrote rows")
    assert problems == [], "\n" + "\n".join(problems)


# --- Unicode, null bytes, HTML -----------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
def test_null_bytes_in_any_field_never_crash(users, cases, name):
    """A null byte (PostgreSQL cannot store one in text) is refused beside the field or
    stored; never a 500."""
    case, problems = cases[name], []
    for field in text_fields(case.form):
        value = "a\x00b@example.org" if field == "email" else "before\x00after"
        response, wrote = users.submit(case, with_partner(field, value))
        if response.status_code not in (case.refused, *case.done):
            problems.append(f"{field}: answered {response.status_code}")
        elif response.status_code == case.refused and name != "sign in":
            if wrote:
                problems.append(f"{field}: refused but wrote rows")
            if not error_beside(text_of(response), field):
                problems.append(f"{field}: refused without an error beside the field")
    assert problems == [], "\n" + "\n".join(problems)


def test_unicode_update_reaches_the_family_exactly(users, cases, world):
    """Arabic, right-to-left marks, emoji and combining accents come back exactly as typed."""
    fields = {"summary": UNICODE, "plan": UNICODE[::-1], "care_team": "Dr Zoë Ñandú, RN Ødegård"}
    response, _ = users.submit(cases["post update"], fields)
    assert response.status_code == 302
    family = text_of(users.client("parent_a1").get(f"/family/children/{world.child_a1}"))
    staff = text_of(users.client("nurse").get(f"/staff/patients/{world.child_a1}"))
    for text in fields.values():
        assert str(escape(text)) in family
        assert str(escape(text)) in staff


def test_unicode_names_are_kept_when_admitting_and_granting(users, cases):
    """A child's and a relative's names in any script are stored and shown as typed."""
    child_name, relative = "ليلى بنت أحمد 🌙", "Nguyễn Thị Ánh"
    admitted, _ = users.submit(cases["admit"], {"display_name": child_name})
    assert admitted.status_code == 302
    census = text_of(users.client("clinician").get("/staff/"))
    assert str(escape(child_name)) in census
    change = {"name": relative, "email": "nguyen@example.org"}
    granted, _ = users.submit(cases["grant access"], change)
    assert granted.status_code == 200  # a new account: its first passphrase is shown once
    assert relative in text_of(granted)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_html_typed_into_a_refused_form_comes_back_escaped(users, cases, name):
    """Every text field holds the payload, the form is refused, and the page shows it inert."""
    case = cases[name]
    for payload, escaped in ESCAPED.items():
        typed = {field: payload for field in text_fields(case.form)}
        response, wrote = users.submit(case, {**typed, **case.breaker})
        page = text_of(response)
        assert response.status_code == case.refused, payload
        assert not wrote or name == "sign in", payload
        assert payload not in page and "<script>" not in page and "<img" not in page
        assert escaped in page


def test_html_in_a_posted_update_is_shown_as_text_everywhere(users, cases, world):
    """Posted, the payload is text on the staff page, the family page and the live feed."""
    fields = {
        "summary": SCRIPT,
        "plan": SCRIPT,
        "care_team": ATTRIBUTE_BREAKER,
        "milestones": SCRIPT,
        "note_heart": SCRIPT,
        "watch_if_1": SCRIPT,
        "watch_then_1": ATTRIBUTE_BREAKER,
    }
    response, _ = users.submit(cases["post update"], fields)
    assert response.status_code == 302
    parent = users.client("parent_a1")
    pages = {
        "staff": text_of(users.client("nurse").get(f"/staff/patients/{world.child_a1}")),
        "family": text_of(parent.get(f"/family/children/{world.child_a1}")),
        "feed": parent.get(f"/family/children/{world.child_a1}/events.json?after=0").json["html"],
        "patches": json.dumps(events_as_page(parent, world.child_a1, after=0).json),
    }
    for where, page in pages.items():
        assert "<script>" not in page, where
        assert "<img src=x" not in page, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, where
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, where


# --- choices and dates -------------------------------------------------------------------

BAD_CHOICES = {
    "post update": ("status", ["purple", "", "CRITICAL", " serious", "serious\u200b", SCRIPT]),
    "correct update": ("status", ["purple", "", "9" * 40]),
    "grant access": ("relationship", ["Cousin", "", "mother", "Mother\u200b", SCRIPT]),
    "admit": ("unit_id", ["abc", "", "-1", "1.5", "0x1", "99999999999999999999", "999999"]),
    "add unit": (
        "timezone",
        ["Mars/Olympus", "", "utc", "Europe/Lisbon\u200b", "localtime", SCRIPT],
    ),
    "change unit": ("timezone", ["Factory", " UTC", "America/New York", "9" * 70]),
    "add staff": ("role", ["surgeon", "", "Nurse", " nurse", "nurse\u200b", SCRIPT]),
}


@pytest.mark.parametrize("name", sorted(BAD_CHOICES))
def test_invalid_choice_is_refused_beside_the_field_and_the_rest_is_kept(users, cases, name):
    """A value that is not one of the radio or select choices: 400, error beside it, text kept."""
    case, (field, values) = cases[name], BAD_CHOICES[name]
    kept_field = "display_name" if name == "admit" else "summary" if "update" in name else "name"
    kept = f"Typed by a tired resident at 3 am ({name})"
    problems = []
    for value in values:
        response, wrote = users.submit(case, {field: value, kept_field: kept})
        page = text_of(response)
        label = f"{field}={value!r}"
        if response.status_code != 400:
            problems.append(f"{label}: answered {response.status_code}")
            continue
        if not error_beside(page, field):
            problems.append(f"{label}: no error beside the field")
        if str(escape(kept)) not in page:
            problems.append(f"{label}: the typed {kept_field} did not come back")
        if wrote:
            problems.append(f"{label}: wrote rows")
    assert problems == [], "\n" + "\n".join(problems)


BAD_DATES = [
    "not a date",
    "2024-13-45T99:99",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "2024-01-01 10:00",
    "+275760-09-13T00:00",
    "٢٠٢٤-٠١-٠١T١٠:٠٠",
    "\x00T10:00",  # control characters are removed from all form input; what is left is bad
    SCRIPT,
    "9" * 500,
]


@pytest.mark.parametrize("name", ["post update", "correct update"])
def test_bad_next_update_time_is_refused_beside_the_field(users, cases, name):
    """A time that cannot be read, or lies far in the past or future: 400, error beside it."""
    case, problems = cases[name], []
    summary = "Summary kept when the date is wrong."
    for value in BAD_DATES:
        response, wrote = users.submit(case, {"next_update_at": value, "summary": summary})
        page = text_of(response)
        if response.status_code != 400:
            problems.append(f"{value!r}: answered {response.status_code}")
            continue
        if not error_beside(page, "next_update_at"):
            problems.append(f"{value!r}: no error beside the field")
        if summary not in page:
            problems.append(f"{value!r}: the summary did not come back")
        if wrote:
            problems.append(f"{value!r}: wrote rows")
    assert problems == [], "\n" + "\n".join(problems)


def test_watch_row_half_filled_keeps_both_halves_and_says_which_is_missing(users, cases):
    """An "if" with no "then": the error sits beside the empty half, the typed half stays."""
    change = {"watch_if_2": "Her fever goes above 38.5"}
    response, wrote = users.submit(cases["post update"], change)
    page = text_of(response)
    assert response.status_code == 400 and not wrote
    assert error_beside(page, "watch_then_2") == "Error: Say what the team will do."
    assert "Her fever goes above 38.5" in page
    assert "A calm night." in page


def test_empty_required_fields_are_named_beside_each_field(users, cases):
    """Nothing typed: each required field says what it needs, in plain words."""
    response, _ = users.submit(cases["post update"], {"status": "", "summary": "   "})
    page = text_of(response)
    assert error_beside(page, "status") == "Error: Choose the overall status."
    assert error_beside(page, "summary") == "Error: Write a short summary for the family."
    response, _ = users.submit(cases["grant access"], {"email": "not-an-email"})
    page = text_of(response)
    assert "Enter an email address like name@example.org." in error_beside(page, "email")
    assert "Ana Example" in page and "not-an-email" in page


# --- odd ids, query strings, methods ----------------------------------------------------

ODD_IDS = [
    "99999999999999999999",
    "2147483648",
    "9223372036854775808",
    "0",
    "-1",
    "abc",
    "1.5",
    "1e3",
    "0x1",
    "²",
    "%00",
    "%201",
]


def test_odd_ids_in_urls_are_not_found(users, world):
    """Huge, negative and non-numeric ids in every id position: 404, never a 500."""
    w, problems = world, []
    staff, parent = users.client("clinician"), users.client("parent_a1")
    admin, interpreter = users.client("admin"), users.client("interpreter")
    question = f"questions/{w.question_a1}"
    for odd in ODD_IDS:
        gets = [
            (staff, f"/staff/patients/{odd}"),
            (staff, f"/staff/patients/{odd}/family"),
            (staff, f"/staff/patients/{odd}/discharge"),
            (staff, f"/staff/patients/{odd}/updates/{w.update_a1}/correct"),
            (staff, f"/staff/patients/{w.child_a1}/updates/{odd}/correct"),
            (staff, f"/staff/patients/{w.child_a1}/updates/{odd}/retract"),
            (parent, f"/family/children/{odd}"),
            (parent, f"/family/children/{odd}/events.json"),
            (parent, f"/family/children/{odd}/questions"),
            (admin, f"/admin/staff/{odd}"),
            (admin, f"/admin/units/{odd}"),
            (staff, f"/staff/units/{odd}/rounds"),
            (staff, f"/staff/units/{odd}/rounds/queue"),
            (interpreter, f"/staff/patients/{odd}/{question}/rendering"),
            (interpreter, f"/staff/patients/{w.child_a1}/questions/{odd}/rendering"),
        ]
        posts = [
            (staff, f"/staff/patients/{odd}/updates"),
            (staff, f"/staff/patients/{w.child_a1}/updates/{odd}/retract"),
            (staff, f"/staff/patients/{w.child_a1}/family/{odd}/revoke"),
            (staff, f"/staff/patients/{odd}/family/{w.grant_a1}/revoke"),
            (admin, f"/admin/staff/{odd}"),
            (admin, f"/admin/staff/{odd}/disable"),
            (admin, f"/admin/staff/{odd}/enable"),
            (admin, f"/admin/units/{odd}"),
            (staff, f"/staff/units/{odd}/rounds/start"),
            (staff, f"/staff/units/{odd}/rounds/skip"),
            (staff, f"/staff/patients/{odd}/{question}/answer"),
            (staff, f"/staff/patients/{w.child_a1}/questions/{odd}/answer"),
            (interpreter, f"/staff/patients/{w.child_a1}/questions/{odd}/rendering"),
            (parent, f"/family/children/{odd}/rounds"),
            (parent, f"/family/children/{odd}/questions"),
            (parent, f"/family/children/{odd}/{question}/withdraw"),
            (parent, f"/family/children/{w.child_a1}/questions/{odd}/withdraw"),
        ]
        for client, url in gets:
            if (got := client.get(url).status_code) != 404:
                problems.append(f"GET {url}: {got}")
        for client, url in posts:
            data = {"csrf_token": client.csrf, "reason": "x", "status": "serious", "summary": "x"}
            if (got := client.post(url, data=data).status_code) != 404:
                problems.append(f"POST {url}: {got}")
    assert problems == [], "\n" + "\n".join(problems)


GARBAGE_AFTER = [
    "abc",
    "-1",
    "1.5",
    "",
    "1e3",
    "0x10",
    " 1",
    "1 ",
    "9" * 13,
    "2147483648",
    "²",
    "1²",
    "\x00",
    SCRIPT,
]


def test_events_after_garbage_is_a_bad_request(users, world):
    """The live feed's ``after`` must be a plain number: anything else is 400 JSON, not 500."""
    parent, problems = users.client("parent_a1"), []
    url = f"/family/children/{world.child_a1}/events.json"
    for after in GARBAGE_AFTER:
        response = parent.get(url, query_string={"after": after})
        if response.status_code != 400 or not response.is_json:
            problems.append(f"after={after!r}: {response.status_code} {response.content_type}")
    for after in ["0", "2147483647"]:  # a plain number, up to a database integer: 200
        response = parent.get(url, query_string={"after": after})
        if response.status_code != 200:
            problems.append(f"after={after!r}: {response.status_code}, not 200")
    assert problems == [], "\n" + "\n".join(problems)


def test_garbage_in_other_query_strings_is_ignored(users, world):
    """Query strings pages only glance at (audit paging, copy forward, next): page still shows."""
    pages = [
        ("admin", "/admin/audit", "before"),
        ("clinician", f"/staff/patients/{world.child_a1}", "copy"),
        ("clinician", "/signin", "next"),
        ("parent_a1", "/family/", "x"),
    ]
    values = [*GARBAGE_AFTER, "99999999999", nasty(random.Random(1234), 40), "x" * 5000]
    problems = []
    for role, url, param in pages:
        client = users.client(role)
        for value in values:
            got = client.get(url, query_string={param: value}).status_code
            if got not in (200, 302):
                problems.append(f"{role} {url}?{param}={value[:30]!r}: {got}")
    assert problems == [], "\n" + "\n".join(problems)


AUDIT_FILTERS = ("action", "person", "child", "start", "end", "zone")


def test_garbage_in_the_audit_search_is_named_beside_the_filter(users):
    """Each filter of the audit search, given garbage: 200 or a 400 with the error beside
    that filter and the page still whole; never a 500."""
    admin, rng, problems = users.client("admin"), random.Random(1234), []
    values = [*GARBAGE_AFTER, *BAD_DATES, nasty(rng, 40), "x" * 5000, "a@b.c" + "\x00"]
    for field in AUDIT_FILTERS:
        for value in values:
            response = admin.get("/admin/audit", query_string={field: value})
            label = f"{field}={value[:30]!r}"
            if response.status_code not in (200, 400):
                problems.append(f"{label}: {response.status_code}")
            elif response.status_code == 400 and not error_beside(text_of(response), field):
                problems.append(f"{label}: refused without an error beside the filter")
    assert problems == [], "\n" + "\n".join(problems)


ODD_UNIT_CHOICES = [["abc"], ["1.5"], ["-1"], ["999999"], ["99999999999999999999"], [SCRIPT]]


def test_odd_units_or_roles_for_a_staff_member_change_nothing(users, world):
    """Units that are not units, roles that are not roles: 400 beside the field, no change."""
    admin, problems = users.client("admin"), []
    url = f"/admin/staff/{world.nurse.id}"

    def staff_table():
        return re.search(r"<tbody>.*</tbody>", text_of(admin.get("/admin/staff")), re.S).group(0)

    before = staff_table()
    changes = [{"role": "nurse", "units": odd} for odd in ODD_UNIT_CHOICES]
    changes += [{"role": odd, "units": [str(world.unit_a)]} for odd in ("", "boss", SCRIPT)]
    for change in changes:
        response = admin.post(url, data={**change, "csrf_token": admin.csrf})
        field = "units" if change["role"] == "nurse" else "role"
        if response.status_code != 400 or not error_beside(text_of(response), field):
            problems.append(f"{change}: {response.status_code}, error {field!r} missing")
        elif "<script>" in text_of(response):
            problems.append(f"{change}: the script came back unescaped")
    assert staff_table() == before
    assert problems == [], "\n" + "\n".join(problems)


def real_path(app, world, rule) -> str:
    """A rule's path with real ids from the test world, so the route resolves."""
    ids = {
        "patient_id": world.child_a1,
        "update_id": world.update_a1,
        "grant_id": world.grant_a1,
        "invitation_id": 1,
        "request_id": 1,
        "user_id": world.nurse.id,
        "unit_id": world.unit_a,
        "question_id": world.question_a1,
    }
    path = rule.rule
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    path = re.sub(r"<string\(length=(\d+)\):token>", lambda m: "x" * int(m[1]), path)
    path = re.sub(r"<any\(([a-z]+)[^>]*>", lambda m: m[1], path)
    path = path.replace("<code>", "es")
    if "<path:filename>" in path:  # a file that is there
        files = sorted(p for p in Path(app.static_folder).rglob("*.css") if p.is_file())
        path = path.replace("<path:filename>", files[0].relative_to(app.static_folder).as_posix())
    assert "<" not in path, f"no id to fill in {rule.rule}"
    return path


def route_paths(app, world) -> list[tuple[str, frozenset]]:
    """Every route (but static) as a real path, with the methods it answers."""
    paths: dict[str, set] = {}  # one path, several rules
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            paths.setdefault(real_path(app, world, rule), set()).update(rule.methods)
    return sorted((path, frozenset(methods)) for path, methods in paths.items())


@pytest.mark.parametrize("role", ["anonymous", "clinician"])
def test_wrong_methods_are_not_allowed(app, users, world, role):
    """GET on a POST-only route, PUT/PATCH/DELETE anywhere: 405, signed in or not."""
    client, problems = users.client(role), []
    for path, methods in route_paths(app, world):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in methods:
                continue
            got = client.open(path, method=method, data={"csrf_token": client.csrf}).status_code
            if got != 405:
                problems.append(f"{method} {path}: {got}")
    assert problems == [], "\n" + "\n".join(problems)


def test_bodies_that_are_not_forms_are_refused_calmly(users, cases):
    """No token in a JSON body, a broken multipart body, a garbage token: 4xx, nothing written."""
    case, client = cases["post update"], users.client("clinician")
    url = case.url()
    answers = {
        "json, no token": client.post(url, json=case.good),
        "broken multipart": client.post(
            url,
            data=b'--x\r\nContent-Disposition: form-data; name="summary"\r\n\r\nhi',
            content_type="multipart/form-data; boundary=x",
        ),
    }
    before = rows(users.app)
    answers = {name: response.status_code for name, response in answers.items()}
    assert rows(users.app) == before
    for name, token in {"null token": "\x00" * 50, "long token": "x" * 5000}.items():
        response, wrote = users.submit(case, {"csrf_token": token})
        answers[name] = response.status_code
        assert not wrote, name
    assert all(400 <= code < 500 for code in answers.values()), answers


def test_confirm_buttons_with_garbage_write_nothing(users, world, make):
    """Discharge, remove access, sign out, the rounds queue's buttons, marking a question
    answered and withdrawing one, with a garbage token and junk fields: no effect."""
    w = world
    with users.app.app_context():  # mid-morning: rounds started now never cross midnight
        db.session.get(Unit, w.unit_a).timezone = morning_zone()
        db.session.commit()
    make.start_rounds(w.nurse, w.unit_a)
    client, parent = users.client("nurse"), users.client("parent_a1")
    before = rows(users.app)
    junk = {"csrf_token": SCRIPT, "confirm": "\x00" * 10, "patient_id": str(w.child_b1)}
    junk |= {"version": "1", "patient": str(w.child_a1), "how": "bedside", "link": SCRIPT}
    question = f"/patients/{w.child_a1}/questions/{w.question_a1}"
    posts = [
        (client, f"/staff/patients/{w.child_a1}/discharge"),
        (client, f"/staff/patients/{w.child_a1}/family/{w.grant_a1}/revoke"),
        (client, f"/staff/units/{w.unit_a}/rounds/start"),
        *((client, f"/staff/units/{w.unit_a}/rounds/{kind}") for kind in ("done", "end")),
        (client, f"/staff{question}/answer"),
        (parent, f"/family/children{question.removeprefix('/patients')}/withdraw"),
        (client, "/signout"),
    ]
    answers = [who.post(url, data=junk).status_code for who, url in posts]
    assert all(code < 500 for code in answers), answers
    assert rows(users.app) == before
    assert client.get("/staff/").status_code == 200  # still signed in


JSON_ODDITIES = [12345, -1, 1.5, True, None, [], ["a", "b"], {"a": 1}, "\x00"]
JSON_BODIES = [[], ["a"], "text", 5, None]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_json_bodies_with_odd_types_never_crash(users, cases, name):
    """The forms also read JSON bodies: numbers, nulls, lists and objects where text goes.

    Each field in turn gets each odd value (the token is right, so only the value is odd),
    then bodies that are not JSON objects at all: a 4xx or a success, never a 500.
    """
    case, problems = cases[name], []
    for field in [*text_fields(case.form), *choice_fields(case)]:
        for odd in JSON_ODDITIES:
            response, _ = users.submit(case, {field: odd}, as_json=True)
            if response.status_code >= 500:
                problems.append(f"{field}={odd!r}: {response.status_code}")
    client = users.client(case.role)
    for body in JSON_BODIES:
        if (got := client.post(case.url(), json=body).status_code) >= 500:
            problems.append(f"body {body!r}: {got}")
    assert problems == [], "\n" + "\n".join(problems)


# --- random strings ----------------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
def test_random_strings_in_every_field_never_crash(users, cases, name):
    """Seeded random strings in every field at once: a 4xx or success, never a 500."""
    case, rng, problems = cases[name], random.Random(1234), []
    limits = text_fields(case.form)
    for attempt in range(12):
        data = {
            field: nasty(rng, rng.randint(0, limit * 3 // 2)) for field, limit in limits.items()
        }
        for field in choice_fields(case):  # radios and selects: sometimes good, sometimes not
            if rng.random() < 0.5:
                data[field] = nasty(rng, rng.randint(0, 10))
        response, wrote = users.submit(case, data)
        got = response.status_code
        if got not in (case.refused, *case.done, 400, 413):
            problems.append(f"attempt {attempt}: answered {got}")
        elif got not in case.done and name != "sign in" and wrote:
            problems.append(f"attempt {attempt}: refused ({got}) but wrote rows")
    assert problems == [], "\n" + "\n".join(problems)


def test_random_paths_never_crash(users):
    """Seeded random junk under each area of the site: 404 or 405, never a 500."""
    rng, problems = random.Random(1234), []
    client = users.client("clinician")
    for _ in range(40):
        junk = "".join(rng.choice("abc019-_.~%!$'()*+,;=:@") for _ in range(rng.randint(1, 30)))
        for prefix in ("/staff/patients/", "/family/children/", "/admin/", "/"):
            got = client.get(prefix + junk).status_code
            if got not in (200, 302, 308, 400, 404, 405):
                problems.append(f"{prefix}{junk}: {got}")
    assert problems == [], "\n" + "\n".join(problems)


# --- odd characters in every query parameter ---------------------------------------------

# Characters no address should carry: C0 and C1 controls, DEL, spaces and line breaks of
# every kind, and invisible marks that turn or hide text.
ADDRESS_BREAKERS = {
    "NUL": "\x00",
    "SOH": "\x01",
    "TAB": "\t",
    "LF": "\n",
    "CR": "\r",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "NEL": "\x85",
    "CSI": "\x9b",
    "space": " ",
    "no-break space": "\xa0",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "right-to-left override": "\u202e",
    "byte order mark": "\ufeff",
}
KNOWN_QUERY_PARAMETERS = {"next", "copy", "after", "back", "before", "v", *AUDIT_FILTERS}
VIEWERS = ("clinician", "interpreter", "parent_a1", "admin")


@dataclass(frozen=True)
class OddValue:
    """A query-string value as it goes on the wire (already %-encoded), and whether a ``next``
    holding it must count as no ``next`` at all."""

    wire: str
    refused: bool


def odd_values() -> list[OddValue]:
    """For ``next``: control characters, line breaks, odd bytes and long values, shaped like a
    path so they get past its first checks."""
    values = [OddValue(quote(f"/family/{c}x", safe=""), True) for c in ADDRESS_BREAKERS.values()]
    texts = [
        ("\n", True),
        ("1\n", True),
        ("/signin\r\nSet-Cookie: taken=1", True),
        ("/family/" + "\n" * 2000, True),
        ("/" + "x" * 5000, False),
        ("/" + "é" * 2000, False),
    ]
    values += [OddValue(quote(text, safe=""), refused) for text, refused in texts]
    return [
        *values,
        # As a scanner writes them; some are not UTF-8, and stay as written.
        OddValue("%2Fsignin%0Aenv", True),
        OddValue("%2Ffamily%2F%0Ax", True),
        OddValue("%2F%09%2Fevil.example", True),  # a tab between two slashes
        OddValue("%2Ffamily%2F%ED%A0%80", False),  # the bytes of a lone surrogate
        OddValue("%2Ffamily%2F%FF", False),
        OddValue("%2Ffamily%2F%250Ax", False),  # "%0A" as text: still an address
    ]


def swept_values() -> list[str]:
    """For every parameter on every route that reads it (many requests, so fewer values): C0
    controls, DEL, a C1 control and a Unicode line break, %0A as a scanner writes it, and long
    values; on the wire."""
    short = [ADDRESS_BREAKERS[n] for n in ("NUL", "SOH", "LF", "CR", "DEL", "NEL")]
    texts = [f"/family/{c}x" for c in [*short, "\u2028"]]
    texts += ["/family/" + "\n" * 2000, "/" + "x" * 5000]
    return [*(quote(text, safe="") for text in texts), "%2Ffamily%2F%0Ax"]


def what_is_wrong(response) -> str | None:
    """A 5xx, or a redirect off this site or with a character a Location must not carry."""
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    if not 300 <= response.status_code < 400:
        return None
    location = response.headers.get("Location", "")
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or not location.startswith("/") or location[:2] == "//":
        return f"redirected off the site, to {location[:80]!r}"
    if "\\" in location or not all("!" <= ch <= "~" for ch in location):
        return f"redirected with a control character or space: {location[:80]!r}"
    return None


def get_routes(app, world) -> list[tuple[str, str]]:
    """Every endpoint that answers GET, with a real path to it."""
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    return sorted((rule.endpoint, real_path(app, world, rule)) for rule in rules)


def viewer(users, path: str) -> str:
    """One of the test world's people who may see ``path``: the first who gets the page
    itself, else the first who is not refused."""
    not_refused = []
    for role in VIEWERS:
        got = users.client(role).get(path).status_code
        if got == 200:
            return role
        if got < 400:
            not_refused.append(role)
    return [*not_refused, VIEWERS[0]][0]


def test_the_discovery_finds_every_query_parameter_we_know_of(app):
    """The sweep below is only as good as the list it sweeps: every known parameter is found,
    on the endpoints known to read it, and every read of the query string is understood."""
    found = discover()
    assert found.unnamed == [], "request.args read in a way the discovery cannot name"
    assert KNOWN_QUERY_PARAMETERS - found.parameters == set()
    reads = parameters_by_endpoint(app, found)
    expected = {
        "auth.sign_in": {"next"},
        "auth.sign_in_to_continue": {"next"},
        "auth.choose_language": {"next"},
        "staff.patient": {"copy"},
        "family.events": {"after"},
        "staff.translate": {"back"},
        "admin.audit_log": {"before", *AUDIT_FILTERS},
        "static": {"v"},
        "staff.census": {"v"},  # a request hook's parameter is read on every request
    }
    missed = {endpoint: names - reads[endpoint] for endpoint, names in expected.items()}
    assert {endpoint: names for endpoint, names in missed.items() if names} == {}
    # The sweep sends GETs: a view that reads the query string only on POST needs its own case
    # (the sign-in to continue has one below, the others the test after this one).
    everywhere = set.intersection(*reads.values())
    post_only = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" not in rule.methods and reads[rule.endpoint] - everywhere
    }
    assert post_only <= {"auth.sign_in_to_continue", *POSTED_WITH_A_QUERY}


# Views that read the query string only on POST, and who posts to them. A refused answer about
# rounds or question sends the child's page back, which reads ``before`` (the page of updates
# it shows). Starting rounds reads nothing from the query string: the discovery merges the
# feed's ``census_rows`` (which lists the children rounds start with) with the census view of
# that name, which reads ``children``; sent anyway, since the map errs towards more.
POSTED_WITH_A_QUERY = {
    "family.rounds_answer": "parent_a1",
    "family.ask": "parent_a1",
    "staff.start_unit_rounds": "nurse",
}


def test_odd_characters_in_the_query_of_a_post_never_crash(app, users, world):
    """Each view that reads the query string only on POST, sent every parameter it reads with
    control characters, line breaks and long values (and nothing else, so a form is refused
    and its page sent back): never a 500, and a redirect stays on the site."""
    reads = parameters_by_endpoint(app, discover())
    everywhere = set.intersection(*reads.values())
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    problems = []
    for endpoint, role in POSTED_WITH_A_QUERY.items():
        client, path = users.client(role), real_path(app, world, rules[endpoint])
        for name in sorted(reads[endpoint] - everywhere):
            for value in swept_values():
                url = f"{path}?{name}={value}"
                response = client.post(url, data={"csrf_token": client.csrf})
                if wrong := what_is_wrong(response):
                    problems.append(f"{role} POST {url[:80]}: {wrong}")
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.parametrize("who", ["signed out", "signed in"])
def test_odd_characters_in_any_query_parameter_never_crash(app, users, world, who):
    """Every query parameter a view reads (found in the source), with control characters,
    line breaks, odd bytes and long values, on every route that reads it, signed out and
    signed in as someone who may see the page: never a 500, and a redirect stays on the site
    with no control character in its address."""
    reads = parameters_by_endpoint(app, discover())
    problems = []
    for endpoint, path in get_routes(app, world):
        role = viewer(users, path) if who == "signed in" else "anonymous"
        client = users.client(role)
        for name in sorted(reads[endpoint]):
            for value in swept_values():
                url = f"{path}?{name}={value}"
                if wrong := what_is_wrong(client.get(url)):
                    problems.append(f"{role} GET {url[:80]}: {wrong}")
    assert problems == [], "\n" + "\n".join(problems)


def test_a_language_link_with_an_odd_next_goes_to_sign_in(client):
    """A ``next`` holding a control character is no ``next``: the sign-in page."""
    problems = []
    for value in odd_values():
        url = f"/language/es?next={value.wire}"
        response = client.get(url)
        if wrong := what_is_wrong(response):
            problems.append(f"GET {url[:80]}: {wrong}")
        elif value.refused and response.location != "/signin":
            problems.append(f"GET {url[:80]}: to {response.location[:60]!r}")
    assert problems == [], "\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ["parent_a1", "clinician"])
def test_the_right_password_with_an_odd_next_signs_in(app, world, role):
    """The right password and an odd ``next``: signed in and sent on, never an error page; a
    ``next`` holding a control character is no ``next`` (their home). The same ``next`` on
    the sign-in that keeps typed text: no error either."""
    email, problems = getattr(world, role).email, []
    home = sign_in(app.test_client(), email).headers["Location"]
    for value in odd_values():
        for url in (f"/signin?next={value.wire}", f"/signin/continue?next={value.wire}"):
            client = app.test_client()
            data = {"email": email, "password": Factory.PASSWORD, "kept-summary": "A calm night."}
            data["csrf_token"] = session_csrf(client)
            response = client.post(url, data=data)
            if wrong := what_is_wrong(response):
                problems.append(f"POST {url[:80]}: {wrong}")
            elif url.startswith("/signin?") and response.status_code != 302:
                problems.append(f"POST {url[:80]}: {response.status_code}, not signed in")
            elif url.startswith("/signin?") and value.refused and response.location != home:
                problems.append(f"POST {url[:80]}: to {response.location[:60]!r}, not {home!r}")
    assert problems == [], "\n" + "\n".join(problems)
