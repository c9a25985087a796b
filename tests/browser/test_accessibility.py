"""Accessibility, proven in Chromium: WCAG 2.2 AA on every page Rounds serves.

axe-core (axe-playwright-python) runs on every page, filled with fictional data that makes
each one show what it can (errors, corrections, waiting requests...): family pages in all five
languages on a 360 px phone, staff and admin pages in English at 1280 px. Then what axe cannot
judge: text at 200 % on a 320 px phone without sideways scrolling, tap targets, the keyboard
path through a child's page, and status never told by colour alone.

One server and one database for the module, one browser context per person and language.
Screenshots for a person to look at go to test-results/screenshots/a11y-*.png.
"""

import re
import secrets
import shutil
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from rounds import create_app
from rounds.extensions import db
from rounds.i18n import LANGUAGES
from tests.support.browser import screenshot as save_screenshot
from tests.support.client import csrf_from
from tests.support.factories import Factory
from tests.support.live import start_server

pytestmark = pytest.mark.browser

LANGS = [language.code for language in LANGUAGES]  # en, es, ht, pt-BR, ar
DIRECTION = {language.code: language.direction for language in LANGUAGES}
PHONE = {"width": 360, "height": 800}
SMALL_PHONE = {"width": 320, "height": 640}
DESK = {"width": 1280, "height": 900}
PASSWORD = Factory.PASSWORD

# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices (landmarks, one <h1>,
# heading order, skip link target...): all kept, none of them is noise on these pages.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

# Violations the lead must fix in files this work could not touch, as (page, rule id): each
# with the exact fix. Keep it empty: a new entry needs a TODO saying what to change, where.
ALLOWED_VIOLATIONS: dict[tuple[str, str], str] = {}

# Every GET route is either a page checked below, or not a page (with the reason).
PAGE_ENDPOINTS = {
    "auth.sign_in",
    "join.welcome",
    "join.enter_code",
    "family.home",
    "family.child",
    "family.settings",
    "family.relatives",
    "staff.census",
    "staff.patient",
    "staff.admit",
    "staff.discharge",
    "staff.correct",
    "staff.retract",
    "staff.access_panel",
    "admin.audit_log",
    "admin.staff_list",
    "admin.add_staff",
    "admin.staff_account",
    "admin.units",
    "admin.unit",
    "staff.translations",
    "staff.translate",
    "staff.rounds_queue",
    "staff.question_rendering",
}
NOT_PAGES = {
    "static": "files",
    "auth.health": "JSON for proxies",
    "auth.index": "a redirect to the person's home",
    "auth.choose_language": "sets a cookie and redirects",
    "join.open_link": "redirects to join.welcome; a bad token shows join/closed.html (checked)",
    "family.events": "JSON for the live feed",
    "staff.patient_events": "JSON for a staff page's live check",
    "staff.census_rows": "census rows, swapped into the checked census page",
    "staff.rounds_queue_part": "the queue alone, swapped into the checked rounds page",
    "family.questions": "a person's own questions, swapped into the checked child page",
}
# Pages that only a POST shows (a form's answer), checked too.
POST_PAGES = {
    "auth.sign_in_to_continue",
    "family.relative_invitation",
    "staff.post",
    "staff.invite",
    "staff.grant_access",
}
# Tap targets: family phones 44 x 44 CSS px (WCAG 2.5.5, AAA); staff screens 24 x 24 (2.5.8).
FAMILY_TARGET = 44
STAFF_TARGET = 24


