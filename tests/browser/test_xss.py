"""Typed text never runs: a corpus of XSS payloads, typed into every free-text field, shows as
text on every page that displays it, adds no element and never executes in Chromium.

The whole scenario runs twice: with the Content-Security-Policy, and with the header switched
off (a test-only setting), so the second run proves that escaping holds on its own. Stored
text goes in through the app's real forms (over HTTP, or typed in the browser where the answer
is a page worth looking at); everything is looked at in Chromium, including the pages the
live scripts rebuild with innerHTML (the family feed, the census rows, the staff history and
its earlier pages), and text put back into form fields (copy forward, corrections, previews,
refused forms). Rounds are there too: a family member's answer, phone number and questions
on the unit's queue and the staff child page, an interpreter's rendering, refused phone
numbers and join links, and the queue and the family's questions rebuilt live.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from rounds import create_app
from rounds.extensions import db
from rounds.staff.forms import WATCH_ROWS
from rounds.vocabulary import BODY_SYSTEMS, STATUS_SCALE
from tests.support.browser import screenshot
from tests.support.factories import Factory, Person, morning_zone
from tests.support.inert import (
    Watch,
    assert_the_checks_see_real_markup,
    browser_sign_in,
    start_test_server,
)
from tests.support.live import HttpUser

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 800}
DESK = {"width": 1280, "height": 900}
DEADLINE = 10_000  # ms

# Each payload, if it ever runs, sets window.__xss or opens a dialog; the ones that need a
# click (a javascript: link) are caught by the element scan instead.
CORPUS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=2;alert(2)">',
    "<svg/onload=window.__xss=3;alert(3)>",
    '<a href="javascript:window.__xss=4;alert(4)">Tap for news</a> javascript:alert(4)',
    '"><img src=x onerror=window.__xss=5;alert(5)>',
    "'><img src=x onerror=window.__xss=6;alert(6)> ' autofocus onfocus='alert(6)",
    "</textarea></title><script>window.__xss=7;alert(7)</script>",
    "{{7*7}} {{ config.SECRET_KEY }} ${alert(8)} {% raw %} #{7*7}",
    '<iframe srcdoc="<script>parent.__xss=9;parent.alert(9)</script>"></iframe>',
    '<div style="width:expression(alert(10))">x</div>'
    "<style>*{background:url(javascript:alert(10))}",
    "&lt;img src=x onerror=alert(11)&gt; &#60;script&#62;alert(11)&#60;/script&#62; &amp; &lt",
    "\uff1cscript\uff1ealert(12)\uff1c/script\uff1e \\u003cimg src=x onerror=alert(12)\\u003e "
    "%3Cscript%3Ealert(12)%3C/script%3E",
    "<details open ontoggle=window.__xss=13;alert(13)>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=14;alert(14)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=15;alert(15)>",
]
SHORT = "<svg onload=alert()>"  # for 20-character fields (bed, invitation code)
# Addresses the email validators accept, with what they allow of markup and templates.
EMAILS = [
    "o'neil{{7*7}}&lt@example.org",
    "a{{config}}#x&amp@example.org",
    "staff{{7*7}}'&gt@example.org",
]

UPDATE_TEXT_FIELDS = [
    "summary",
    "plan",
    "milestones",
    "care_team",
    *[f"watch_{half}_{i}" for i in range(1, WATCH_ROWS + 1) for half in ("if", "then")],
    *[f"note_{code}" for code, _label in BODY_SYSTEMS],
]
PASSPHRASE = "heron lantern seventeen"  # noqa: S105 - fictional


def update_fields(k: int) -> dict:
    """Update number ``k``: every text field holds a payload, rotated so that across the
    updates each payload lands in each field, and every update holds every payload."""
    fields = {name: CORPUS[(k + j) % len(CORPUS)] for j, name in enumerate(UPDATE_TEXT_FIELDS)}
    return {**fields, "status": STATUS_SCALE[k % len(STATUS_SCALE)].code}


# --- Who typed what where --------------------------------------------------------------------


@dataclass
class Typed:
    """Who is who, and what was typed where."""

    unit_name: str = CORPUS[9]
    clinician_name: str = "Sam" + CORPUS[1]
    nurse_name: str = "Ana" + CORPUS[0]
    child_a: str = CORPUS[4]
    bed_a: str = SHORT
    child_b: str = CORPUS[7]
    bed_b: str = "{{7*7}}<b>2</b>"
    correction_reason: str = CORPUS[6]
    retraction_reason: str = CORPUS[5]
    invitee: str = CORPUS[8]
    invitee_contact: str = CORPUS[3]
    grantee: str = CORPUS[2]
    grantee_email: str = EMAILS[1]
    joiner: str = CORPUS[13]
    joiner_email: str = EMAILS[0]
    relative: str = CORPUS[10]
    relative_reason: str = CORPUS[14]
    restriction_note: str = CORPUS[1]
    admin_unit: str = CORPUS[11]
    new_staff: str = CORPUS[12]
    new_staff_email: str = EMAILS[2]
    # Rounds. The family member the queue names ("call <name>") is the joiner: the name typed
    # when they made their account.
    interpreter_name: str = "Yusuf" + CORPUS[3]
    phone_refused: str = "+1 555<svg onload=window.__xss=16>"
    phone: str = "+1 (555) 0142-77.31"
    question: str = "¿Puede comer hoy? " + CORPUS[6] + " " + CORPUS[14]
    question_again: str = CORPUS[5] + " " + CORPUS[12]
    rendering: str = "Can she eat today? " + CORPUS[9] + " " + CORPUS[2]
    join_link: str = "javascript:window.__xss=17;alert(17)//https://meet.example.org/a"
    join_link_quoted: str = 'https://meet.example.org/"><svg onload=window.__xss=18>'


@dataclass
class Run:
    """One run of the scenario: the server, the people, and the pages they have open."""

    browser: object
    base: str
    watch: Watch
    unit: int
    nurse: Person
    clinician: Person
    admin: Person
    interpreter: Person
    typed: Typed = field(default_factory=Typed)
    # Made as the scenario goes: the children, the invitation link, the open pages.
    child_a: int = 0
    child_b: int = 0
    everything: list[str] = field(default_factory=list)
    link: str = ""
    desk: object = None
    phone: object = None
    clinic: object = None

    def __post_init__(self):
        self.nurse_http = HttpUser(self.base, self.nurse.email)
        self.clinician_http = HttpUser(self.base, self.clinician.email)

    def page(self, viewport=DESK):
        return self.watch.page(self.browser, viewport)

    def goto(self, page, path: str, status: int | None = None):
        return self.watch.goto(page, self.base + path, status)


def test_the_corpus_fits_the_fields():
    typed = Typed()
    assert all(len(text) <= 120 for text in [*CORPUS, typed.clinician_name, typed.nurse_name])
    assert len(SHORT) <= 20 and len(typed.bed_b) <= 20
    assert len(set(CORPUS)) == len(CORPUS)
    assert set(update_fields(0).values()) >= set(CORPUS)
    assert len(typed.interpreter_name) <= 120
    assert len(typed.phone_refused) <= 40 and len(typed.phone) <= 40
    assert len(typed.question) <= 500 and len(typed.question_again) <= 500
    assert len(typed.rendering) <= 1000
    assert len(typed.join_link) <= 300 and len(typed.join_link_quoted) <= 300


@pytest.mark.parametrize("csp", [True, False], ids=["csp-on", "csp-off"])
def test_typed_payloads_show_as_text_and_never_run(browser, databases, tmp_path, csp):
    database_url = databases.new("sqlite")
    make = Factory(create_app("test", {"SQLALCHEMY_DATABASE_URI": database_url}))
    typed = Typed()
    unit = make.unit(typed.unit_name, timezone=morning_zone())  # rounds run at any hour
    nurse = make.person("nurse", (unit,), name=typed.nurse_name)
    clinician = make.person("clinician", (unit,), name=typed.clinician_name)
    admin = make.person("admin")
    interpreter = make.person("interpreter", (unit,), name=typed.interpreter_name)
    server = start_test_server(database_url, tmp_path, csp)
    watch = Watch(csp)
    try:
        run = Run(browser, server.url, watch, unit, nurse, clinician, admin, interpreter, typed)
        typed_through_forms(run)
        nurse_invites_and_gives_access(run)
        family_joins_and_asks_for_a_relative(run)
        pages_rebuilt_live(run)
        text_put_back_into_fields(run)
        admin_pages(run)  # before rounds: their audit rows would push the earlier off its page
        family_answers_and_asks_for_rounds(run)
        team_reads_renders_and_answers(run)
        # Last look at every page still open (live pages could have changed since), then the
        # control: the same checks do see a payload put into a page as markup.
        for page in watch.pages:
            watch.inert(page, f"at the end: {page.url}")
        assert_the_checks_see_real_markup(watch, watch.pages[-1], CORPUS[1])
    finally:
        for page in watch.pages:
            page.context.close()
        server.stop()
        _dispose(make)


# --- The scenario, step by step ---------------------------------------------------------------


def typed_through_forms(run: Run) -> None:
    """Over HTTP: two admissions, an update per payload (each holding all of them), a
    correction and a retraction."""
    typed = run.typed
    run.child_a = admit(run.nurse_http, run.unit, typed.child_a, typed.bed_a)
    run.child_b = admit(run.nurse_http, run.unit, typed.child_b, typed.bed_b)
    for k in range(len(CORPUS)):
        post(run.clinician_http, run.child_a, update_fields(k))
    ids = update_ids(run.clinician_http, run.child_a)
    assert len(ids) == len(CORPUS)
    corrected = {**update_fields(3), "reason": typed.correction_reason}
    answer = run.clinician_http.post_form(
        f"/staff/patients/{run.child_a}/updates/{ids[-1]}/correct", corrected
    )
    assert answer.status_code == 302, answer.text[:2000]
    answer = run.clinician_http.post_form(
        f"/staff/patients/{run.child_a}/updates/{ids[0]}/retract",
        {"reason": typed.retraction_reason},
    )
    assert answer.status_code == 302, answer.text[:2000]
    run.everything = [*CORPUS, typed.child_a, typed.bed_a, typed.correction_reason]


def nurse_invites_and_gives_access(run: Run) -> None:
    """The nurse, in the browser: census, family access, an invitation card, a new account
    given access and then removed. A next= that is a script goes nowhere."""
    typed, watch = run.typed, run.watch
    desk = run.desk = run.page()
    browser_sign_in(watch, desk, run.base, run.nurse.email, next_path="javascript:window.__xss=9")
    assert desk.url.startswith(run.base + "/staff/")
    watch.inert(desk, "census", [typed.unit_name, typed.child_a, typed.bed_a, typed.child_b,
                                 typed.bed_b, typed.nurse_name])  # fmt: skip
    run.goto(desk, f"/staff/patients/{run.child_a}/family")
    watch.inert(desk, "access panel", [typed.child_a, typed.bed_a])
    desk.locator("#invitee_name").fill(typed.invitee)
    desk.locator("#invitee_relationship").select_option("Grandparent")
    desk.locator("#invitee_contact").fill(typed.invitee_contact)
    desk.locator("#invitee_is_guardian").check()
    desk.get_by_role("button", name="Make invitation").click()
    expect(desk.locator(".invitation-card")).to_be_visible()
    watch.inert(desk, "invitation card", [typed.invitee, typed.child_a])
    run.link = desk.locator(".invitation-card__link").get_attribute("href")
    assert run.link.startswith(run.base + "/join/")
    run.goto(desk, f"/staff/patients/{run.child_a}/family")
    desk.locator("#name").fill(typed.grantee)
    desk.locator("#email").fill(typed.grantee_email)
    desk.locator("#relationship").select_option("Mother")
    desk.get_by_role("button", name="Give access").click()
    expect(desk.locator(".new-account")).to_be_visible()
    watch.inert(desk, "new account", [typed.grantee, typed.grantee_email, typed.invitee])
    desk.locator("form[action$='/revoke'] button").click()
    expect(desk.get_by_role("heading", name="Access removed")).to_be_visible()
    watch.inert(desk, "access removed", [typed.grantee, typed.invitee, typed.child_a])


def family_joins_and_asks_for_a_relative(run: Run) -> None:
    """On a phone: a made-up code typed back, the invitation, the join form, the child's
    page; as a guardian, a request for another relative. Meanwhile the nurse gives access to
    the second child and restricts it."""
    typed, watch = run.typed, run.watch
    phone = run.phone = run.page(PHONE)
    run.goto(phone, "/join/code")
    phone.locator("#code").evaluate("(input, typed) => { input.value = typed; }", SHORT)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    watch.inert(phone, "code typed back", values={"#code": SHORT})
    watch.goto(phone, run.link)
    assert phone.url == run.base + "/join/"
    watch.inert(phone, "welcome", [typed.child_a, typed.unit_name], {"#name": typed.invitee})
    phone.locator("#name").fill(typed.joiner)
    phone.locator("#email").fill(typed.joiner_email)
    phone.locator("#passphrase").fill(PASSPHRASE)
    phone.locator("#passphrase_again").fill(PASSPHRASE)
    phone.locator("#consent").check()
    phone.get_by_role("button", name="Join and see the updates").click()
    expect(phone).to_have_url(f"{run.base}/family/children/{run.child_a}")
    watch.inert(phone, "family child page", [*run.everything, typed.unit_name, typed.joiner])
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    phone.get_by_role("link", name=re.compile("Ask for another relative")).click()
    phone.locator("#name").fill(typed.relative)
    phone.locator("#relationship").select_option("Grandparent")
    phone.locator("#reason").fill(typed.relative_reason)
    phone.get_by_role("button", name="Send to the nurse").click()
    expect(phone.locator(".relative-requests")).to_be_visible()
    watch.inert(phone, "relatives", [typed.relative, typed.joiner])
    given = run.nurse_http.post_form(
        f"/staff/patients/{run.child_b}/family",
        {"name": typed.joiner, "email": typed.joiner_email, "relationship": "Father"},
    )
    assert given.status_code == 302, given.text[:2000]
    restricted = run.nurse_http.post_form(
        f"/staff/patients/{run.child_b}/restriction", {"note": typed.restriction_note}
    )
    assert restricted.status_code == 302, restricted.text[:2000]
    run.goto(phone, "/family/")
    watch.inert(phone, "family home", [typed.child_a, typed.child_b, typed.joiner])


def pages_rebuilt_live(run: Run) -> None:
    """The family page, the census and the clinician's history are rebuilt from fetched HTML
    (innerHTML) when a colleague posts; then the nurse approves the relative and the guardian
    gets the invitation to pass on."""
    typed, watch, phone, desk = run.typed, run.watch, run.phone, run.desk
    run.goto(phone, f"/family/children/{run.child_a}")
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    shown_seq = phone.locator("#feed").get_attribute("data-last-seq")
    run.goto(desk, "/staff/")
    clinic = run.clinic = run.page()
    browser_sign_in(watch, clinic, run.base, run.clinician.email)
    run.goto(clinic, f"/staff/patients/{run.child_a}")
    show_whole_history(clinic)
    watch.inert(clinic, "staff child page", [*run.everything, typed.retraction_reason,
                                             typed.clinician_name])  # fmt: skip
    post(run.clinician_http, run.child_a, update_fields(len(CORPUS)))
    post(run.clinician_http, run.child_b, update_fields(1))
    feed = phone.locator("#feed")
    expect(feed).not_to_have_attribute("data-last-seq", shown_seq, timeout=DEADLINE)
    expect(phone.locator("#announcer")).not_to_be_empty(timeout=DEADLINE)
    watch.inert(phone, "family page after a live update", run.everything)
    look(phone, "xss-family-360", watch.csp)
    expect(desk.get_by_text("No status yet")).to_have_count(0, timeout=DEADLINE)
    watch.inert(desk, "census after a live refresh", [typed.child_a, typed.child_b, typed.bed_b])
    clinic.get_by_role("button", name="Show the newest history").click()
    expect(clinic.locator("#changed-elsewhere")).to_be_hidden(timeout=DEADLINE)
    show_whole_history(clinic)
    watch.inert(clinic, "staff history after a live refresh", run.everything)
    look(clinic, "xss-staff-1280", watch.csp)

    run.goto(desk, f"/staff/patients/{run.child_a}/family")
    watch.inert(desk, "a relative asked for", [typed.joiner, typed.relative, typed.relative_reason])
    desk.get_by_role("button", name=re.compile("^Approve")).click()
    expect(desk.locator(".notice--success")).to_be_visible()
    watch.inert(desk, "a relative approved", [typed.joiner, typed.relative])
    run.goto(phone, f"/family/children/{run.child_a}/relatives")
    phone.get_by_role("button", name=re.compile("^Get the invitation to send")).click()
    expect(phone.locator(".invitation-card")).to_be_visible()
    watch.inert(phone, "a relative's invitation", [typed.relative, typed.child_a])
    run.goto(desk, f"/staff/patients/{run.child_b}/family")
    watch.inert(desk, "restricted child", [typed.child_b, typed.restriction_note, typed.joiner])


def family_answers_and_asks_for_rounds(run: Run) -> None:
    """On the phone, in Spanish (so that an interpreter renders the question): a phone number
    made of markup is refused and typed back, then "call me" at a real one, and a question. The
    nurse opens the unit's rounds queue and starts rounds; join links that are not https: or
    tel: are refused; a second question reaches the open queue live."""
    typed, watch, phone, desk = run.typed, run.watch, run.phone, run.desk
    run.goto(phone, "/family/settings")
    phone.locator("#language").select_option("es")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    run.goto(phone, f"/family/children/{run.child_a}")
    call_me(phone, typed.phone_refused)
    expect(phone.locator(".error-summary")).to_be_visible()
    watch.inert(phone, "a phone number refused", [typed.joiner], {"#phone": typed.phone_refused})
    call_me(phone, typed.phone)
    expect(phone.locator("[data-rounds-mine]")).to_contain_text(typed.phone)
    ask(phone, typed.question)
    expect(phone.locator("#questions .question")).to_have_count(1)
    watch.inert(phone, "a question asked", [typed.question, typed.phone, typed.joiner])

    queue = f"/staff/units/{run.unit}/rounds"
    run.goto(desk, queue)
    row = desk.locator(f"#child-{run.child_a}")
    expect(row).to_contain_text("1 open question")
    tel = row.locator("a[href^='tel:']")
    expect(tel).to_have_attribute("href", "tel:" + typed.phone.replace(" ", ""))
    shown = [typed.unit_name, typed.child_a, typed.bed_a, f"call {typed.joiner}", typed.phone]
    watch.inert(desk, "rounds queue", shown)
    desk.get_by_role("button", name="Start rounds").click()
    expect(desk.get_by_role("heading", name="Rounds under way")).to_be_visible()
    watch.inert(desk, "rounds started", shown)
    # The join-link field is only there for a family who asked for video (this one wants a
    # call): the screen's own session, token and queue version send what the field would.
    for link in (typed.join_link, typed.join_link_quoted):
        sent = desk.request.post(
            f"{run.base}/staff/units/{run.unit}/rounds/join_link",
            form={
                "csrf_token": desk.locator("input[name=csrf_token]").first.input_value(),
                "version": desk.locator("[data-version]").get_attribute("data-version"),
                "patient": str(run.child_a),
                "link": link,
            },
            max_redirects=0,
        )
        assert sent.status == 302, sent.text()[:2000]
        run.goto(desk, queue)
        expect(desk.locator(".notice--warning")).to_contain_text("must start with https://")
        watch.inert(desk, "a join link refused", shown)
    # The queue's socket is up before the question is asked elsewhere.
    expect(desk.locator("[data-rounds-queue]")).to_have_attribute(
        "data-live", "yes", timeout=DEADLINE
    )
    ask(phone, typed.question_again)
    expect(row).to_contain_text("2 open questions", timeout=DEADLINE)
    watch.inert(desk, "rounds queue after a live refresh", shown)
    look(desk, "xss-rounds-queue-1280", watch.csp)


def team_reads_renders_and_answers(run: Run) -> None:
    """The clinician sees the questions (and ticks for them in the composer), the interpreter
    renders one, the clinician marks it answered, and the family's open page fetches its
    questions again."""
    typed, watch, clinic, phone = run.typed, run.watch, run.clinic, run.phone
    asked = [typed.question, typed.question_again, typed.joiner]
    run.goto(clinic, f"/staff/patients/{run.child_a}")
    expect(clinic.locator("#questions .staff-question")).to_have_count(2)
    expect(clinic.locator("input[name=answers]")).to_have_count(2)
    watch.inert(clinic, "staff child page with questions", asked)

    interpreter = run.page()
    browser_sign_in(watch, interpreter, run.base, run.interpreter.email)
    run.goto(interpreter, "/staff/translations")
    watch.inert(
        interpreter, "translations with questions", [*asked[:2], typed.child_a, typed.bed_a]
    )
    interpreter.locator(".staff-question", has_text=typed.question).get_by_role("link").click()
    watch.inert(interpreter, "rendering a question", [typed.question, typed.joiner, typed.child_a])
    rendering_page = interpreter.url
    interpreter.locator("#rendering").fill(typed.rendering)
    interpreter.get_by_role("button", name="Save rendering").click()
    expect(interpreter.locator(".notice--success")).to_be_visible()
    watch.inert(interpreter, "a rendering saved", [typed.question_again])
    watch.goto(interpreter, rendering_page)
    watch.inert(
        interpreter, "a rendering typed back", [typed.question], {"#rendering": typed.rendering}
    )

    run.goto(phone, f"/family/children/{run.child_a}")
    expect(phone.locator("#connection")).to_have_attribute("data-state", "live", timeout=DEADLINE)
    run.goto(clinic, f"/staff/patients/{run.child_a}")
    watch.inert(clinic, "a question rendered", [*asked, typed.rendering])
    first = clinic.locator("#questions .staff-question", has_text=typed.question)
    first.locator("input[value=call]").check()
    first.get_by_role("button", name="Mark answered").click()
    expect(clinic.locator(".notice--success")).to_be_visible()
    watch.inert(clinic, "a question answered", [*asked, typed.rendering])
    expect(phone.locator("#questions .question--answered")).to_have_count(1, timeout=DEADLINE)
    watch.inert(phone, "family questions after a live refresh", asked[:2])


def text_put_back_into_fields(run: Run) -> None:
    """Copy forward, the correction form, a preview of typed text, the discharge page."""
    typed, watch, clinic = run.typed, run.watch, run.clinic
    run.goto(clinic, f"/staff/patients/{run.child_a}?copy=1")
    watch.inert(clinic, "copy forward", values=_field_values(update_fields(len(CORPUS))))
    ids = update_ids(run.clinician_http, run.child_a)
    run.goto(clinic, f"/staff/patients/{run.child_a}/updates/{ids[-2]}/correct")
    watch.inert(clinic, "correction form", values=_field_values(update_fields(3)))
    run.goto(clinic, f"/staff/patients/{run.child_a}/updates/{ids[1]}/retract")
    watch.inert(clinic, "retract form", CORPUS)
    run.goto(clinic, f"/staff/patients/{run.child_a}")
    previewed = update_fields(len(CORPUS) + 1)
    clinic.get_by_label(str(STATUS_SCALE[0].words)).check()
    clinic.locator(".composer__systems summary").click()
    for name, text in previewed.items():
        if name != "status":
            clinic.locator(f"[name={name}]").fill(text)
    clinic.get_by_role("button", name="Preview").click()
    expect(clinic.locator(".preview")).to_be_visible()
    watch.inert(clinic, "preview", CORPUS, _field_values(previewed))
    run.goto(clinic, f"/staff/patients/{run.child_b}/discharge")
    watch.inert(clinic, "discharge", [typed.child_b, typed.bed_b])


def admin_pages(run: Run) -> None:
    """The audit log and its search, units, staff accounts; and a refused sign-in that shows
    the typed address back."""
    typed, watch = run.typed, run.watch
    admin = run.page()
    browser_sign_in(watch, admin, run.base, run.admin.email)
    run.goto(admin, "/admin/audit")
    watch.inert(admin, "audit log", [typed.retraction_reason, typed.joiner])
    searched = {"person": typed.joiner_email, "child": '"><b>1</b>'}
    run.goto(admin, f"/admin/audit?{urlencode(searched)}", status=400)
    watch.inert(admin, "audit search", values={f"#{k}": v for k, v in searched.items()})
    run.goto(admin, "/admin/units")
    admin.locator("#name").fill(typed.admin_unit)
    admin.locator("#phone").fill("+1 555 0100")
    admin.get_by_role("button", name="Add unit").click()
    watch.inert(admin, "units", [typed.unit_name, typed.admin_unit])
    admin.locator("tr", has_text=typed.admin_unit).get_by_role("link").click()
    watch.inert(admin, "a unit", values={"#name": typed.admin_unit})
    run.goto(admin, "/admin/staff/new")
    admin.locator("#name").fill(typed.new_staff)
    admin.locator("#email").fill(typed.new_staff_email)
    admin.locator("#role").select_option("nurse")
    admin.locator("input[name=units]").first.check()
    admin.get_by_role("button", name="Add staff account").click()
    expect(admin.locator(".new-account")).to_be_visible()
    staff_names = [typed.new_staff, typed.new_staff_email, typed.nurse_name, typed.clinician_name]
    watch.inert(admin, "staff list", staff_names)
    admin.get_by_role("link", name=typed.new_staff).click()
    watch.inert(admin, "staff account", [typed.new_staff])

    stranger = run.page()
    run.goto(stranger, "/signin")
    stranger.get_by_label("Email address").fill(CORPUS[4])
    stranger.get_by_label("Password").fill("not the password")
    stranger.get_by_role("button", name="Sign in").click()
    expect(stranger.locator(".error-summary")).to_be_visible()
    watch.inert(stranger, "failed sign-in", values={"#email": CORPUS[4]})


# --- Helpers ----------------------------------------------------------------------------------


def _dispose(make: Factory) -> None:
    with make.app.app_context():
        db.session.remove()
        db.engine.dispose()


def admit(nurse: HttpUser, unit: int, name: str, bed: str) -> int:
    """Admit a child through the admit form; returns the child's id."""
    answer = nurse.post_form("/staff/admit", {"display_name": name, "bed": bed, "unit_id": unit})
    assert answer.status_code == 302, answer.text[:2000]
    return int(re.search(r"/staff/patients/(\d+)$", answer.headers["Location"]).group(1))