# --- the server and its fictional people ---------------------------------------------------


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    """One live server for the module, with every page's data made through the services."""
    workdir = tmp_path_factory.mktemp("a11y")
    path = workdir / "rounds.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    key = secrets.token_hex(32)
    # The same key as the server: invitation tokens are hashed with it.
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": key})
    data = seed(app)
    server = start_server(url, workdir, secret_key=key)
    try:
        yield SimpleNamespace(url=server.url, data=data, app=app, key=key)
    finally:
        server.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def seed(app) -> SimpleNamespace:
    """Two units; staff of every role; children with rich, corrected, retracted, discharged,
    restricted and waiting states; a family member per language; invitations to join."""
    from rounds.models import AccessGrant, Patient, Update, User
    from rounds.models.types import utcnow
    from rounds.services.access import restrict_child
    from rounds.services.invitations import create_invitation, reinvite
    from rounds.services.patients import discharge_patient
    from rounds.services.translations import TranslationFields, add_translation
    from rounds.services.updates import UpdateFields, correct_update, retract_update

    make = Factory(app)
    d = SimpleNamespace()
    d.picu = make.unit("Pediatric ICU (test)")
    d.cicu = make.unit("Cardiac ICU (test)", timezone="America/Chicago")
    d.clinician = make.person("clinician", (d.picu, d.cicu), name="Sam Rivera")
    d.nurse = make.person("nurse", (d.picu,), name="Priya Shah")
    d.interpreter = make.person("interpreter", (d.picu,), name="Rosa Mendes")
    d.admin = make.person("admin", name="Alex Morgan")
    d.retired = make.person("nurse", (d.cicu,), name="Jo Former")
    d.editable = make.person("clinician", (d.cicu,), name="Kai Example")
    make.disable(d.retired)

    d.noah = make.patient(d.picu, "Noah Chen", "1")
    d.leo = make.patient(d.picu, "Leo Lopez", "2")
    d.mia = make.patient(d.picu, "Mia Okafor", "3")
    d.ava = make.patient(d.picu, "Ava Silva", "4")
    d.rosa = make.patient(d.picu, "Rosa Haddad", "5")
    d.eli = make.patient(d.picu, "Eli Brown", "6")
    d.sam = make.patient(d.cicu, "Sami Nasser", "12")

    now = utcnow()
    first = make.post(
        d.clinician,
        d.noah,
        "Noah had a steady night on ECMO. His body is getting enough oxygen.",
        status="critical",
        plan="Let his lungs rest. Check his blood every few hours.",
        milestones="ECMO day 2",
    )
    second = make.post(
        d.clinician,
        d.noah,
        "Noah's lungs look better on the X-ray. We turned the ECMO support down a little.",
        status="serious",
        plan="Keep him comfortable and asleep. Turn the support down a little more if he is ready.",
        watch_for=[{"if": "his oxygen drops", "then": "we turn the support back up"}],
        milestones="ECMO day 3\nFirst bath in the unit",
        body_notes={"heart": "His heart is pumping well.", "feeding": "Milk through a tube."},
        care_team="Dr. Sam (clinician), Priya (nurse)",
        next_update_at=now - timedelta(hours=3),  # late: the family sees the late notice
    )
    wrong = make.post(d.clinician, d.noah, "Posted to the wrong child by mistake.")
    make.post(d.clinician, d.leo, "Leo is breathing more on his own.", status="improving")
    make.post(d.clinician, d.ava, "Ava is ready to go to the ward.", status="ready")
    make.post(d.clinician, d.sam, "Sami is comfortable, with his family.", status="comfort")
    with app.app_context():
        author = db.session.get(User, d.clinician.id)
        update = db.session.get(Update, second)
        fields = UpdateFields(
            status="serious",
            summary="Noah's lungs look clearer on today's X-ray. We turned the ECMO support "
            "down a little.",
            plan=update.plan,
            watch_for=update.watch_for,
            milestones=update.milestones,
            body_notes=dict(update.body_notes or {}),
            care_team=update.care_team,
            next_update_at=update.next_update_at,
        )
        d.corrected = correct_update(author, update, fields, "Clearer wording").id
        retract_update(author, db.session.get(Update, wrong), "Posted to the wrong child")
        interpreter = db.session.get(User, d.interpreter.id)
        for code, words in TRANSLATED.items():
            add_translation(
                interpreter, db.session.get(Update, first), code, TranslationFields(**words)
            )
    d.first_update = first

    d.families = {}
    for code in LANGS:
        person = make_family(app, code)
        d.families[code] = person
        make.grant(person, d.noah)  # guardian
        make.grant(person, d.leo, guardian=False)
        make.grant(person, d.ava, guardian=False)
        make.pending_grant(person, d.mia)
        make.access_request(person, d.noah)  # waiting for a nurse
        make.access_request(person, d.noah, approved=True)
        make.access_request(person, d.noah, approved=False)
    # Accounts whose sign-in the 429 page is shown for (a real account: a cheap hash to check).
    d.locked_out = {code: make.person(name="Locked Example") for code in LANGS}
    gone = make.person(name="Old Example")
    make.revoke(make.grant(gone, d.noah, guardian=False))
    d.waiting_parent = make.person(name="Ines Example")
    d.waiting_grant = make.pending_grant(d.waiting_parent, d.mia)
    grace = make.person(name="Grace Example")
    make.pending_grant(grace, d.noah)
    # Rounds: the families' answers and questions (one in Spanish, for the interpreter).
    make.answer(d.families["en"], d.noah, "call", phone="+1 555 0123")
    make.answer(d.families["es"], d.noah, "video")
    make.question(d.families["en"], d.noah, "Can Noah have some milk today?")
    d.question = make.question(
        d.families["es"], d.noah, "¿Puede Noah tomar un poco de leche hoy?", language="es"
    )

    with app.app_context():
        nurse = db.session.get(User, d.nurse.id)
        noah = db.session.get(Patient, d.noah)
        invited = create_invitation(nurse, noah, "Ana Example", "Grandparent", False, "en")
        d.join_token = invited.token
        leo_grant = db.session.scalar(
            db.select(AccessGrant).where(
                AccessGrant.user_id == d.families["en"].id, AccessGrant.patient_id == d.leo
            )
        )
        d.reinvite_token = reinvite(nurse, leo_grant).token
        discharge_patient(nurse, db.session.get(Patient, d.ava))
        restrict_child(nurse, db.session.get(Patient, d.rosa), "Court order: check first")
    make.grant(make.person(name="Lina Haddad"), d.rosa)
    return d


# The first update as the interpreter translated it (fictional, as everything here).
TRANSLATED = {
    "es": {
        "summary": "Noah pasó una noche tranquila con ECMO. Su cuerpo recibe suficiente oxígeno.",
        "plan": "Dejar descansar sus pulmones. Revisar su sangre cada pocas horas.",
        "milestones": "Día 2 de ECMO",
    },
    "ar": {
        "summary": "قضى نوح ليلة هادئة على جهاز ECMO. يحصل جسمه على ما يكفي من الأكسجين.",
        "plan": "نريح رئتيه. نفحص دمه كل بضع ساعات.",
        "milestones": "اليوم الثاني على ECMO",
    },
}


def make_family(app, code: str):
    """A parent who reads Rounds in ``code``."""
    from rounds.models import User
    from rounds.services.accounts import choose_language
    from tests.support.factories import Person

    names = {
        "en": "James Chen",
        "es": "Lucía Chen",
        "ht": "Jean Chen",
        "pt-BR": "João Chen",
        "ar": "ليلى تشن",
    }
    person = Factory(app).person(name=names[code])
    with app.app_context():
        choose_language(db.session.get(User, person.id), code)
    return Person(person.id, person.email, person.name)


# --- browsing as a person -------------------------------------------------------------------


def sign_in(context, base: str, email: str) -> None:
    """Sign a browser context in through the real form (language-independent)."""
    page = context.request.get(base + "/signin")
    token = csrf_from(page.text())
    response = context.request.post(
        base + "/signin",
        form={"email": email, "password": PASSWORD, "csrf_token": token},
        max_redirects=0,
    )
    assert response.status == 302, f"sign-in failed for {email}"


def choose_language(context, base: str, code: str) -> None:
    """Before signing in: the language link every signed-out page offers."""
    response = context.request.get(f"{base}/language/{code}", max_redirects=0)
    assert response.status == 302


def phone(browser, viewport=PHONE):
    """A phone: touch, small screen."""
    return browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=True)


# Opens every <details> (what a tap would show is checked too), starts axe without waiting
# for it, and answers <html lang dir>.
START_AXE_JS = """(options) => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  window.__axeRun = axe.run(document, options)
    .then((r) => ({violations: r.violations, passes: r.passes.length}));
  return [document.documentElement.lang, document.documentElement.dir];
}"""


def with_axe(context):
    """Give every page of a context axe-core from its start: sent to the browser once, through
    DevTools (no CSP applies to it), instead of once per page checked."""
    context.add_init_script(script=Audit.axe_script)
    return context


class Audit:
    """axe and the language checks for the pages one person browses, collecting every problem.

    A check is started (``start``) and its answer read later (``finish``), so that the pages
    of several people, each in a browser context (a renderer process) of their own, are
    checked side by side: see ``side_by_side``.
    """

    axe_script = Axe().axe_script  # the axe.min.js bundled with axe-playwright-python

    def __init__(self, app: Flask, lang: str = "en"):
        self.lang = lang
        self.problems: list[str] = []
        self.adapter = app.url_map.bind("localhost")
        self.pending = None
        self.checked: set[str] = set()  # the endpoints of the pages checked

    def endpoint(self, url: str, method: str = "GET") -> str:
        """The endpoint that served ``url`` (a GET page, or the answer to a POST)."""
        path = re.sub(r"^https?://[^/]+", "", url).split("#")[0]
        path, _, query = path.partition("?")
        for tried in dict.fromkeys((method, "POST")):
            try:
                return self.adapter.match(path, method=tried, query_args=query)[0]
            except HTTPException:
                continue
        return "?"

    def start(self, page, name: str, method: str = "GET") -> None:
        """Check <html lang dir>, then start axe in the page (injected through DevTools, which
        the CSP does not apply to). ``method``: POST for a form's answer at a GET address."""
        name = f"{name} [{self.lang}]"
        page.wait_for_load_state("load")
        if not page.evaluate("typeof axe === 'object'"):  # a context made by with_axe has it
            page.evaluate(self.axe_script)
        lang, direction = page.evaluate(START_AXE_JS, AXE_OPTIONS)
        if lang != self.lang or direction != DIRECTION[self.lang]:
            self.problems.append(
                f"{name}: <html lang={lang!r} dir={direction!r}>, expected "
                f"lang={self.lang!r} dir={DIRECTION[self.lang]!r}"
            )
        self.pending = (page, name)
        self.checked.add(self.endpoint(page.url, method))

    def finish(self) -> None:
        """Wait for the axe run started last; note its violations, unless allowed."""
        page, name = self.pending
        self.pending = None
        results = page.evaluate("window.__axeRun")
        assert results["passes"], f"axe checked nothing on {name}: blocked by the CSP?"
        for violation in results["violations"]:
            if (name.rsplit(" [", 1)[0], violation["id"]) in ALLOWED_VIOLATIONS:
                continue
            nodes = "\n".join(
                f"      {', '.join(map(str, n['target']))}: {n.get('failureSummary', '')}"[:600]
                for n in violation["nodes"][:6]
            )
            self.problems.append(
                f"{name} ({page.url}): {violation['id']} ({violation['impact']}): "
                f"{violation['help']}\n{nodes}"
            )


def side_by_side(app: Flask, walks: list[tuple[str, Iterator]]) -> tuple[list[str], set[str]]:
    """Several people's walks through Rounds at once: every problem found, and the endpoints
    of the pages checked.

    A walk (language, generator) browses and yields ``(page, name)`` or ``(page, name,
    method)`` each time a page is ready. axe then runs on every walk's page at once (each
    person has a browser context, so a renderer process, of their own) and the walks go on.
    """
    audits = [(Audit(app, lang), walk) for lang, walk in walks]
    running = audits
    while running:
        started = []
        for audit, walk in running:
            try:
                audit.start(*next(walk))
            except StopIteration:
                continue
            started.append((audit, walk))
        for audit, _walk in started:
            audit.finish()
        running = started
    problems = [problem for audit, _walk in audits for problem in audit.problems]
    checked = {endpoint for audit, _walk in audits for endpoint in audit.checked}
    return problems, checked