def post(clinician: HttpUser, child: int, fields: dict) -> None:
    """Post an update through the composer."""
    answer = clinician.post_form(f"/staff/patients/{child}/updates", {**fields, "action": "post"})
    assert answer.status_code == 302, answer.text[:2000]


EARLIER = re.compile(r'href="(/staff/patients/\d+\?before=\d+)#history"')


def update_ids(user: HttpUser, child: int) -> list[int]:
    """The current version of each update that can still be corrected, oldest first, from
    every page of the child's staff history."""
    found: set[int] = set()
    path = f"/staff/patients/{child}"
    while path:
        page = user.http.get(f"{user.base_url}{path}", timeout=10).text
        found |= {
            int(n) for n in re.findall(rf"/staff/patients/{child}/updates/(\d+)/correct", page)
        }
        earlier = EARLIER.search(page)
        path = earlier.group(1).replace("&amp;", "&") if earlier else ""
    return sorted(found)


def call_me(phone, number: str) -> None:
    """Answer "Please call me" at ``number`` on the family child page (in any language)."""
    phone.locator("input[name=choice][value=call]").check()
    phone.locator("#phone").fill(number)
    phone.locator("form[action$='/rounds'] button[type=submit]").click()


def ask(phone, text: str) -> None:
    """Send a question for rounds from the family child page (in any language)."""
    phone.locator("#text").fill(text)
    phone.locator("form[action$='/questions'] button[type=submit]").click()


def show_whole_history(page) -> None:
    """Every page of a child's staff history, added in place by "Show earlier updates" (the
    script builds those cards from fetched HTML too)."""
    items = page.locator("#history .history__item")
    more = page.get_by_role("link", name="Show earlier updates")
    while more.count():
        shown = items.count()
        more.click()
        expect(items).not_to_have_count(shown, timeout=DEADLINE)


def look(page, name: str, csp: bool) -> None:
    """The top of the page, for a person to see the payloads shown as words."""
    screenshot(page, f"{name}-{'csp' if csp else 'no-csp'}", full_page=False)


def _field_values(fields: dict) -> dict:
    return {f"[name={name}]": text for name, text in fields.items() if name != "status"}