def submit_empty(page, form_selector: str = "main form.form") -> None:
    """Send a form as it is, to show its validation errors."""
    with page.expect_navigation():
        page.locator(form_selector).last.locator("button[type=submit]").last.click()


def shows_errors(page) -> bool:
    """The page shows the error summary at the top."""
    return page.locator(".error-summary").count() == 1


def with_errors(page, name: str):
    """Send the page's form as it is and yield the page it comes back as, with its errors."""
    submit_empty(page)
    assert shows_errors(page)
    yield page, f"{name} with errors", "POST"


# --- axe on every page ----------------------------------------------------------------------


def test_every_page_passes_axe(browser, site):
    """Every page, with data that makes it show what it can, has no axe violation: the family's
    pages (signed out and in) in all five languages on a 360 px phone, the staff's and
    admin's in English at 1280 px. All walks go side by side; then no page may be missing."""
    problems, checked = side_by_side(
        site.app,
        [(lang, signed_out_walk(browser, site, lang)) for lang in LANGS]
        + [(lang, family_walk(browser, site, lang)) for lang in LANGS]
        + [
            ("en", clinician_walk(browser, site)),
            ("en", nurse_walk(browser, site)),
            ("en", interpreter_walk(browser, site)),
            ("en", admin_walk(browser, site)),
        ],
    )
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    missing = (PAGE_ENDPOINTS | POST_PAGES) - checked
    assert not missing, f"pages axe did not run on: {sorted(missing)}"


def signed_out_walk(browser, site, lang: str):
    """Someone not signed in, who chose ``lang`` on our pages: sign-in, the invitation code,
    joining with an invitation, a new passphrase, each with its errors; 404 and 429."""
    base, d = site.url, site.data
    context = with_axe(phone(browser))
    try:
        choose_language(context, base, lang)
        page = context.new_page()

        page.goto(base + "/signin")
        yield page, "sign-in"
        yield from with_errors(page, "sign-in")

        page.goto(base + "/join/code")
        yield page, "invitation code"
        yield from with_errors(page, "invitation code")

        page.goto(base + "/join/")  # no invitation in this browser
        yield page, "invitation closed"

        page.goto(f"{base}/join/{d.join_token}")
        assert page.url.endswith("/join/")
        yield page, "join welcome"
        yield from with_errors(page, "join welcome")

        page.goto(f"{base}/join/{d.reinvite_token}")
        yield page, "new passphrase"
        yield from with_errors(page, "new passphrase")

        page.goto(base + "/no-such-page")
        yield page, "404"

        # Five wrong passwords for one account, then the sixth try is refused: the 429 page.
        email = d.locked_out[lang].email
        token = csrf_from(context.request.get(base + "/signin").text())
        wrong = {"email": email, "password": "wrong", "csrf_token": token}
        for _ in range(5):
            assert context.request.post(base + "/signin", form=wrong).status == 200
        page.goto(base + "/signin")
        page.locator("#email").fill(email)
        page.locator("#password").fill("wrong again")
        with page.expect_navigation() as sent:
            page.locator("main button[type=submit]").click()
        assert sent.value.status == 429
        yield page, "429", "POST"
    finally:
        context.close()


def family_walk(browser, site, lang: str):
    """A parent who reads Rounds in ``lang``: their children, a child's updates (with a
    correction, a translation and the late notice), a discharged child, settings, asking for a
    relative (with errors), the invitation for them, and signing in again without losing what
    was typed. On the way: every status tag has words, not only a colour."""
    base, d = site.url, site.data
    context = with_axe(phone(browser))
    try:
        sign_in(context, base, d.families[lang].email)
        page = context.new_page()
        page.goto(base + "/family/")
        assert page.locator(".child-list__item").count() == 3
        assert_status_in_words(page)
        yield page, "family home"

        page.goto(f"{base}/family/children/{d.noah}")
        wait_until_live(page)
        assert page.locator(".update__correction").count() == 1
        assert page.locator(".late-notice").is_visible()
        assert_status_in_words(page)
        yield page, "child"

        page.goto(f"{base}/family/children/{d.ava}")
        assert page.locator(".discharged").count() == 1
        yield page, "discharged child"

        page.goto(base + "/family/settings")
        yield page, "settings"

        page.goto(f"{base}/family/children/{d.noah}/relatives")
        assert page.locator(".relative-requests__item").count() == 3
        yield page, "relatives"
        yield from with_errors(page, "relatives")

        with page.expect_navigation():
            page.locator(".relative-requests__item button[type=submit]").first.click()
        assert page.locator(".invitation-card").count() == 1
        yield page, "relative's invitation", "POST"
    finally:
        context.close()

    # Signed out while typing (an idle phone): the text is kept, then saved after signing in.
    context = with_axe(phone(browser))
    try:
        choose_language(context, base, lang)
        sign_in(context, base, d.families[lang].email)
        page = context.new_page()
        page.goto(f"{base}/family/children/{d.noah}/relatives")
        page.locator("#name").fill("Omar Example")
        age_session(context, site.key, FAMILY_IDLE_SECONDS)
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").last.click()
        assert page.locator(".kept-text").count() == 1
        yield page, "signed out while typing", "POST"
        page.locator("#email").fill(d.families[lang].email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").click()
        yield page, "save what you typed", "POST"
    finally:
        context.close()


def assert_status_in_words(page) -> None:
    """Status is never told by colour alone: every status tag has its words."""
    tags = page.locator(".tag").all_text_contents()
    assert tags, f"no status tag on {page.url}"
    for text in tags:
        assert len(text.strip()) >= 3, f"a status tag without words on {page.url}: {text!r}"


FAMILY_IDLE_SECONDS = 400 * 24 * 3600  # longer than any family idle limit


def age_session(context, key: str, idle_seconds: int) -> None:
    """Make the session cookie look ``idle_seconds`` old, signed as the server signs it."""
    signer = Flask(__name__)
    signer.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    cookie = next(c for c in context.cookies() if c["name"] == "rounds_session")
    session = serializer.loads(cookie["value"])
    session["seen"] -= idle_seconds
    session["started"] -= idle_seconds
    context.add_cookies([{**cookie, "value": serializer.dumps(session)}])


def wait_until_live(page) -> None:
    """The child's page has connected (its connection line says so)."""
    page.wait_for_selector('#connection[data-state="live"]', timeout=10_000)


def desk(browser, site, person):
    """A workstation at 1280 px, signed in as ``person``."""
    context = with_axe(browser.new_context(viewport=DESK))
    sign_in(context, site.url, person.email)
    return context


def clinician_walk(browser, site):
    """Census, a child's page (composer, errors, preview, history with a correction and a
    retraction), correcting, retracting, admitting and discharging."""
    base, d = site.url, site.data
    context = desk(browser, site, d.clinician)
    try:
        page = context.new_page()
        page.goto(base + "/staff/")
        yield page, "census"
        page.goto(f"{base}/staff/patients/{d.noah}")
        assert page.locator(".retracted-note").count() == 1
        yield page, "patient"
        submit_empty(page, "form.form")  # Post update with nothing filled in
        assert shows_errors(page)
        yield page, "patient with errors", "POST"
        page.goto(f"{base}/staff/patients/{d.noah}?copy=1")
        with page.expect_navigation():
            page.locator("button[value=preview]").click()
        assert page.locator(".preview").count() == 1
        yield page, "patient with preview", "POST"
        page.goto(f"{base}/staff/patients/{d.noah}/updates/{d.corrected}/correct")
        yield page, "correct"
        page.locator("#summary").fill("")
        yield from with_errors(page, "correct")
        page.goto(f"{base}/staff/patients/{d.noah}/updates/{d.first_update}/retract")
        yield page, "retract"
        yield from with_errors(page, "retract")
        page.goto(base + "/staff/admit")
        yield page, "admit"
        yield from with_errors(page, "admit")
        page.goto(f"{base}/staff/patients/{d.eli}/discharge")
        yield page, "discharge"
        page.goto(f"{base}/staff/patients/{d.ava}")  # discharged: no composer
        yield page, "discharged patient"
    finally:
        context.close()


def nurse_walk(browser, site):
    """Family access: waiting people and requests, a restricted child, an invitation with
    errors, the invitation card, and the first passphrase of a new family account; the unit's
    rounds before they start and under way."""
    base, d = site.url, site.data
    context = desk(browser, site, d.nurse)
    try:
        page = context.new_page()
        page.goto(f"{base}/staff/patients/{d.noah}/family")
        assert page.locator(".waiting__item").count() >= 2
        yield page, "family access"
        page.goto(f"{base}/staff/patients/{d.rosa}/family")
        assert page.locator(".restriction").count() == 1
        yield page, "family access, restricted"
        page.goto(f"{base}/staff/patients/{d.noah}/family")
        invite = page.locator("form[action$='/family/invitations'] button[type=submit]")
        with page.expect_navigation():
            invite.click()
        assert shows_errors(page)
        yield page, "family access, invitation errors", "POST"
        page.locator("#invitee_name").fill("Ana Example")
        page.locator("#invitee_relationship").select_option("Grandparent")
        with page.expect_navigation():
            invite.click()
        assert page.locator(".invitation-card").count() == 1
        yield page, "invitation card", "POST"
        page.goto(f"{base}/staff/patients/{d.leo}/family")
        page.locator("#name").fill("Beatriz Example")
        page.locator("#email").fill("beatriz.example@example.org")
        page.locator("#relationship").select_option("Grandparent")
        with page.expect_navigation():
            page.locator("form[action$='/family'] button[type=submit]").click()
        assert page.locator(".new-account").count() == 1
        yield page, "family access, new account", "POST"
        page.goto(f"{base}/staff/units/{d.picu}/rounds")
        yield page, "rounds, not started"
        with page.expect_navigation():
            page.locator("form[action$='/rounds/start'] button[type=submit]").click()
        assert page.locator(".queue-row").count() > 1
        yield page, "rounds under way"
    finally:
        context.close()


def interpreter_walk(browser, site):
    """The census and a child as an interpreter sees them, the translation queue, the
    translate page (new, with errors, and with a translation sent before), and a family's
    question to render (with errors)."""
    base, d = site.url, site.data
    context = desk(browser, site, d.interpreter)
    try:
        page = context.new_page()
        page.goto(base + "/staff/")
        yield page, "census (interpreter)"
        page.goto(f"{base}/staff/patients/{d.noah}")
        yield page, "patient (interpreter)"
        page.goto(base + "/staff/translations")
        assert page.locator(".queue-table").count() == 1
        yield page, "translation queue"
        page.goto(f"{base}/staff/updates/{d.corrected}/translate/ht")
        yield page, "translate"
        yield from with_errors(page, "translate")
        page.goto(f"{base}/staff/updates/{d.first_update}/translate/es")
        yield page, "translate, a translation sent before"
        page.goto(f"{base}/staff/patients/{d.noah}/questions/{d.question}/rendering")
        yield page, "render a question"
        yield from with_errors(page, "render a question")
    finally:
        context.close()


def admin_walk(browser, site):
    """The audit log (empty search, results, errors), staff accounts and units."""
    base, d = site.url, site.data
    context = desk(browser, site, d.admin)
    try:
        page = context.new_page()
        page.goto(base + "/admin/audit")
        yield page, "audit log"
        page.goto(f"{base}/admin/audit?child={d.noah}")
        assert page.locator(".audit-table tbody tr").count() > 3
        yield page, "audit log with results"
        page.goto(base + "/admin/audit?start=not-a-date&child=abcdefghijklmnop")
        assert shows_errors(page)
        yield page, "audit log with errors"

        page.goto(base + "/admin/staff")
        yield page, "staff list"
        page.goto(base + "/admin/staff/new")
        yield page, "add staff"
        yield from with_errors(page, "add staff")
        page.locator("#name").fill("Kim Example")
        page.locator("#email").fill("kim.example@example.org")
        page.locator("#role").select_option("nurse")
        page.locator("input[name=units]").first.check()
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").click()
        assert page.locator(".new-account").count() == 1
        yield page, "staff list, new account", "POST"
        page.goto(f"{base}/admin/staff/{d.editable.id}")
        yield page, "staff account"
        page.locator("input[name=units]:checked").uncheck()  # a clinician needs a unit
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").first.click()
        assert shows_errors(page)
        yield page, "staff account with errors", "POST"
        page.goto(f"{base}/admin/staff/{d.retired.id}")
        yield page, "staff account, disabled"

        page.goto(base + "/admin/units")
        yield page, "units"
        yield from with_errors(page, "units")
        page.goto(f"{base}/admin/units/{d.picu}")
        yield page, "unit"
        page.locator("#name").fill("")
        yield from with_errors(page, "unit")
    finally:
        context.close()


def test_every_page_route_is_in_the_list():
    """A new page cannot dodge the checks: every GET route is checked or said not to be a page."""
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    get_endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
    }
    missing = get_endpoints - PAGE_ENDPOINTS - set(NOT_PAGES)
    assert not missing, f"GET routes not checked for accessibility: {sorted(missing)}"
    stale = (PAGE_ENDPOINTS | set(NOT_PAGES)) - get_endpoints
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"


# --- what axe cannot judge ------------------------------------------------------------------

OVERFLOW_JS = """(width) => {
  // Against the phone's own width: a phone browser widens window.innerWidth to fit a page
  // that is too wide (and then zooms out), so innerWidth cannot tell.
  const doc = document.documentElement;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5) && el.checkVisibility()
        && r.width > 1) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..`
                + `${Math.round(r.right)} "${(el.textContent || '').trim().slice(0, 30)}"`);
    }
  }
  // Words that stick out of their box (a box's own rectangle does not show them).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const box = node.parentElement;
    // Not text hidden the accessible way (the skip link until focused, .visually-hidden)
    if (!node.textContent.trim() || !box.checkVisibility()
        || box.getBoundingClientRect().width <= 1) continue;
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width > 1 && (r.right > width + 0.5 || r.left < -0.5)) {
      wide.push(`text in ${node.parentElement.tagName.toLowerCase()}.`
                + `${node.parentElement.className} ${Math.round(r.left)}..${Math.round(r.right)}`
                + ` "${node.textContent.trim().slice(0, 30)}"`);
    }
  }
  return {scroll: doc.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_text_at_200_percent_on_a_320_px_phone_needs_no_sideways_scrolling(browser, site, lang):
    """WCAG 1.4.4 and 1.4.10: the child's page, sign-in and joining reflow at 320 px with text
    at twice the size (set through the CSSOM: our CSP blocks injected <style> elements)."""
    base, d = site.url, site.data
    problems = []

    def reflows(page, name):
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        found = page.evaluate(OVERFLOW_JS, SMALL_PHONE["width"])
        if found["scroll"] > SMALL_PHONE["width"] or found["wide"]:
            problems.append(f"{name} [{lang}]: {found}")

    signed_out = phone(browser, SMALL_PHONE)
    choose_language(signed_out, base, lang)
    page = signed_out.new_page()
    page.goto(base + "/signin")
    reflows(page, "sign-in")
    page.goto(base + "/join/code")
    reflows(page, "invitation code")
    page.goto(f"{base}/join/{d.join_token}")
    reflows(page, "join welcome")
    signed_out.close()

    family = phone(browser, SMALL_PHONE)
    sign_in(family, base, d.families[lang].email)
    page = family.new_page()
    page.goto(f"{base}/family/children/{d.noah}")
    wait_until_live(page)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    reflows(page, "child")
    screenshot(page, f"family-child-{lang}-320-200pct")
    # The whole page is very long at 200 %: the first screen and the latest update, as seen.
    screenshot(page, f"family-child-{lang}-320-200pct-top", full_page=False)
    page.locator(".update--full .tag").first.scroll_into_view_if_needed()
    screenshot(page, f"family-child-{lang}-320-200pct-update", full_page=False)
    page.goto(base + "/family/")
    reflows(page, "family home")
    family.close()
    assert not problems, "\n".join(problems)


TARGETS_JS = """(minimum) => {
  const small = [];
  const standalone = (a) => {
    // A link (or glossary word) inside a sentence may be small; one that stands alone (a nav
    // link, a button-like link, the only thing in its paragraph or list item) is a target.
    let node = a.parentElement;
    while (node && getComputedStyle(node).display.startsWith('inline')
           && !getComputedStyle(node).display.includes('flex')) node = node.parentElement;
    if (!node) return true;
    const display = getComputedStyle(node).display;
    if (display.includes('flex') || display.includes('grid')) return true;
    const words = (el) => el.textContent.replace(/\\s+/g, ' ').trim();
    return words(node) === words(a);
  };
  const visible = (el) => {
    if (!el.checkVisibility({visibilityProperty: true})) return false;  // also: closed <details>
    const r = el.getBoundingClientRect();
    // 1 px or less: hidden the accessible way (the skip link until it is focused)
    return r.width > 1 && r.height > 1 && r.right > 0 && r.bottom > 0;
  };
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || el.closest('.visually-hidden')) continue;
    // A glossary word is a button inside a sentence: small like a link there (WCAG 2.5.8's
    // inline exception); a stand-alone one would still have to be a full target.
    const inline = el.tagName === 'A' || el.classList.contains('term');
    if (inline && !standalone(el)) continue;
    let r = el.getBoundingClientRect();
    let box = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
    if (el.type === 'checkbox' || el.type === 'radio') {
      // Its label is part of the target: tapping the words ticks the box.
      for (const label of el.labels || []) {
        const l = label.getBoundingClientRect();
        box = {left: Math.min(box.left, l.left), top: Math.min(box.top, l.top),
               right: Math.max(box.right, l.right), bottom: Math.max(box.bottom, l.bottom)};
      }
    }
    const w = box.right - box.left, h = box.bottom - box.top;
    if (w < minimum - 0.5 || h < minimum - 0.5) {
      const name = (el.textContent || el.value || el.name || '').replace(/\\s+/g, ' ').trim();
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${name.slice(0, 40)}" `
                 + `${Math.round(w)}x${Math.round(h)}`);
    }
  }
  return small;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_family_tap_targets_are_at_least_44_px(browser, site, lang):
    """On a 360 px phone every button, field, summary and stand-alone link is 44 x 44."""
    base, d = site.url, site.data
    problems = []

    def targets(page, name):
        for small in page.evaluate(TARGETS_JS, FAMILY_TARGET):
            problems.append(f"{name} [{lang}]: {small}")

    signed_out = phone(browser)
    choose_language(signed_out, base, lang)
    page = signed_out.new_page()
    for path, name in [
        ("/signin", "sign-in"),
        ("/join/code", "invitation code"),
        (f"/join/{d.join_token}", "join welcome"),
        ("/no-such-page", "404"),
    ]:
        page.goto(base + path)
        targets(page, name)
    page.goto(base + "/signin")
    submit_empty(page)
    targets(page, "sign-in with errors")
    signed_out.close()

    family = phone(browser)
    sign_in(family, base, d.families[lang].email)
    page = family.new_page()
    for path, name in [
        ("/family/", "family home"),
        (f"/family/children/{d.noah}", "child"),
        ("/family/settings", "settings"),
        (f"/family/children/{d.noah}/relatives", "relatives"),
    ]:
        page.goto(base + path)
        targets(page, name)
    page.goto(f"{base}/family/children/{d.noah}")
    wait_until_live(page)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    targets(page, "child, every detail open")
    family.close()
    assert not problems, "\n".join(problems)


def test_staff_tap_targets_are_at_least_24_px(browser, site):
    """At 1280 px every button, field, summary and stand-alone link is 24 x 24 (WCAG 2.5.8)."""
    base, d = site.url, site.data
    problems = []
    for person, paths in [
        (
            d.clinician,
            [
                "/staff/",
                f"/staff/patients/{d.noah}",
                f"/staff/patients/{d.noah}/updates/{d.corrected}/correct",
                "/staff/admit",
            ],
        ),
        (d.nurse, [f"/staff/patients/{d.noah}/family"]),
        (
            d.interpreter,
            ["/staff/translations", f"/staff/updates/{d.corrected}/translate/ht"],
        ),
        (d.admin, ["/admin/audit?child=" + str(d.noah), "/admin/staff", "/admin/units"]),
    ]:
        context = browser.new_context(viewport=DESK)
        sign_in(context, base, person.email)
        page = context.new_page()
        for path in paths:
            page.goto(base + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            for small in page.evaluate(TARGETS_JS, STAFF_TARGET):
                problems.append(f"{path}: {small}")
        context.close()
    assert not problems, "\n".join(problems)


FOCUSABLE_JS = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  // Rendered (not in a closed <details>, not display:none or hidden); the skip link counts.
  const shown = (el) => el.checkVisibility({visibilityProperty: true})
    && (el.tagName !== 'SUMMARY' || el.parentElement.tagName === 'DETAILS');
  const all = [...document.querySelectorAll(selector)].filter(shown);
  all.forEach((el, i) => el.setAttribute('data-tab-order', String(i)));
  const words = (el) => (el.textContent || '').trim().slice(0, 30);
  return all.map((el) => `${el.tagName.toLowerCase()} ${words(el)}`);
}"""

FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    order: el.getAttribute('data-tab-order'),
    id: el.id,
    tag: el.tagName.toLowerCase(),
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    onScreen: r.bottom > 0 && r.right > 0 && r.top < window.innerHeight
      && r.left < window.innerWidth && r.width > 0 && r.height > 0,
  };
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_keyboard_reaches_everything_on_the_child_page_in_order(browser, site, lang):
    """Tab alone: the skip link first and it works, then every control in reading order, each
    with a visible focus indicator and on screen when focused."""
    base, d = site.url, site.data
    context = phone(browser)
    sign_in(context, base, d.families[lang].email)
    page = context.new_page()
    page.goto(f"{base}/family/children/{d.noah}")
    wait_until_live(page)
    expected = page.evaluate(FOCUSABLE_JS)
    assert expected[0].startswith("a"), expected  # the skip link

    page.keyboard.press("Tab")
    skip = page.evaluate(FOCUSED_JS)
    assert skip["order"] == "0" and skip["onScreen"] and (skip["outline"] or skip["shadow"])
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    after_skip = page.evaluate(FOCUSED_JS)
    in_main = page.evaluate(
        "[...document.querySelectorAll('[data-tab-order]')]"
        ".filter(el => document.getElementById('main').contains(el))"
        ".map(el => el.getAttribute('data-tab-order'))"
    )
    assert after_skip["order"] == in_main[0], (after_skip, in_main)

    page = context.new_page()  # start again, from the top of a fresh page
    page.goto(f"{base}/family/children/{d.noah}")
    wait_until_live(page)
    expected = page.evaluate(FOCUSABLE_JS)
    reached, problems = [], []
    for _ in range(len(expected) + 3):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None or focused["order"] is None:
            break
        if reached and focused["order"] == reached[0]:
            break  # wrapped around
        reached.append(focused["order"])
        what = expected[int(focused["order"])]
        if not (focused["focusVisible"] and (focused["outline"] or focused["shadow"])):
            problems.append(f"no visible focus on {what}: {focused}")
        if not focused["onScreen"]:
            problems.append(f"focused but off screen: {what}")
    assert reached == [str(i) for i in range(len(expected))], (reached, expected)
    assert not problems, "\n".join(problems)
    context.close()


def test_a_waiting_parent_is_told_when_a_nurse_answers_without_a_reload(browser, site):
    """The page that waits for a nurse checks every minute without reloading itself (a timed
    reload sends a screen reader back to the top, WCAG 2.2.1): it says so, with a link."""
    from rounds.models import AccessGrant, User
    from rounds.services.access import confirm_family_access

    base, d = site.url, site.data
    context = phone(browser)
    sign_in(context, base, d.waiting_parent.email)
    page = context.new_page()
    page.clock.install()
    page.goto(base + "/family/")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    answered = page.locator("[data-access-changed]")
    expect(answered).to_be_hidden()
    page.evaluate("window.__sameDocument = true")
    page.clock.run_for(61_000)
    expect(answered).to_be_hidden()  # nothing has changed yet
    with site.app.app_context():
        confirm_family_access(
            db.session.get(User, d.nurse.id), db.session.get(AccessGrant, d.waiting_grant)
        )
    page.clock.run_for(61_000)
    expect(answered).to_be_visible()
    expect(answered.get_by_role("link")).to_have_attribute("href", "/family/")
    assert page.evaluate("window.__sameDocument") is True
    context.close()


MIRRORED_JS = """() => {
  const side = (selector) => {
    const style = getComputedStyle(document.querySelector(selector));
    return style.borderRightWidth !== '0px' && style.borderLeftWidth === '0px' ? 'right'
      : style.borderLeftWidth !== '0px' && style.borderRightWidth === '0px' ? 'left' : 'both';
  };
  const brand = document.querySelector('.site-header__brand').getBoundingClientRect();
  return {
    brand: brand.left > window.innerWidth / 2 ? 'right' : 'left',
    tag: side('.update--full .tag'),
    notice: side('.late-notice'),
    correction: side('.update__correction'),
  };
}"""


def test_screenshots_for_a_person_to_look_at_and_arabic_mirrors(browser, site):
    """The child's page in English and in Arabic, which mirrors (the name of the site, the
    status tag's and the notices' coloured edge on the right); sign-in in Kreyòl; staff pages."""
    base, d = site.url, site.data
    for lang, start in [("en", "left"), ("ar", "right")]:
        context = phone(browser)
        sign_in(context, base, d.families[lang].email)
        page = context.new_page()
        page.goto(f"{base}/family/children/{d.noah}")
        wait_until_live(page)
        screenshot(page, f"family-child-{lang}-360")
        where = page.evaluate(MIRRORED_JS)
        assert set(where.values()) == {start}, f"{lang}: {where}"
        context.close()
    context = phone(browser)
    choose_language(context, base, "ht")
    page = context.new_page()
    page.goto(base + "/signin")
    screenshot(page, "signin-ht-360")
    context.close()
    context = browser.new_context(viewport=DESK)
    sign_in(context, base, d.nurse.email)
    page = context.new_page()
    page.goto(f"{base}/staff/patients/{d.noah}/family")
    screenshot(page, "staff-access-1280")
    page.goto(base + "/staff/")
    screenshot(page, "staff-census-1280")
    context.close()


def screenshot(page, name: str, full_page: bool = True):
    """A screenshot of this walk for a person to look at: test-results/screenshots/a11y-<name>."""
    return save_screenshot(page, f"a11y-{name}", full_page=full_page)
